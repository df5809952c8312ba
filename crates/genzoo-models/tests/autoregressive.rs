//! FVSBN, NADE and MADE: exact normalisation, the autoregressive property by gradients,
//! NADE's fast pass against its definition, and samplers against the exact probabilities.
#![allow(clippy::unwrap_used)]

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::autoregressive::nade_grad::{NadeParams, nade_nll_grad};
use genzoo_models::autoregressive::{
    Fvsbn, FvsbnConfig, Made, MadeConfig, Nade, NadeConfig, OrderKind,
};
use genzoo_models::{DataKind, DataSpec, ExactLikelihood, Sample};
use genzoo_nn::{deterministic_init, materialize, normal_init};
use rand::Rng;

fn spec(n: usize) -> DataSpec {
    DataSpec {
        example_shape: vec![n],
        kind: DataKind::Binary,
    }
}

/// Replace every parameter by N(0, scale²) draws, so no test passes because weights are zero.
fn randomize<M: Module>(m: M, seed: u64, scale: f32) -> M {
    normal_init(m, &mut rng_for(seed, 0, 0), scale).unwrap()
}

/// Every binary vector of length n, `[2^n, n]`.
fn all_vectors(n: usize, device: &Device) -> Tensor<2> {
    let v: Vec<f32> = (0..1usize << n)
        .flat_map(|k| (0..n).map(move |i| ((k >> i) & 1) as f32))
        .collect();
    Tensor::from_data(TensorData::new(v, [1 << n, n]), device)
}

fn probs(model: &impl ExactLikelihood, n: usize, device: &Device) -> Vec<f64> {
    let lp = model.log_prob(all_vectors(n, device)).unwrap();
    lp.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
        .iter()
        .map(|&l| (l as f64).exp())
        .collect()
}

fn assert_normalised(model: &impl ExactLikelihood, n: usize, what: &str) {
    assert_normalised_on(model, n, what, &Device::flex());
}

fn assert_normalised_on(model: &impl ExactLikelihood, n: usize, what: &str, device: &Device) {
    let p = probs(model, n, device);
    let total: f64 = p.iter().sum();
    assert!((total - 1.0).abs() < 1e-5, "{what}: Σ p = {total}");
    // Not uniform: the test must exercise the weights.
    let max = p.iter().cloned().fold(0.0, f64::max);
    assert!(
        max > 2.0 / (1 << n) as f64,
        "{what}: distribution is (near) uniform, weights not exercised"
    );
}

const N: usize = 8;

fn made(masks: usize, order_agnostic: bool, ensemble: usize, device: &Device) -> Made {
    let c = MadeConfig {
        hidden: vec![32, 32],
        masks,
        order_agnostic,
        ensemble,
        mask_seed: 5,
        // The order-agnostic variants also carry the direct input→output path, so every test
        // that uses them checks it keeps the autoregressive property and the normalisation.
        direct: order_agnostic,
    };
    randomize(c.init(&spec(N), device).unwrap(), 1, 0.5)
}

fn nade(order: OrderKind, device: &Device) -> Nade {
    let c = NadeConfig {
        hidden: 16,
        order,
        order_seed: 3,
    };
    randomize(c.init(&spec(N), device).unwrap(), 2, 1.0)
}

fn fvsbn(order: OrderKind, device: &Device) -> Fvsbn {
    randomize(
        FvsbnConfig {
            order,
            order_seed: 4,
        }
        .init(&spec(N), device)
        .unwrap(),
        3,
        1.0,
    )
}

#[test]
fn probabilities_over_all_2n_vectors_sum_to_one() {
    let d = Device::flex();
    for order in [OrderKind::Natural, OrderKind::Random] {
        assert_normalised(&fvsbn(order, &d), N, &format!("FVSBN {order:?}"));
        assert_normalised(&nade(order, &d), N, &format!("NADE {order:?}"));
    }
    assert_normalised(&made(1, false, 1, &d), N, "MADE single mask");
    assert_normalised(&made(8, true, 1, &d), N, "MADE order-agnostic, mask 0");
    assert_normalised(&made(8, true, 8, &d), N, "MADE ensemble of 8");
}

/// Gradient of output d's logit with respect to every input: non-zero only before d.
fn check_autoregressive(logits: impl Fn(Tensor<2>) -> Tensor<2>, position: &[usize], what: &str) {
    let d = Device::flex().autodiff();
    let n = position.len();
    let x: Vec<f32> = (0..4 * n)
        .map(|i| ((i * 7919) % 13) as f32 / 13.0)
        .collect();
    let mut connected = 0;
    for out in 0..n {
        let x = Tensor::<2>::from_data(TensorData::new(x.clone(), [4, n]), &d).require_grad();
        let grads = logits(x.clone()).narrow(1, out, 1).sum().backward();
        let g = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap();
        for j in 0..n {
            let mag: f32 = (0..4).map(|b| g[b * n + j].abs()).sum();
            if position[j] >= position[out] {
                assert_eq!(
                    mag, 0.0,
                    "{what}: output {out} depends on input {j} (positions {} >= {})",
                    position[j], position[out]
                );
            } else if mag > 0.0 {
                connected += 1;
            }
        }
    }
    // The last output in the ordering must see earlier inputs: the check is not vacuous.
    assert!(
        connected > n,
        "{what}: only {connected} input→output dependencies"
    );
}

