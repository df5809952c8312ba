//! The VAE trains (MLP and conv), and its pieces agree with each other.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::vae::{VaeArch, VaeConfig};
use genzoo_models::{
    Batch, DataKind, DataSpec, Family, LatentVariable, Optimizers, Sample, StepCx,
};
use genzoo_nn::{Adam, AdamConfig, materialize};

/// Binary 28×28 "images": a bright square at one of four places, so there is structure to learn.
fn images(n: usize) -> Vec<f32> {
    (0..n)
        .flat_map(|i| {
            let (r0, c0) = ((i % 2) * 14, ((i / 2) % 2) * 14);
            (0..28 * 28).map(move |p| {
                let (r, c) = (p / 28, p % 28);
                if (r0..r0 + 10).contains(&r) && (c0..c0 + 10).contains(&c) {
                    1.0
                } else {
                    0.0
                }
            })
        })
        .collect()
}

fn train(arch: VaeArch) -> (f64, f64) {
    let d = Device::flex().autodiff();
    d.seed(1);
    let spec = DataSpec {
        example_shape: vec![1, 28, 28],
        kind: DataKind::Binary,
    };
    let cfg = VaeConfig {
        arch,
        hidden: vec![64],
        latent: 4,
        ..VaeConfig::iwae_mnist()
    };
    let mut model = cfg.init(&spec, &d).unwrap();
    materialize(&model);
    let x = Tensor::<2>::from_data(TensorData::new(images(16), [16, 784]), &d);
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 3e-3);
    let (mut first, mut last) = (0.0, 0.0);
    for step in 0..30 {
        let mut rng = rng_for(0, 0, step);
        let mut cx = StepCx {
            rng: &mut rng,
            step,
        };
        let (m, metrics) = model
            .train_step(&Batch::unlabelled(x.clone()), &mut optim, &mut cx)
            .unwrap();
        model = m;
        if step == 0 {
            first = metrics[0].1;
        }
        last = metrics[0].1;
    }
    // Samples and importance weights come out with the right sizes and finite values.
    let v = model.valid();
    let dev = Device::flex();
    let s = v.sample(5, &mut rng_for(0, 1, 0), &dev).unwrap();
    assert_eq!(s.dims(), [5, 784]);
    let xv = Tensor::<2>::from_data(TensorData::new(images(3), [3, 784]), &dev);
    let lw = v.log_weights(xv, 7, &mut rng_for(0, 2, 0)).unwrap();
    assert_eq!(lw.dims(), [3, 7]);
    assert!(
        lw.into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap()
            .iter()
            .all(|w| w.is_finite())
    );
    (first, last)
}

#[test]
fn mlp_vae_learns() {
    let (first, last) = train(VaeArch::Mlp);
    assert!(last < 0.5 * first, "negative ELBO {first} -> {last}");
}

#[test]
fn conv_vae_learns() {
    let (first, last) = train(VaeArch::Conv);
    assert!(last < 0.5 * first, "negative ELBO {first} -> {last}");
}

#[test]
fn conv_vae_refuses_non_images() {
    let d = Device::flex();
    let cfg = VaeConfig {
        arch: VaeArch::Conv,
        ..VaeConfig::toy()
    };
    let flat = DataSpec {
        example_shape: vec![2],
        kind: DataKind::Continuous,
    };
    assert!(
        cfg.init(&flat, &d)
            .unwrap_err()
            .to_string()
            .contains("images")
    );
    let odd = DataSpec {
        example_shape: vec![1, 30, 30],
        kind: DataKind::Binary,
    };
    assert!(
        cfg.init(&odd, &d)
            .unwrap_err()
            .to_string()
            .contains("divisible")
    );
}
