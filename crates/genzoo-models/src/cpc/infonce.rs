//! InfoNCE (van den Oord et al. 2018, eq. 4): for each prediction, a row of N scores
//! `f(x_j, c)` over the candidates, the true one first,
//! `L_N = −E log( exp f(x_pos, c) / Σ_j exp f(x_j, c) )`,
//! the cross-entropy of picking the positive among N. With a constant scorer L = log N; a
//! scorer that rates the positive infinitely higher gives 0; `log N − L` is the mutual-information
//! lower bound, never above log N.
//!
//! # Shapes
//! `scores: [M, N]`, column 0 the positive.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Mean InfoNCE over the rows of `scores` (positive in column 0).
pub fn info_nce(scores: Tensor<2>) -> Tensor<1> {
    let [m, _] = scores.dims();
    let log_p = log_softmax(scores, 1).narrow(1, 0, 1); // [M, 1]
    log_p.reshape([m]).mean().neg()
}

/// Fraction of rows whose highest score is the positive's (column 0; ties count as misses
/// unless the positive comes first, as argmax takes the first maximum).
pub fn top1_accuracy(scores: Tensor<2>) -> f64 {
    let [m, _] = scores.dims();
    let hits = scores
        .argmax(1)
        .equal_elem(0)
        .int()
        .sum()
        .into_scalar::<i64>();
    hits as f64 / m.max(1) as f64
}
