//! The branch-free `exp`/`sigmoid`/`dot` against f64 references.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use genzoo_kernels::fastmath::{EXP_CLAMP, dot, exp, sigmoid, sigmoid_into};

/// Every 1/64 step over the range where e^x is a normal f32, plus points near the edges.
fn grid() -> Vec<f32> {
    let mut xs: Vec<f32> = (-87 * 64..=87 * 64).map(|k| k as f32 / 64.0).collect();
    xs.extend([-EXP_CLAMP, EXP_CLAMP, -1e-8, 1e-8, 0.0, 0.3466, -0.3466]);
    xs
}

#[test]
fn exp_is_within_3e7_relative_of_f64() {
    let worst = grid()
        .into_iter()
        .map(|x| {
            let want = f64::from(x).exp();
            ((f64::from(exp(x)) - want) / want).abs()
        })
        .fold(0.0f64, f64::max);
    assert!(worst < 3e-7, "worst relative error {worst:e}");
}

#[test]
fn exp_saturates_instead_of_overflowing() {
    let big = exp(1000.0);
    assert!(big.is_finite() && big > 1e37, "exp(1000) = {big}");
    let small = exp(-1000.0);
    assert!(small > 0.0 && small < 1e-37, "exp(-1000) = {small}");
    assert_eq!(sigmoid(1000.0), 1.0);
    assert!(sigmoid(-1000.0) < 1e-37);
}

#[test]
fn sigmoid_is_within_5e7_relative_of_f64() {
    let xs = grid();
    let mut out = vec![0.0f32; xs.len()];
    sigmoid_into(&xs, &mut out);
    for (&x, &s) in xs.iter().zip(&out) {
        let want = 1.0 / (1.0 + (-f64::from(x)).exp());
        // exp's relative error passes through 1/(1 + e⁻ˣ) scaled by (1 − σ) ≤ 1, plus roundings.
        let rel = ((f64::from(s) - want) / want).abs();
        assert!(
            rel < 5e-7,
            "sigmoid({x}) = {s}, want {want} (relative {rel:e})"
        );
        assert_eq!(s, sigmoid(x), "slice and scalar paths differ at {x}");
    }
}

#[test]
fn dot_equals_the_f64_sum_for_every_tail_length() {
    for len in 0..40 {
        let a: Vec<f32> = (0..len).map(|k| (k as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..len).map(|k| (k as f32 * 0.11).cos() - 0.2).collect();
        let want: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        let got = f64::from(dot(&a, &b));
        assert!((got - want).abs() < 1e-5, "len {len}: {got} vs {want}");
    }
    // Unequal lengths: the shorter bounds the sum.
    assert_eq!(dot(&[1.0, 2.0, 3.0], &[1.0, 1.0]), 3.0);
}
