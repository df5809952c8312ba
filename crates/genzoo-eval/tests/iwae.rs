//! The IWAE estimator against exact quadrature and its defining inequalities.
//!
//! A VAE with a 1-D latent on 1-D data has log p(x) = log ∫ p(x|z) N(z; 0, 1) dz, which a fine
//! grid over z computes to high accuracy with the model's own decoder: the exact answer the
//! bounds must approach.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, rng_for};
use genzoo_eval::logsumexp::LogSumExp;
use genzoo_eval::{IwaeOptions, iwae};
use genzoo_models::likelihood::standard_normal_log_prob;
use genzoo_models::vae::{Vae, VaeConfig};
use genzoo_models::{Batch, DataKind, DataSpec, Family, StepCx};
use genzoo_nn::{Activation, deterministic_init};

fn device() -> Device {
    Device::flex()
}

/// A small random VAE on 1-D continuous data with a 1-D latent.
fn tiny_vae() -> Vae {
    let d = device();
    d.seed(11);
    let spec = DataSpec {
        example_shape: vec![1],
        kind: DataKind::Continuous,
    };
    let cfg = VaeConfig {
        hidden: vec![16],
        latent: 1,
        activation: Activation::Tanh,
        ..VaeConfig::toy()
    };
    // Weights from the seed alone (parallel tests share burn's global generator).
    deterministic_init(cfg.init(&spec, &d).unwrap(), 11).unwrap()
}

fn data() -> Array {
    let xs: Vec<f32> = (0..40).map(|i| -2.0 + i as f32 * 0.1).collect();
    Array::new(vec![40, 1], xs).unwrap()
}

/// log p(x) by the trapezoid rule over z ∈ [−10, 10].
fn exact_log_px(model: &Vae, x: f32) -> f64 {
    const POINTS: usize = 20_001;
    let (lo, hi) = (-10.0f64, 10.0f64);
    let h = (hi - lo) / (POINTS - 1) as f64;
    let z: Vec<f32> = (0..POINTS).map(|i| (lo + i as f64 * h) as f32).collect();
    let zt = Tensor::<2>::from_data(TensorData::new(z, [POINTS, 1]), &device());
    let xt = Tensor::<2>::from_data(TensorData::new(vec![x; POINTS], [POINTS, 1]), &device());
    let log_joint = model.log_px_given_z(xt, zt.clone()) + standard_normal_log_prob(zt);
    let v = log_joint
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    let mut acc = LogSumExp::default();
    for (i, l) in v.iter().enumerate() {
        let w = if i == 0 || i == POINTS - 1 {
            0.5f64
        } else {
            1.0
        };
        acc.push(*l as f64 + w.ln());
    }
    acc.value() + h.ln()
}

fn run(model: &Vae, k: usize, seed: u64) -> genzoo_eval::IwaeReport {
    let opts = IwaeOptions { k, max_rows: 4096 };
    iwae(
        model,
        &data(),
        &opts,
        &mut rng_for(seed, 0, 0),
        &device(),
        &mut |_, _| {},
    )
    .unwrap()
}

#[test]
fn iwae_bounds_tighten_towards_exact_log_likelihood() {
    let model = tiny_vae();
    let exact: f64 = data()
        .values
        .iter()
        .map(|&x| exact_log_px(&model, x))
        .sum::<f64>()
        / 40.0;
    let l1 = -run(&model, 1, 1).nll;
    let l10 = -run(&model, 10, 2).nll;
    let l5000 = -run(&model, 5000, 3).nll;
    // L_1 ≤ L_10 ≤ L_5000 ≤ log p(x), each gap well beyond Monte Carlo noise for this model.
    assert!(l1 < l10 && l10 < l5000, "L1 {l1}, L10 {l10}, L5000 {l5000}");
    assert!(
        l5000 <= exact + 1e-3,
        "L5000 {l5000} exceeds log p(x) {exact}"
    );
    assert!(
        exact - l5000 < 0.01,
        "L5000 {l5000} should be within 0.01 nats of {exact}"
    );
}

#[test]
fn iwae_with_k1_equals_the_elbo_in_expectation() {
    let model = tiny_vae();
    // Monte Carlo L_1 against the ELBO with the closed-form KL (eval_step), each averaged over
    // the same 40 examples in every repetition; the tolerance is 4 standard errors of the
    // difference, measured from the repetitions themselves.
    let x = data();
    let reps = 400;
    let l1: Vec<f64> = (0..reps).map(|r| run(&model, 1, 100 + r).nll).collect();
    let xt = Tensor::<2>::from_data(TensorData::new(x.values.clone(), [40, 1]), &device());
    let elbo: Vec<f64> = (0..reps)
        .map(|r| {
            let mut rng = rng_for(7, 1, r);
            let mut cx = StepCx {
                rng: &mut rng,
                step: 0,
            };
            model
                .eval_step(&Batch::unlabelled(xt.clone()), &mut cx)
                .unwrap()[0]
                .1
        })
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let se = ((var(&l1) + var(&elbo)) / reps as f64).sqrt();
    let diff = mean(&l1) - mean(&elbo);
    assert!(
        diff.abs() < 4.0 * se,
        "−L1 {} vs −ELBO {} (difference {diff}, standard error {se})",
        mean(&l1),
        mean(&elbo)
    );
    assert!(
        se < 0.05,
        "the comparison must be sharp: standard error {se}"
    );
}

#[test]
fn iwae_rejects_zero_k() {
    let model = tiny_vae();
    let opts = IwaeOptions { k: 0, max_rows: 10 };
    assert!(
        iwae(
            &model,
            &data(),
            &opts,
            &mut rng_for(0, 0, 0),
            &device(),
            &mut |_, _| {}
        )
        .is_err()
    );
}