#[test]
fn autoregressive_property_holds_for_every_mask_and_ordering() {
    let d = Device::flex().autodiff();
    for order in [OrderKind::Natural, OrderKind::Random] {
        let f = fvsbn(order, &d);
        check_autoregressive(|x| f.logits(x), f.ordering().position(), "FVSBN");
        let m = nade(order, &d);
        check_autoregressive(|x| m.logits(x), m.ordering().position(), "NADE");
    }
    // Order- and connectivity-agnostic (random orderings), then connectivity-agnostic only
    // (natural order, hidden degrees resampled per mask set).
    for order_agnostic in [true, false] {
        let m = made(6, order_agnostic, 1, &d);
        for s in 0..6 {
            let masks = m.masks(s);
            let pos = masks.ordering.position().to_vec();
            check_autoregressive(
                |x| m.logits_with(x, &masks),
                &pos,
                &format!("MADE mask {s}, order-agnostic {order_agnostic}"),
            );
        }
    }
}

#[test]
fn nade_fast_pass_equals_the_definition() {
    let d = Device::flex();
    for order in [OrderKind::Natural, OrderKind::Random] {
        let m = nade(order, &d);
        let x = all_vectors(N, &d);
        let fast = m
            .logits(x.clone())
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap();
        let naive = m
            .logits_naive(x)
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap();
        for (a, b) in fast.iter().zip(&naive) {
            assert!((a - b).abs() < 1e-5, "{order:?}: fast {a} vs naive {b}");
        }
    }
}

/// Frequencies of 20,000 samples against the exact probabilities of all 16 vectors (n = 4).
fn check_sampler(model: &(impl ExactLikelihood + Sample), what: &str) {
    let d = Device::flex();
    let n = 4;
    let p = probs(model, n, &d);
    let draws = 20_000;
    let x = model.sample(draws, &mut rng_for(9, 9, 0), &d).unwrap();
    let v = x
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    let mut counts = vec![0usize; 1 << n];
    for row in v.chunks(n) {
        assert!(
            row.iter().all(|&b| b == 0.0 || b == 1.0),
            "{what}: non-binary sample"
        );
        counts[row
            .iter()
            .enumerate()
            .map(|(i, &b)| (b as usize) << i)
            .sum::<usize>()] += 1;
    }
    for (k, (&c, &pk)) in counts.iter().zip(&p).enumerate() {
        let sd = (draws as f64 * pk * (1.0 - pk)).sqrt();
        let diff = (c as f64 - draws as f64 * pk).abs();
        assert!(
            diff <= 5.0 * sd + 3.0,
            "{what}: vector {k} drawn {c} times, expected {:.0} ± {sd:.0}",
            draws as f64 * pk
        );
    }
}

#[test]
fn samplers_draw_from_the_modelled_distribution() {
    let d = Device::flex();
    let s4 = spec(4);
    let f = randomize(
        FvsbnConfig {
            order: OrderKind::Random,
            order_seed: 1,
        }
        .init(&s4, &d)
        .unwrap(),
        5,
        1.0,
    );
    check_sampler(&f, "FVSBN");
    let m = randomize(
        NadeConfig {
            hidden: 8,
            order: OrderKind::Random,
            order_seed: 2,
        }
        .init(&s4, &d)
        .unwrap(),
        6,
        1.0,
    );
    check_sampler(&m, "NADE");
    let c = MadeConfig {
        hidden: vec![16],
        masks: 1,
        order_agnostic: true,
        ensemble: 1,
        mask_seed: 3,
        direct: true,
    };
    let m = randomize(c.init(&s4, &d).unwrap(), 7, 1.0);
    check_sampler(&m, "MADE");
}

#[test]
fn continuous_data_is_refused() {
    let d = Device::flex();
    let s = DataSpec {
        example_shape: vec![2],
        kind: DataKind::Continuous,
    };
    let e = MadeConfig::mnist().init(&s, &d).unwrap_err().to_string();
    assert!(e.contains("binary"), "{e}");
    assert!(NadeConfig::mnist().init(&s, &d).is_err());
    let m = NadeConfig::mnist().init(&spec(10), &d).unwrap();
    materialize(&m);
    let bad = Tensor::<2>::zeros([2, 11], &d);
    assert!(m.log_prob(bad).is_err());
}

