//! Rectified flow: the solvers against a closed-form flow, RK45 against its tolerance, and
//! reflow and distillation on a 2-D toy.
//!
//! Gaussian to Gaussian: with x₀ ~ N(0, 1) and x₁ ~ N(m, s²) independent, x_t = t x₁ + (1−t) x₀
//! is N(t m, σ_t²), σ_t² = t²s² + (1−t)², and the rectified-flow velocity is
//! `v(x, t) = E[x₁ − x₀ | x_t = x] = m + (t s² − (1 − t)) / σ_t² · (x − t m)`.
//! Its ODE solution is `x(t) = t m + σ_t x₀`, so every solver has a known endpoint `m + s x₀`.

use burn::module::Module;
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::rectified_flow::solvers::{
    FixedStep, Tolerance, integrate_fixed, integrate_rk45,
};
use genzoo_models::rectified_flow::{
    Coupling, RectifiedFlow, RectifiedFlowConfig, TimeSampling, path_report, transport_cost,
};
use genzoo_models::sampling::{SamplerConfig, SamplerKind};
use genzoo_models::{Batch, DataKind, DataSpec, Family, ModelError, Optimizers, StepCx};
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{Adam, AdamConfig, deterministic_init};

/// A velocity field of the tests.
type Field = dyn FnMut(Tensor<2>, f64) -> Tensor<2>;

const M: f64 = 1.0;
const S: f64 = 1.5;

/// The closed-form velocity of N(0, 1) → N(M, S²), elementwise.
fn gaussian_velocity(x: Tensor<2>, t: f64) -> Tensor<2> {
    let var = t * t * S * S + (1.0 - t) * (1.0 - t);
    (x - t * M) * ((t * S * S - (1.0 - t)) / var) + M
}

/// x₀ on a grid and the exact endpoints m + s x₀.
fn gaussian_case(d: &Device) -> (Tensor<2>, Tensor<2>) {
    let x0: Vec<f32> = (0..256).map(|i| -2.0 + 4.0 * i as f32 / 255.0).collect();
    let x0 = Tensor::<2>::from_data(TensorData::new(x0, [128, 2]), d);
    let x1 = x0.clone() * S + M;
    (x0, x1)
}

fn rms(x: Tensor<2>) -> f64 {
    (x.square().mean().into_scalar::<f32>() as f64).sqrt()
}

/// Each fixed-step solver converges to the exact endpoint with its order: halving h divides
/// the error by about 2^p (p = 1, 2, 4), measured where the error is asymptotic and far above
/// f32 rounding.
#[test]
fn fixed_step_solvers_converge_with_their_order() -> Result<(), ModelError> {
    let d = Device::flex();
    let (x0, exact) = gaussian_case(&d);
    let error = |method: FixedStep, n: usize| -> Result<f64, ModelError> {
        let mut calls = 0;
        let x1 = integrate_fixed(
            method,
            x0.clone(),
            n,
            &mut |x, t| Ok(gaussian_velocity(x, t)),
            &mut |done, total| {
                calls = done;
                assert_eq!(total, n * method.evaluations_per_step());
            },
        )?;
        assert_eq!(calls, n * method.evaluations_per_step());
        Ok(rms(x1 - exact.clone()))
    };
    for (method, p, ns) in [
        (FixedStep::Euler, 1.0, [16, 32, 64]),
        (FixedStep::Heun, 2.0, [16, 32, 64]),
        (FixedStep::Rk4, 4.0, [2, 4, 8]),
    ] {
        let e: Vec<f64> = ns
            .iter()
            .map(|&n| error(method, n))
            .collect::<Result<_, _>>()?;
        let orders: Vec<f64> = e.windows(2).map(|w| (w[0] / w[1]).log2()).collect();
        eprintln!("{method:?}: errors {e:?} observed orders {orders:?}");
        let last = orders[orders.len() - 1];
        assert!(
            (last - p).abs() < 0.5,
            "{method:?}: observed order {last:.2}, expected {p}"
        );
        assert!(
            orders.iter().all(|&o| o > p - 0.5),
            "{method:?}: {orders:?}"
        );
    }
    Ok(())
}

