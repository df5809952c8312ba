//! The optimiser and parameter utilities against references.
#![allow(clippy::unwrap_used)]

use burn::module::Module;
use burn::optim::{AdamConfig as BurnAdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_nn::{Activation, Adam, AdamConfig, Ema, MlpConfig, load_named, named_params};

fn device() -> Device {
    Device::flex().autodiff()
}

fn mlp(device: &Device) -> genzoo_nn::Mlp {
    device.seed(7);
    MlpConfig {
        dims: vec![3, 5, 2],
        activation: Activation::Tanh,
        bias: true,
    }
    .init(device)
}

fn loss(model: &genzoo_nn::Mlp, device: &Device, step: usize) -> Tensor<1> {
    let x: Vec<f32> = (0..12)
        .map(|i| ((i * 7 + step * 3) % 11) as f32 / 5.0 - 1.0)
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(x, [4, 3]), device);
    model.forward(x).square().mean()
}

fn values(m: &impl Module) -> Vec<f32> {
    named_params(m)
        .unwrap()
        .into_iter()
        .flat_map(|t| t.values)
        .collect()
}

#[test]
fn parameters_are_named_by_construction_path() {
    let names: Vec<String> = named_params(&mlp(&device()))
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "layers.1.bias"
        ]
    );
}

#[test]
fn load_named_round_trips_and_refuses_mismatches() {
    let d = device();
    let a = mlp(&d);
    d.seed(99);
    let b = MlpConfig {
        dims: vec![3, 5, 2],
        activation: Activation::Tanh,
        bias: true,
    }
    .init(&d);
    assert_ne!(values(&a), values(&b));
    let saved = named_params(&a).unwrap();
    let b = load_named(b, &saved).unwrap();
    assert_eq!(values(&a), values(&b));

    let wrong = MlpConfig {
        dims: vec![3, 4, 2],
        activation: Activation::Tanh,
        bias: true,
    }
    .init(&d);
    let err = load_named(wrong, &saved).unwrap_err().to_string();
    assert!(
        err.contains("layers.0.weight") && err.contains("shape"),
        "{err}"
    );
    let no_bias = MlpConfig {
        dims: vec![3, 5, 2],
        activation: Activation::Tanh,
        bias: false,
    }
    .init(&d);
    let err = load_named(no_bias, &saved).unwrap_err().to_string();
    assert!(err.contains("layers.0.bias"), "{err}");
}

/// Our path-keyed Adam must produce the same weights as burn's own Adam (PyTorch semantics).
#[test]
fn adam_matches_burns_adam() {
    let d = device();
    let mut ours = mlp(&d);
    // burn initialises parameters lazily from a global generator: copy, don't re-seed.
    let mut theirs = load_named(mlp(&d), &named_params(&ours).unwrap()).unwrap();
    let mut opt = Adam::new(AdamConfig::default());
    let mut burn_opt = BurnAdamConfig::new().with_epsilon(1e-8).init();
    let lr = 1e-2;
    for step in 0..25 {
        let g = GradientsParams::from_grads(loss(&ours, &d, step).backward(), &ours);
        ours = opt.step(ours, g, lr).0;
        let g = GradientsParams::from_grads(loss(&theirs, &d, step).backward(), &theirs);
        theirs = burn_opt.step(lr, theirs, g);
    }
    for (a, b) in values(&ours).iter().zip(values(&theirs)) {
        assert!((a - b).abs() < 1e-5, "ours {a} burn {b}");
    }
    assert_eq!(opt.steps(), 25);
}

/// Both weight-decay forms against burn's (Adam's L2 through the gradient, AdamW's decoupled
/// shrink), on a net whose first weight (3 × 6,000) spans several of the optimiser's parallel
/// host chunks, so the chunked pass is checked end to end.
#[test]
fn weight_decay_matches_burns_adam_and_adamw() {
    use burn::optim::AdamWConfig as BurnAdamWConfig;
    use burn::optim::decay::WeightDecayConfig;
    let d = device();
    let wide = |d: &Device| {
        d.seed(11);
        MlpConfig {
            dims: vec![3, 6000, 2],
            activation: Activation::Tanh,
            bias: true,
        }
        .init(d)
    };
    let lambda = 0.05;
    let lr = 1e-2;
    for decoupled in [false, true] {
        let mut ours = wide(&d);
        let mut theirs = load_named(wide(&d), &named_params(&ours).unwrap()).unwrap();
        let mut opt = Adam::new(AdamConfig {
            weight_decay: lambda,
            decoupled,
            ..AdamConfig::default()
        });
        let mut burn_adam = BurnAdamConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(Some(WeightDecayConfig::new(lambda as f32)))
            .init();
        let mut burn_adamw = BurnAdamWConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(lambda as f32)
            .init();
        for step in 0..10 {
            let g = GradientsParams::from_grads(loss(&ours, &d, step).backward(), &ours);
            ours = opt.step(ours, g, lr).0;
            let g = GradientsParams::from_grads(loss(&theirs, &d, step).backward(), &theirs);
            theirs = if decoupled {
                burn_adamw.step(lr, theirs, g)
            } else {
                burn_adam.step(lr, theirs, g)
            };
        }
        let (a, b) = (values(&ours), values(&theirs));
        assert_eq!(a.len(), b.len());
        for (i, (a, b)) in a.iter().zip(&b).enumerate() {
            assert!(
                (a - b).abs() < 1e-5,
                "decoupled = {decoupled}, value {i}: ours {a} burn {b}"
            );
        }
    }
}

