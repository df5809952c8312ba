//! The GAN's mathematics on cases with closed forms: the generator gradients of the minimax and
//! non-saturating losses, the optimal discriminator D* = p/(p + q) and the game's value at D*,
//! −log 4 + 2·JSD; then the family's step (both groups move) and its sampler.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::family::OptimGroup;
use genzoo_models::gan::loss::{disc_loss, gen_loss, softplus};
use genzoo_models::gan::{Gan, GanConfig, GanLoss};
use genzoo_models::{Batch, DataKind, DataSpec, Family, Optimizers, Sample, StepCx};
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{Adam, AdamConfig, deterministic_init, host::to_vec, named_params};

fn values(t: Tensor<1>) -> Vec<f64> {
    to_vec(t, "t").unwrap().into_iter().map(f64::from).collect()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A fixed D(x) = σ(a·x + b) and G(z) = θ + z: ∂ℓ_G/∂θ is −a·E σ(l) for the minimax loss and
/// −a·E(1 − σ(l)) for the non-saturating one (l = a(θ + z) + b). As D(G(z)) → 0 the first
/// vanishes and the second tends to −a.
#[test]
fn generator_gradients_match_their_closed_forms() {
    let d = Device::flex().autodiff();
    let z = standard_normal([256], &mut rng_for(1, 0, 0), &d);
    let zs = values(z.clone().inner());
    let a = 1.7;
    for b in [0.3, -25.0] {
        for (loss, closed) in [
            (GanLoss::Minimax, (|l: f64| sigmoid(l)) as fn(f64) -> f64),
            (GanLoss::NonSaturating, |l: f64| 1.0 - sigmoid(l)),
        ] {
            let theta =
                Tensor::<1>::from_data(TensorData::new(vec![0.4f32], [1]), &d).require_grad();
            let x = z.clone() + theta.clone().expand([256]);
            let logits = x.mul_scalar(a).add_scalar(b);
            let grads = gen_loss(loss, logits).backward();
            let g = values(theta.grad(&grads).unwrap())[0];
            let expect = -a * zs.iter().map(|&zi| closed(a * (0.4 + zi) + b)).sum::<f64>() / 256.0;
            assert!(
                (g - expect).abs() < 1e-5 * (1.0 + expect.abs()),
                "{loss:?} b={b}: {g} vs {expect}"
            );
            if b < -20.0 {
                match loss {
                    GanLoss::Minimax => assert!(g.abs() < 1e-8, "minimax saturates: {g}"),
                    _ => assert!((g + a).abs() < 1e-6, "non-saturating keeps −a: {g}"),
                }
            }
        }
    }
}

fn normal_pdf(x: f64, mu: f64, sigma: f64) -> f64 {
    (-(x - mu).powi(2) / (2.0 * sigma * sigma)).exp()
        / (sigma * (2.0 * std::f64::consts::PI).sqrt())
}

/// p_data = N(1, 1), p_g = N(−1, 1.5²): log p/q is quadratic, so D(x) = σ(w₀ + w₁x + w₂x²) can
/// be D* exactly. Training D alone on samples of both (the discriminator loss of the game)
/// recovers D* = p/(p + q) on [−3, 3], and the game's value with the trained D approaches
/// −log 4 + 2·JSD(p ‖ q), by quadrature.
#[test]
fn trained_discriminator_is_optimal_and_the_value_is_the_jsd() {
    let d = Device::flex().autodiff();
    let n = 20_000;
    let real = standard_normal([n], &mut rng_for(2, 0, 0), &d).add_scalar(1.0);
    let fake = standard_normal([n], &mut rng_for(3, 0, 0), &d)
        .mul_scalar(1.5)
        .sub_scalar(1.0);
    let features =
        |x: Tensor<1>| Tensor::stack::<2>(vec![x.ones_like(), x.clone(), x.clone() * x], 1); // [n, 3]
    let (fr, ff) = (features(real), features(fake));
    let mut w = [0.0f64; 3];
    let (mut m, mut v) = ([0.0; 3], [0.0; 3]);
    let (lr, b1, b2) = (0.05, 0.9, 0.999);
    for step in 1..=1500 {
        let wt = Tensor::<1>::from_data(
            TensorData::new(w.iter().map(|&x| x as f32).collect::<Vec<_>>(), [3]),
            &d,
        )
        .require_grad();
        let logit = |f: &Tensor<2>| f.clone().matmul(wt.clone().unsqueeze_dim(1)).reshape([n]);
        let loss = disc_loss(GanLoss::NonSaturating, logit(&fr), logit(&ff), 1.0);
        let g = values(wt.grad(&loss.backward()).unwrap());
        for i in 0..3 {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            let mh = m[i] / (1.0 - b1.powi(step));
            let vh = v[i] / (1.0 - b2.powi(step));
            w[i] -= lr * mh / (vh.sqrt() + 1e-8);
        }
    }
    let p = |x: f64| normal_pdf(x, 1.0, 1.0);
    let q = |x: f64| normal_pdf(x, -1.0, 1.5);
    let d_star = |x: f64| p(x) / (p(x) + q(x));
    let d_hat = |x: f64| sigmoid(w[0] + w[1] * x + w[2] * x * x);
    for i in 0..=60 {
        let x = -3.0 + 0.1 * i as f64;
        assert!(
            (d_hat(x) - d_star(x)).abs() < 0.03,
            "x={x}: {} vs {}",
            d_hat(x),
            d_star(x)
        );
    }
    // Quadrature on [−12, 12] (tails below 1e-14).
    let (lo, hi, k) = (-12.0, 12.0, 24_000);
    let h = (hi - lo) / k as f64;
    let integrate = |f: &dyn Fn(f64) -> f64| {
        (0..k)
            .map(|j| f(lo + (j as f64 + 0.5) * h) * h)
            .sum::<f64>()
    };
    let mix = |x: f64| 0.5 * (p(x) + q(x));
    let jsd = 0.5 * integrate(&|x| p(x) * (p(x) / mix(x)).ln())
        + 0.5 * integrate(&|x| q(x) * (q(x) / mix(x)).ln());
    let value = |dd: &dyn Fn(f64) -> f64| {
        integrate(&|x| p(x) * dd(x).ln()) + integrate(&|x| q(x) * (1.0 - dd(x)).ln())
    };
    let target = -(4f64.ln()) + 2.0 * jsd;
    assert!(
        (value(&d_star) - target).abs() < 1e-6,
        "V(D*) {} vs {target}",
        value(&d_star)
    );
    assert!(
        (value(&d_hat) - target).abs() < 0.01,
        "V(D̂) {} vs {target}",
        value(&d_hat)
    );
    // And any other discriminator does worse: D ≡ ½ gives −log 4 exactly.
    assert!(value(&|_| 0.5) < value(&d_hat));
}

#[test]
fn softplus_is_stable_and_hinge_has_its_margins() {
    let d = Device::flex();
    let x = Tensor::<1>::from_data(TensorData::new(vec![-100.0f32, 0.0, 100.0], [3]), &d);
    let s = values(softplus(x));
    assert!(s[0] < 1e-40 && (s[1] - 2f64.ln()).abs() < 1e-6 && (s[2] - 100.0).abs() < 1e-4);
    let t = |v: Vec<f32>| Tensor::<1>::from_data(TensorData::new(v, [2]), &d);
    // relu(1 − l_r) + relu(1 + l_f): zero once real scores ≥ 1 and fake ≤ −1.
    let zero = disc_loss(GanLoss::Hinge, t(vec![1.0, 3.0]), t(vec![-1.0, -2.0]), 1.0);
    assert_eq!(values(zero)[0], 0.0);
    let some = disc_loss(GanLoss::Hinge, t(vec![0.0, 0.0]), t(vec![0.0, 0.0]), 1.0);
    assert!((values(some)[0] - 2.0).abs() < 1e-6);
    // One-sided smoothing moves the real target to 0.9: −[0.9 log σ(l) + 0.1 log(1 − σ(l))].
    let l = 0.7f64;
    let smoothed = disc_loss(
        GanLoss::NonSaturating,
        t(vec![l as f32; 2]),
        t(vec![-50.0; 2]),
        0.9,
    );
    let expect = -(0.9 * sigmoid(l).ln() + 0.1 * (1.0 - sigmoid(l)).ln());
    assert!((values(smoothed)[0] - expect).abs() < 1e-5);
}

fn optimizers() -> Optimizers {
    let group = |name| OptimGroup {
        name,
        adam: Adam::new(AdamConfig::default()),
        lr: 1e-3,
    };
    Optimizers {
        groups: vec![group("gen"), group("disc")],
    }
}

/// One step moves D on every step and G on every k-th; packing and spectral norm build and run;
/// samples have the data's width.
#[test]
fn steps_move_each_group_on_its_schedule() {
    let d = Device::flex().autodiff();
    let spec = DataSpec {
        example_shape: vec![2],
        kind: DataKind::Continuous,
    };
    for (k, pack, sn) in [(1, 1, false), (2, 2, true)] {
        let config = GanConfig {
            gen_hidden: vec![16, 16],
            disc_hidden: vec![16],
            maxout: 3,
            disc_steps: k,
            pack,
            spectral_norm: sn,
            ..GanConfig::toy()
        };
        let mut model = deterministic_init(config.init(&spec, &d).unwrap(), 5).unwrap();
        let mut optim = optimizers();
        let x = standard_normal([8, 2], &mut rng_for(4, 0, 0), &d);
        let batch = Batch::unlabelled(x);
        for step in 0..2u64 {
            let before = named_params(&model).unwrap();
            let mut rng = rng_for(6, 0, step);
            let mut cx = StepCx {
                rng: &mut rng,
                step,
            };
            let (next, metrics) = model.train_step(&batch, &mut optim, &mut cx).unwrap();
            model = next;
            let after = named_params(&model).unwrap();
            let moved = |prefix: &str| {
                before
                    .iter()
                    .zip(&after)
                    .any(|(a, b)| a.name.starts_with(prefix) && a.values != b.values)
            };
            assert!(moved("discriminator."), "D moves on every step");
            let g_step = (step + 1) % k as u64 == 0;
            // The generator's weights move only on its steps (its BN statistics move with
            // every forward, so compare weights only).
            let g_weights_moved = before.iter().zip(&after).any(|(a, b)| {
                a.name.starts_with("generator.")
                    && a.name.ends_with("weight")
                    && a.values != b.values
            });
            assert_eq!(g_weights_moved, g_step, "k={k} step={step}");
            assert!(metrics.iter().all(|(_, v)| v.is_finite()), "{metrics:?}");
        }
        let x = model.sample(5, &mut rng_for(7, 0, 0), &d).unwrap();
        assert_eq!(x.dims(), [5, 2]);
    }
}

/// A discriminator trained against a frozen generator (its rate 0) that sits far from the data
/// wins completely, and the health check says so; a generator whose weights are zero emits one
/// point and is called collapsed. Healthy interval means say nothing.
#[test]
fn health_names_a_winning_discriminator_and_a_collapsed_generator() {
    let d = Device::flex().autodiff();
    let spec = DataSpec {
        example_shape: vec![2],
        kind: DataKind::Continuous,
    };
    let config = GanConfig {
        gen_hidden: vec![16, 16],
        disc_hidden: vec![16],
        maxout: 3,
        ..GanConfig::toy()
    };
    let mut model = deterministic_init(config.init(&spec, &d).unwrap(), 5).unwrap();
    let mut optim = optimizers();
    optim.groups[0].lr = 0.0; // the generator never moves
    let x = standard_normal([64, 2], &mut rng_for(4, 0, 0), &d) + 10.0; // data far away
    let batch = Batch::unlabelled(x);
    let mut last = Vec::new();
    for step in 0..800u64 {
        let mut rng = rng_for(6, 0, step);
        let mut cx = StepCx {
            rng: &mut rng,
            step,
        };
        let (next, metrics) = model.train_step(&batch, &mut optim, &mut cx).unwrap();
        model = next;
        last = metrics;
    }
    let said = Gan::health(&last);
    assert!(
        said.iter().any(|s| s.contains("discriminator wins")),
        "{last:?} -> {said:?}"
    );
    let healthy: Vec<(&str, f64)> = vec![("d_real", 0.6), ("d_fake", 0.4), ("spread", 0.9)];
    assert!(Gan::health(&healthy).is_empty());
    let collapsed: Vec<(&str, f64)> = vec![("d_real", 0.6), ("d_fake", 0.4), ("spread", 0.02)];
    let said = Gan::health(&collapsed);
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("collapsed"), "{said:?}");
}