/// The hand-written O(nH) gradient used for training equals autodiff through the tensor form.
#[test]
fn nade_hand_gradient_equals_autodiff() {
    let d = Device::flex().autodiff();
    for order in [OrderKind::Natural, OrderKind::Random] {
        let m = nade(order, &d);
        // An odd number of rows, so the hand-written pass splits them unevenly across threads.
        let rows = 37;
        let xv: Vec<f32> = (0..rows * N)
            .map(|i| ((i * 5 + i / 3) % 2) as f32)
            .collect();
        let x = Tensor::<2>::from_data(TensorData::new(xv.clone(), [rows, N]), &d);
        let loss = m.log_prob(x).unwrap().mean().neg();
        let auto_loss = loss.clone().into_scalar::<f32>() as f64;
        let grads = GradientsParams::from_grads(loss.backward(), &m);
        let [w, v, b, c] = m.host_params().unwrap();
        let h = c.len();
        let g = nade_nll_grad(
            &NadeParams {
                w: &w,
                v: &v,
                b: &b,
                c: &c,
            },
            m.ordering().order(),
            &xv,
            h,
        );
        assert!(
            (g.nll / rows as f64 - auto_loss).abs() < 1e-4,
            "{} vs {auto_loss}",
            g.nll / rows as f64
        );
        let [iw, iv, ib, ic] = m.param_ids();
        let get2 = |id| {
            grads
                .get::<2>(id)
                .unwrap()
                .into_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .unwrap()
        };
        let get1 = |id| {
            grads
                .get::<1>(id)
                .unwrap()
                .into_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .unwrap()
        };
        for (name, hand, auto) in [
            ("w", &g.w, get2(iw)),
            ("v", &g.v, get2(iv)),
            ("b", &g.b, get1(ib)),
            ("c", &g.c, get1(ic)),
        ] {
            assert!(
                hand.iter().any(|v| *v != 0.0),
                "{name}: gradient is all zero"
            );
            for (a, b) in hand.iter().zip(&auto) {
                let a = a / rows as f32;
                assert!(
                    (a - b).abs() < 1e-5,
                    "{order:?} ∂{name}: hand {a} vs autodiff {b}"
                );
            }
        }
    }
}

