//! Log-densities against hand computations in f64.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_models::likelihood::{
    LN_2PI, bernoulli_log_prob, gaussian_log_prob, kl_to_standard_normal, softplus,
    standard_normal_log_prob,
};

fn t2(v: &[f32], rows: usize) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(v.to_vec(), [rows, v.len() / rows]),
        &Device::flex(),
    )
}

fn vec1(t: Tensor<1>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

#[test]
fn bernoulli_matches_direct_formula_and_is_stable() {
    let x = [1.0, 0.0, 1.0, 0.0];
    let logits = [2.0f32, -1.5, -30.0, 60.0];
    let got = vec1(bernoulli_log_prob(t2(&x, 1), t2(&logits, 1)))[0] as f64;
    let sigmoid = |l: f64| 1.0 / (1.0 + (-l).exp());
    let direct: f64 = x
        .iter()
        .zip(logits)
        .map(|(&x, l)| {
            let p = sigmoid(l as f64);
            // log(1 - p) for p ~ 1 computed as -l - log1p(e^-l) to stay finite.
            if x == 1.0 {
                p.ln()
            } else {
                -(l as f64) - (-(l as f64)).exp().ln_1p()
            }
        })
        .sum();
    assert!((got - direct).abs() < 1e-4, "{got} vs {direct}");
    let sp = vec1(softplus(Tensor::<1>::from_data(
        TensorData::new(vec![-100.0f32, 0.0, 100.0], [3]),
        &Device::flex(),
    )));
    assert!(sp[0] >= 0.0 && sp[0] < 1e-30 + 1e-38);
    assert!((sp[1] - 2f32.ln()).abs() < 1e-6);
    assert!((sp[2] - 100.0).abs() < 1e-4);
}

#[test]
fn gaussian_matches_hand_computation() {
    let (x, mu, logvar) = ([0.5f32, -1.0], [0.0f32, 1.0], [0.0f32, 2f32.ln()]);
    let got = vec1(gaussian_log_prob(t2(&x, 1), t2(&mu, 1), t2(&logvar, 1)))[0] as f64;
    // N(0.5; 0, 1) and N(-1; 1, 2).
    let expect = -0.5 * (LN_2PI + 0.25) - 0.5 * (LN_2PI + 2f64.ln() + 4.0 / 2.0);
    assert!((got - expect).abs() < 1e-5, "{got} vs {expect}");
    let std = vec1(standard_normal_log_prob(t2(&[0.5, 0.0], 1)))[0] as f64;
    assert!((std - (-LN_2PI - 0.125)).abs() < 1e-5);
}

#[test]
fn kl_matches_closed_form_and_is_zero_at_the_prior() {
    // KL(N(1, 4) || N(0, 1)) = ½(1 + 4 − 1 − ln 4).
    let got = vec1(kl_to_standard_normal(
        t2(&[1.0, 0.0], 1),
        t2(&[4f32.ln(), 0.0], 1),
    ))[0] as f64;
    let expect = 0.5 * (1.0 + 4.0 - 1.0 - 4f64.ln());
    assert!((got - expect).abs() < 1e-5);
}

/// Regression: the gradient of log p(x) with respect to a logit is x − σ(ℓ), also at ℓ = 0
/// exactly (a kinked softplus gave 0 there and froze zero-initialised FVSBN pixels).
#[test]
fn bernoulli_gradient_is_exact_at_zero_logits() {
    let d = Device::flex().autodiff();
    let logits = Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 0.0, 2.0, -3.0], [1, 4]), &d)
        .require_grad();
    let x = Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 1.0, 0.0, 1.0], [1, 4]), &d);
    let grads = bernoulli_log_prob(x, logits.clone()).sum().backward();
    let g = logits
        .grad(&grads)
        .unwrap()
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    let sig = |l: f32| 1.0 / (1.0 + (-l).exp());
    let expect = [
        0.0 - sig(0.0),
        1.0 - sig(0.0),
        0.0 - sig(2.0),
        1.0 - sig(-3.0),
    ];
    for (a, b) in g.iter().zip(expect) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}