/// RK45 reaches x(1) within a small multiple of its tolerance on two ODEs with known
/// solutions, and takes fewer evaluations as the tolerance loosens.
#[test]
fn rk45_meets_its_tolerance_and_spends_less_when_looser() -> Result<(), ModelError> {
    let d = Device::flex();
    let (x0, exact) = gaussian_case(&d);
    // dx/dt = 3 cos(t) x: x(1) = x₀ exp(3 sin 1), nonlinear in t and stiffer than the Gaussian.
    let growth = (3.0 * 1f64.sin()).exp();
    let cases: [(&str, &mut Field, Tensor<2>); 2] = [
        ("gaussian", &mut gaussian_velocity, exact),
        (
            "3 cos(t) x",
            &mut |x: Tensor<2>, t: f64| x * (3.0 * t.cos()),
            x0.clone() * growth,
        ),
    ];
    for (name, f, exact) in cases {
        let mut nfes = Vec::new();
        for tol in [1e-2, 1e-3, 1e-4, 1e-5] {
            let mut last = 0;
            let sol = integrate_rk45(
                x0.clone(),
                Tolerance {
                    rtol: tol,
                    atol: tol,
                },
                &mut |x, t| Ok(f(x, t)),
                &mut |n| last = n,
            )?;
            assert_eq!(last, sol.nfe);
            // Accepted steps cost 6 evaluations (FSAL), rejected ones too, plus 2 to start.
            assert_eq!(sol.nfe, 2 + 6 * (sol.accepted + sol.rejected));
            let scale = rms(exact.clone()).max(1.0);
            let err = rms(sol.x - exact.clone()) / scale;
            eprintln!(
                "{name}: tol {tol:e}: error {err:.2e}, NFE {} ({} accepted, {} rejected)",
                sol.nfe, sol.accepted, sol.rejected
            );
            assert!(err < 10.0 * tol, "{name}: tol {tol}: error {err}");
            nfes.push(sol.nfe);
        }
        assert!(
            nfes.windows(2).all(|w| w[0] < w[1]),
            "{name}: NFE must fall as the tolerance loosens: {nfes:?}"
        );
    }
    // A velocity that returns NaN stops the solve with an error, not a hang or a panic.
    let bad = integrate_rk45(
        x0,
        Tolerance {
            rtol: 1e-3,
            atol: 1e-3,
        },
        &mut |x, _| Ok(x * f64::NAN),
        &mut |_| {},
    );
    assert!(bad.is_err());
    Ok(())
}

/// The toy of the tests: two tight clusters at (±2, ±1) on a diagonal, so noise on one side
/// must cross to the other and the independent coupling's straight lines intersect.
fn toy_data(n: usize, seed: u64, d: &Device) -> Tensor<2> {
    let z = standard_normal([n, 2], &mut rng_for(seed, 1, 0), d) * 0.15;
    let signs: Vec<f32> = (0..n)
        .flat_map(|i| {
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            [2.0 * s, s]
        })
        .collect();
    z + Tensor::<2>::from_data(TensorData::new(signs, [n, 2]), d)
}

fn toy_spec() -> DataSpec {
    DataSpec {
        example_shape: vec![2],
        kind: DataKind::Continuous,
    }
}

fn small(coupling: Coupling, time: TimeSampling) -> RectifiedFlowConfig {
    RectifiedFlowConfig {
        hidden: vec![64, 64],
        coupling,
        time,
        ..RectifiedFlowConfig::toy()
    }
}

/// `steps` Adam steps of `model` on batches of 256 drawn from `x1` (and `x0`, for pairs).
fn train(
    mut model: RectifiedFlow,
    x1: &Tensor<2>,
    x0: Option<&Tensor<2>>,
    steps: u64,
    lr: f64,
    seed: u64,
) -> Result<RectifiedFlow, ModelError> {
    let [n, _] = x1.dims();
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), lr);
    for step in 0..steps {
        let start = (step as usize * 256) % (n - 255);
        let batch = Batch {
            x: x1.clone().narrow(0, start, 256),
            y: None,
            x0: x0.map(|x| x.clone().narrow(0, start, 256)),
        };
        let mut r = rng_for(seed, 2, step);
        let mut cx = StepCx { rng: &mut r, step };
        model = model.train_step(&batch, &mut optim, &mut cx)?.0;
    }
    Ok(model)
}

/// x₀ and the flow's RK4 endpoints from it (no autodiff graph kept).
fn pairs_of(
    flow: &RectifiedFlow,
    n: usize,
    seed: u64,
) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
    let d = Device::flex();
    let flow = flow.valid();
    let x0 = standard_normal([n, 2], &mut rng_for(seed, 3, 0), &d);
    let sampler = SamplerConfig {
        kind: SamplerKind::Rk4,
        steps: Some(32),
        ..SamplerConfig::default()
    };
    let (x1, _) = flow.transport(x0.clone(), &sampler, &mut |_, _| {})?;
    Ok((x0, x1))
}