#[test]
fn adam_state_round_trip_continues_identically() {
    let d = device();
    let mut a = mlp(&d);
    let mut opt_a = Adam::new(AdamConfig {
        weight_decay: 0.01,
        decoupled: true,
        grad_clip: Some(0.5),
        ..AdamConfig::default()
    });
    for step in 0..5 {
        let g = GradientsParams::from_grads(loss(&a, &d, step).backward(), &a);
        a = opt_a.step(a, g, 1e-2).0;
    }
    // Restore a copy of the weights and the optimiser state into fresh objects.
    let mut b = load_named(mlp(&d), &named_params(&a).unwrap()).unwrap();
    let mut opt_b = Adam::new(AdamConfig {
        weight_decay: 0.01,
        decoupled: true,
        grad_clip: Some(0.5),
        ..AdamConfig::default()
    });
    opt_b
        .load_state(
            opt_a.steps(),
            &opt_a.state().unwrap(),
            &d.clone().without_autodiff(),
        )
        .unwrap();
    for step in 5..10 {
        let g = GradientsParams::from_grads(loss(&a, &d, step).backward(), &a);
        a = opt_a.step(a, g, 1e-2).0;
        let g = GradientsParams::from_grads(loss(&b, &d, step).backward(), &b);
        b = opt_b.step(b, g, 1e-2).0;
    }
    assert_eq!(
        values(&a),
        values(&b),
        "resumed optimiser must be bit-identical"
    );
}

#[test]
fn gradient_clipping_bounds_the_first_step() {
    // With clipping to c the first Adam step is unchanged (Adam normalises), but the reported
    // norm is the unclipped one; check the report and that clipping leaves moments scaled.
    let d = device();
    let m = mlp(&d);
    let g = GradientsParams::from_grads(loss(&m, &d, 0).backward(), &m);
    let mut opt = Adam::new(AdamConfig {
        grad_clip: Some(1e-6),
        ..AdamConfig::default()
    });
    let (_, report) = opt.step(m, g, 1e-3);
    assert!(report.grad_norm > 1e-6);
    // First moment after one step is (1 − β₁)·g·scale: its global norm is (1 − β₁)·c.
    let m_norm: f64 = opt
        .state()
        .unwrap()
        .iter()
        .filter(|t| t.name.ends_with(".m"))
        .flat_map(|t| t.values.iter().map(|v| (*v as f64).powi(2)))
        .sum::<f64>()
        .sqrt();
    assert!((m_norm - 0.1 * 1e-6).abs() < 1e-9, "{m_norm}");
}

#[test]
fn ema_follows_the_recurrence() {
    let d = device();
    let m = mlp(&d);
    let mut ema = Ema::new(0.5).unwrap();
    ema.update(&m); // first update copies: decay min(0.5, 1/10)… applied to an empty shadow
    let first = values(&ema.apply(mlp(&d)).unwrap());
    assert_eq!(first, values(&m));
    // Second update with decay d1 = min(0.5, 2/11) toward a different model.
    d.seed(3);
    let other = MlpConfig {
        dims: vec![3, 5, 2],
        activation: Activation::Tanh,
        bias: true,
    }
    .init(&d);
    ema.update(&other);
    let d1 = (2.0f32 / 11.0).min(0.5);
    let expect: Vec<f32> = values(&m)
        .iter()
        .zip(values(&other))
        .map(|(a, b)| d1 * a + (1.0 - d1) * b)
        .collect();
    for (a, b) in values(&ema.apply(mlp(&d)).unwrap()).iter().zip(expect) {
        assert!((a - b).abs() < 1e-6);
    }
    assert!(Ema::new(1.0).is_err());
}

/// Gradients far below anything f32 Adam can act on (here ~1e-25) are flushed to zero with
/// their moments, so no subnormal float enters the update (x86 runs those ~100× slower): the
/// moments stay exactly 0 and the weights do not move.
#[test]
fn negligible_gradients_leave_zero_moments() {
    let d = device();
    let model = mlp(&d);
    let before = values(&model);
    let mut opt = Adam::new(AdamConfig::default());
    let g = GradientsParams::from_grads(loss(&model, &d, 0).mul_scalar(1e-25).backward(), &model);
    let model = opt.step(model, g, 1e-2).0;
    assert_eq!(values(&model), before);
    for t in opt.state().unwrap() {
        assert!(
            t.values.iter().all(|&x| x == 0.0),
            "{} holds non-zero moments",
            t.name
        );
    }
}
