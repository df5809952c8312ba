//! The conv VAE's receptive fields, read off its modules, against hand computation and against
//! gradients of the real network.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use genzoo_models::vae::{VaeArch, VaeConfig};
use genzoo_models::{DataKind, DataSpec};
use genzoo_nn::materialize;
use genzoo_rf::{ProbeConfig, analyse, probe, probe_units, support};

const SIDE: usize = 28;

fn vae(arch: VaeArch, device: &Device) -> genzoo_models::vae::Vae {
    device.seed(5);
    let spec = DataSpec {
        example_shape: vec![1, SIDE, SIDE],
        kind: DataKind::Binary,
    };
    let cfg = VaeConfig {
        arch,
        hidden: vec![32],
        latent: 4,
        ..VaeConfig::iwae_mnist()
    };
    let model = cfg.init(&spec, device).unwrap();
    materialize(&model);
    model
}

/// Encoder at 28×28, two 4×4/2 convolutions padded by 1: conv1 r 4, j 2, P 1 (centre 0.5);
/// conv2 r 4 + 3·2 = 10, j 4, P 1 + 1·2 = 3 (centre 1.5), on a 7×7 map. Unit u sees pixels
/// [4u − 3, 4u + 6]: units 1..5 lie inside the image and see exactly 10 pixels; units 0 and 6
/// see the 7 left after clipping. Every one of the 49 units measures that by backpropagation.
#[test]
fn conv_vae_encoder_probe_agrees_with_computed_receptive_field() {
    let device = Device::flex().autodiff();
    let model = vae(VaeArch::Conv, &device);
    let nets = model.conv_nets();
    let (_, encoder) = nets.iter().find(|(role, _)| *role == "encoder").unwrap();
    let geometry = encoder.rf_net().unwrap();
    let report = analyse(&geometry, [SIDE, SIDE]).unwrap();
    let conv2 = report.row("conv2").unwrap();
    assert!(conv2.square());
    let a = conv2.axes[0];
    assert_eq!((a.size, a.jump, a.rf, a.padding), (7, 4, 10, 3));
    assert_eq!(a.start(), 1.5);

    let units = probe_units([7, 7], usize::MAX);
    let probed = probe(*encoder, &units, &ProbeConfig::default(), &device).unwrap();
    assert_eq!(probed.units.len(), 49);
    for u in &probed.units {
        assert!(u.agrees(), "unit {:?}: {u:?}", u.unit);
        assert_eq!(u.measured, u.expected);
        for axis in 0..2 {
            let (lo, hi) = u.measured.extent(axis).unwrap();
            let pos = u.unit[axis];
            let width = if (1..=5).contains(&pos) { 10 } else { 7 };
            assert_eq!(hi - lo + 1, width, "unit {:?} axis {axis}", u.unit);
        }
    }
    assert_eq!(probed.units.iter().filter(|u| u.interior()).count(), 25);
}

/// Decoder: two 4×4/2 transposed convolutions padded by 1, 7×7 → 28×28. Output pixel o reads
/// units (o + 1 − m)/2 of the layer below where whole, so by hand on the folded 7×7 map:
/// pixel 0 → unit 0; 27 → 6; 13 and 14 → 2..4 (three units); 15 → 3..4 (two): the extent
/// depends on the phase of o. The gradients of the real decoder agree at every probed pixel.
#[test]
fn conv_vae_decoder_probe_agrees_with_exact_support() {
    let device = Device::flex().autodiff();
    let model = vae(VaeArch::Conv, &device);
    let nets = model.conv_nets();
    let (_, decoder) = nets.iter().find(|(role, _)| *role == "decoder").unwrap();
    let geometry = decoder.rf_net().unwrap();
    let [_, h, w] = decoder.rf_input();
    assert_eq!([h, w], [7, 7]);
    let ext = |o: usize| {
        support(&geometry, [h, w], geometry.last(), [o, o])
            .unwrap()
            .extent(0)
    };
    assert_eq!(ext(0), Some((0, 0)));
    assert_eq!(ext(27), Some((6, 6)));
    assert_eq!(ext(13), Some((2, 4)));
    assert_eq!(ext(14), Some((2, 4)));
    assert_eq!(ext(15), Some((3, 4)));

    let units = probe_units([SIDE, SIDE], 64);
    let probed = probe(*decoder, &units, &ProbeConfig::default(), &device).unwrap();
    assert_eq!(probed.output, [SIDE, SIDE]);
    assert!(probed.units.len() >= 11);
    for u in &probed.units {
        assert!(u.agrees(), "pixel {:?}: {u:?}", u.unit);
        assert_eq!(u.measured, u.expected);
    }
}

/// The MLP VAE has no convolutional network to describe.
#[test]
fn mlp_vae_has_no_conv_nets() {
    let model = vae(VaeArch::Mlp, &Device::flex());
    assert!(model.conv_nets().is_empty());
}