/// Reflow on a toy: the 2-rectified flow, trained on the 1-rectified flow's own couplings,
/// is measurably straighter (S falls by more than half) and its coupling costs no more to
/// transport; the 1-rectified coupling already costs less than the independent one (Liu et
/// al., Theorem 3.5). Then a one-step map distilled from the 2-RF pairs lands on them.
#[test]
fn reflow_straightens_and_distillation_lands_on_the_pairs() -> Result<(), ModelError> {
    let ad = Device::flex().autodiff();
    let d = Device::flex();
    let x1 = toy_data(8192, 0, &ad);
    let one = small(Coupling::Independent, TimeSampling::Uniform).init(&toy_spec(), &ad)?;
    let one = train(deterministic_init(one, 1)?, &x1, None, 1500, 2e-3, 10)?;

    // The 1-RF coupling, and the 2-RF trained on it from the 1-RF weights (as reflow does).
    let (p0, p1) = pairs_of(&one, 8192, 20)?;
    let two = small(Coupling::Pairs, TimeSampling::Uniform).init(&toy_spec(), &ad)?;
    let two = two.load_record(one.clone().into_record());
    let (a0, a1) = (p0.clone().to_device(&ad), p1.clone().to_device(&ad));
    let two = train(two, &a1, Some(&a0), 1500, 1e-3, 11)?;

    // Straightness and cost from the same fresh noise.
    let probe = standard_normal([2048, 2], &mut rng_for(30, 0, 0), &d);
    let r1 = path_report(&one.valid(), probe.clone(), 100)?;
    let r2 = path_report(&two.valid(), probe.clone(), 100)?;
    let data = toy_data(2048, 31, &d);
    let independent = transport_cost(probe, data);
    eprintln!(
        "S: 1-RF {:.4} → 2-RF {:.4}; cost: independent {independent:.3}, 1-RF {:.3}, 2-RF {:.3}",
        r1.straightness, r2.straightness, r1.transport_cost, r2.transport_cost
    );
    assert!(
        r2.straightness < 0.5 * r1.straightness,
        "reflow must straighten: {r1:?} → {r2:?}"
    );
    assert!(
        r2.transport_cost <= 1.02 * r1.transport_cost,
        "reflow must not raise the transport cost: {r1:?} → {r2:?}"
    );
    assert!(r1.transport_cost < independent);

    // Distillation: t = 0 only, on the 2-RF pairs, from the 2-RF weights.
    let (q0, q1) = pairs_of(&two, 8192, 40)?;
    let one_step = small(Coupling::Pairs, TimeSampling::Zero).init(&toy_spec(), &ad)?;
    let one_step = one_step.load_record(two.clone().into_record());
    let (b0, b1) = (q0.clone().to_device(&ad), q1.clone().to_device(&ad));
    let before = {
        let v = two.valid().velocity_at(q0.clone(), 0.0);
        (q0.clone() + v - q1.clone())
            .square()
            .sum_dim(1)
            .mean()
            .into_scalar::<f32>() as f64
    };
    let one_step = train(one_step, &b1, Some(&b0), 3000, 1e-3, 12)?.valid();
    let euler1 = SamplerConfig {
        kind: SamplerKind::Euler,
        steps: Some(1),
        ..SamplerConfig::default()
    };
    let (y, nfe) = one_step.transport(q0.clone(), &euler1, &mut |_, _| {})?;
    assert_eq!(nfe, 1);
    let miss = (y - q1.clone())
        .square()
        .sum_dim(1)
        .mean()
        .into_scalar::<f32>() as f64;
    let cost = transport_cost(q0, q1);
    eprintln!(
        "one step onto the 2-RF pairs: E|x1 - F(x0)|^2 {before:.4} (2-RF, 1 Euler step) → {miss:.4} (distilled); pairs' cost {cost:.3}"
    );
    // The stated error: within 2% of the pairs' own transport cost, and below the 2-RF's
    // single Euler step.
    assert!(miss < 0.02 * cost, "distilled miss {miss} vs cost {cost}");
    assert!(miss < before);
    Ok(())
}

/// Coupling mistakes are errors: pairs data without coupling = "pairs" and the reverse.
#[test]
fn couplings_must_match_the_data() -> Result<(), ModelError> {
    let ad = Device::flex().autodiff();
    let x = toy_data(8, 0, &ad);
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 1e-3);
    let mut r = rng_for(0, 0, 0);
    for (coupling, x0) in [
        (Coupling::Pairs, None),
        (Coupling::Independent, Some(x.clone())),
        (Coupling::Pairs, Some(x.clone().narrow(0, 0, 4))),
    ] {
        let model = small(coupling, TimeSampling::Uniform).init(&toy_spec(), &ad)?;
        let batch = Batch {
            x: x.clone(),
            y: None,
            x0,
        };
        let mut cx = StepCx {
            rng: &mut r,
            step: 0,
        };
        assert!(model.train_step(&batch, &mut optim, &mut cx).is_err());
    }
    // Diffusion samplers are refused by name.
    let model = small(Coupling::Independent, TimeSampling::Uniform).init(&toy_spec(), &d())?;
    let ddim = SamplerConfig::default();
    assert!(
        model
            .transport(x.to_device(&d()), &ddim, &mut |_, _| {})
            .is_err()
    );
    Ok(())
}

fn d() -> Device {
    Device::flex()
}
