//! The gradient probe on burn modules whose geometry is read off the modules themselves:
//! dilation, asymmetric padding, SAME at stride 2, a ceil-mode pool, non-square input.
#![allow(clippy::unwrap_used)]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2d, AvgPool2dConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use genzoo_rf::{ConvGeometry, ProbeConfig, RfError, RfNet, analyse, modules, probe, probe_units};

const CHANNELS: usize = 6;

struct Mixed {
    dilated: Conv2d,
    pool: AvgPool2d,
    strided: Conv2d,
    wide: Conv2d,
    input: [usize; 3],
}

impl Mixed {
    fn new(device: &Device) -> Self {
        device.seed(3);
        let conv = |k: [usize; 2]| Conv2dConfig::new([CHANNELS, CHANNELS], k);
        Self {
            dilated: Conv2dConfig::new([2, CHANNELS], [3, 3])
                .with_dilation([2, 2])
                .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
                .init(device),
            pool: AvgPool2dConfig::new([3, 3])
                .with_strides([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_ceil_mode(true)
                .init(),
            strided: conv([3, 3])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            wide: conv([1, 5])
                .with_padding(PaddingConfig2d::Explicit(0, 2, 0, 1))
                .init(device),
            input: [2, 23, 34],
        }
    }
}

impl ConvGeometry for Mixed {
    fn rf_input(&self) -> [usize; 3] {
        self.input
    }

    fn rf_net(&self) -> Result<RfNet, RfError> {
        Ok(RfNet::chain(
            "mixed",
            vec![
                modules::conv2d("dilated", &self.dilated)?,
                modules::avg_pool2d("pool", &self.pool)?,
                modules::conv2d("strided", &self.strided)?,
                modules::conv2d("wide", &self.wide)?,
            ],
        ))
    }

    // burn's own layers: the probe must hold for any implementation of the ops.
    #[allow(clippy::disallowed_methods)]
    fn rf_forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = relu(self.dilated.forward(x));
        let x = self.pool.forward(x);
        let x = relu(self.strided.forward(x));
        self.wide.forward(x)
    }
}

/// Every output unit's measured gradient support equals the exact support, row by row and
/// column by column (holes included), and matches the analytic receptive field.
#[test]
fn probe_agrees_on_every_unit_of_a_mixed_net() {
    let device = Device::flex().autodiff();
    let net = Mixed::new(&device);
    let geometry = net.rf_net().unwrap();
    let report = analyse(&geometry, [23, 34]).unwrap();
    let out = report.output();
    // Height 23: dilated keeps 23, pool ⌈(25 − 3)/2⌉ + 1 = 12, SAME/2 → 6, 1×… keeps 6.
    // Width 34: 34, ⌈(36 − 3)/2⌉ + 1 = 18 (the ceil window starts on the last pixel, so it
    // stays), SAME/2 → 9, then the 5-wide kernel padded (2, 1): 9 + 3 − 5 + 1 = 8.
    assert_eq!([out.axes[0].size, out.axes[1].size], [6, 8]);
    // r: 1 + 4 (k_eff 5) = 5, + 2·1 = 7, + 2·2 = 11; width adds 4·4 = 16 → 27.
    assert_eq!([out.axes[0].rf, out.axes[1].rf], [11, 27]);
    let units = probe_units([6, 8], usize::MAX);
    let probed = probe(&net, &units, &ProbeConfig::default(), &device).unwrap();
    assert_eq!(probed.units.len(), 48);
    for u in &probed.units {
        assert!(u.agrees(), "unit {:?}: {:?}", u.unit, u);
        assert_eq!(u.measured, u.expected, "unit {:?}", u.unit);
    }
    assert!(probed.units.iter().any(|u| u.interior()));
}

/// burn resolves `Same` with the undilated kernel; the adapter refuses to guess.
#[test]
fn dilated_same_padding_is_refused() {
    let device = Device::flex();
    let conv = Conv2dConfig::new([1, 1], [3, 3])
        .with_dilation([2, 2])
        .with_padding(PaddingConfig2d::Same)
        .init(&device);
    assert!(matches!(
        modules::conv2d("c", &conv),
        Err(RfError::Unsupported { .. })
    ));
}

/// The unit sample keeps every position of each axis's borders and middle.
#[test]
fn probe_units_cover_borders_and_middle() {
    let units = probe_units([28, 20], 100);
    let rows: Vec<usize> = units.iter().map(|u| u[0]).collect();
    let cols: Vec<usize> = units.iter().map(|u| u[1]).collect();
    for r in [0, 1, 2, 3, 13, 14, 15, 24, 25, 26, 27] {
        assert!(rows.contains(&r), "row {r}");
    }
    for c in [0, 3, 9, 10, 11, 16, 19] {
        assert!(cols.contains(&c), "col {c}");
    }
    assert_eq!(probe_units([3, 4], 100).len(), 12);
}