/// Each model learns a distribution with long-range dependencies to its known entropy:
/// x₀ ~ Bernoulli(½) and every later bit copies x₀ with probability 0.9, so the optimal NLL is
/// ln 2 + (n−1)·H(0.1) with H(p) = −p ln p − (1−p) ln(1−p). Each trained model's
/// probabilities over all 2^n vectors must still sum to 1.
#[test]
fn models_learn_a_long_range_copy_to_its_entropy() {
    use genzoo_models::{Batch, Family, Optimizers, StepCx};
    use genzoo_nn::{Adam, AdamConfig};
    let n = 6;
    let flip = 0.1f64;
    let h = -(flip * flip.ln() + (1.0 - flip) * (1.0 - flip).ln());
    let optimum = 2f64.ln() + (n - 1) as f64 * h;
    let mut rng = rng_for(1, 1, 0);
    let rows = 2000;
    let data: Vec<f32> = (0..rows)
        .flat_map(|_| {
            let x0 = rng.random::<bool>();
            let tail: Vec<bool> = (1..n)
                .map(|_| if rng.random::<f64>() < flip { !x0 } else { x0 })
                .collect();
            std::iter::once(x0)
                .chain(tail)
                .map(|b| b as u8 as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let d = Device::flex().autodiff();
    fn fit<M: Family + ExactLikelihood>(
        mut m: M,
        data: &[f32],
        rows: usize,
        n: usize,
        d: &Device,
    ) -> f64 {
        let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 3e-2);
        let x = Tensor::<2>::from_data(TensorData::new(data.to_vec(), [rows, n]), d);
        for step in 0..400 {
            let mut r = rng_for(0, 0, step);
            let mut cx = StepCx { rng: &mut r, step };
            m = m
                .train_step(&Batch::unlabelled(x.clone()), &mut optim, &mut cx)
                .unwrap()
                .0;
        }
        // Trained, not only random, models must stay normalised.
        assert_normalised_on(&m, n, "trained on the copy data", d);
        m.log_prob(x).unwrap().mean().neg().into_scalar::<f32>() as f64
    }
    // Two bounds from the sample itself. No model can score below the entropy of the sample's
    // empirical distribution over the 2^n vectors (that distribution maximises the training
    // likelihood), and every model here can represent the maximum-likelihood fit of the true
    // structure (x₀'s frequency, each later bit's agreement rate given x₀), so a trained model
    // must come close to that fit's NLL.
    let mut counts = vec![0usize; 1 << n];
    let mut ones = 0usize;
    let mut agree = vec![[0usize; 2]; n];
    let mut by_x0 = [0usize; 2];
    for row in data.chunks(n) {
        let bits: Vec<usize> = row.iter().map(|v| *v as usize).collect();
        counts[bits.iter().fold(0, |acc, b| acc * 2 + b)] += 1;
        ones += bits[0];
        by_x0[bits[0]] += 1;
        for i in 1..n {
            agree[i][bits[0]] += usize::from(bits[i] == bits[0]);
        }
    }
    let total = rows as f64;
    let xlogx = |c: usize, t: f64| {
        if c == 0 {
            0.0
        } else {
            c as f64 * (c as f64 / t).ln()
        }
    };
    let empirical_entropy = -counts.iter().map(|c| xlogx(*c, total)).sum::<f64>() / total;
    let structured_fit = -(xlogx(ones, total)
        + xlogx(rows - ones, total)
        + (1..n)
            .flat_map(|i| (0..2).map(move |x0| (i, x0)))
            .map(|(i, x0)| {
                let t = by_x0[x0] as f64;
                xlogx(agree[i][x0], t) + xlogx(by_x0[x0] - agree[i][x0], t)
            })
            .sum::<f64>())
        / total;
    assert!(empirical_entropy <= structured_fit + 1e-12);
    // The sample's fit lies near the population optimum (noise ~0.03 nats at 2,000 rows).
    assert!(
        (structured_fit - optimum).abs() < 0.1,
        "{structured_fit} vs {optimum}"
    );
    let s = spec(n);
    let f = fit(
        deterministic_init(
            FvsbnConfig {
                order: OrderKind::Natural,
                order_seed: 0,
            }
            .init(&s, &d)
            .unwrap(),
            1,
        )
        .unwrap(),
        &data,
        rows,
        n,
        &d,
    );
    let a = fit(
        deterministic_init(
            NadeConfig {
                hidden: 16,
                order: OrderKind::Natural,
                order_seed: 0,
            }
            .init(&s, &d)
            .unwrap(),
            2,
        )
        .unwrap(),
        &data,
        rows,
        n,
        &d,
    );
    let m = fit(
        deterministic_init(
            MadeConfig {
                hidden: vec![32],
                ..MadeConfig::mnist()
            }
            .init(&s, &d)
            .unwrap(),
            3,
        )
        .unwrap(),
        &data,
        rows,
        n,
        &d,
    );
    for (name, nll) in [("FVSBN", f), ("NADE", a), ("MADE", m)] {
        eprintln!(
            "{name}: {nll:.4} (sample entropy {empirical_entropy:.4}, structured fit {structured_fit:.4}, optimum {optimum:.4})"
        );
        assert!(
            nll >= empirical_entropy - 1e-3,
            "{name}: NLL {nll} below the sample's entropy {empirical_entropy}: not normalised"
        );
        assert!(
            nll <= structured_fit + 0.02,
            "{name}: NLL {nll} vs the structured fit {structured_fit} (optimum {optimum})"
        );
    }
}

/// At MNIST size (n = 784) the backend takes other matmul paths than at n = 8: the
/// autoregressive property must hold there too.
#[test]
fn autoregressive_property_holds_at_mnist_size() {
    let d = Device::flex().autodiff();
    let n = 784;
    let s = spec(n);
    let f = randomize(
        FvsbnConfig {
            order: OrderKind::Natural,
            order_seed: 0,
        }
        .init(&s, &d)
        .unwrap(),
        3,
        0.1,
    );
    let m = randomize(
        MadeConfig {
            hidden: vec![64],
            ..MadeConfig::mnist()
        }
        .init(&s, &d)
        .unwrap(),
        4,
        0.1,
    );
    let masks = m.masks(0);
    let xv: Vec<f32> = (0..2 * n).map(|i| ((i * 31) % 7) as f32 / 7.0).collect();
    for out in [1usize, 100, 500, 783] {
        for (name, logits) in [
            (
                "FVSBN",
                Box::new(|x: Tensor<2>| f.logits(x)) as Box<dyn Fn(Tensor<2>) -> Tensor<2>>,
            ),
            ("MADE", Box::new(|x: Tensor<2>| m.logits_with(x, &masks))),
        ] {
            let x = Tensor::<2>::from_data(TensorData::new(xv.clone(), [2, n]), &d).require_grad();
            let grads = logits(x.clone()).narrow(1, out, 1).sum().backward();
            let g = x
                .grad(&grads)
                .unwrap()
                .into_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .unwrap();
            let later: f32 = (out..n).map(|j| g[j].abs() + g[n + j].abs()).sum();
            let earlier = (0..out).filter(|&j| g[j] != 0.0).count();
            assert_eq!(later, 0.0, "{name}: output {out} depends on later inputs");
            assert!(
                name == "MADE" || earlier == out,
                "{name}: output {out} sees {earlier} of {out} earlier inputs"
            );
        }
    }
}
