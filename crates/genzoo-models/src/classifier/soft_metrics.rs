//! Smooth surrogates of accuracy and F1, usable as training losses.
//!
//! With class probabilities at temperature τ, `p = softmax(z/τ)` (`z`: logits `[B, C]`) and
//! one-hot targets `y`:
//! ```text
//! soft accuracy  = (1/B) Σ_b p_{b, y_b}          expected accuracy when predicting by sampling p
//! tp_c = Σ_b p_bc y_bc,  fp_c = Σ_b p_bc (1 − y_bc),  fn_c = Σ_b (1 − p_bc) y_bc
//! soft F1_c      = 2 tp_c / (2 tp_c + fp_c + fn_c)
//! ```
//! Soft F1 is the positive class's (class 1) for a binary task, the mean over classes (macro
//! F1) otherwise. As τ → 0, p tends to the one-hot of argmax z and both become the hard
//! metrics; at τ = 1 they are the usual probabilities. The losses are `1 − soft metric`.
//! Everything is a tensor expression, so gradients flow to the logits.
//!
//! # Shapes
//! logits `[B, C]`, labels `[B]` (class indices) → a one-element tensor `[1]`.

use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Keeps soft F1 defined (0/0) when a batch holds no positive example and predicts none.
pub const SOFT_F1_EPSILON: f64 = 1e-7;

/// Which F1 a soft-F1 loss optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum F1Average {
    /// F1 of class 1 (binary tasks: "one digit vs the rest").
    Positive,
    /// Mean of the per-class F1 scores.
    Macro,
}

impl F1Average {
    /// The usual choice for `classes` classes: the positive class when there are two.
    pub fn for_classes(classes: usize) -> Self {
        if classes == 2 {
            F1Average::Positive
        } else {
            F1Average::Macro
        }
    }
}

/// `softmax(z/τ)` over classes.
///
/// # Shapes
/// `[B, C]` → `[B, C]`.
pub fn probabilities(logits: Tensor<2>, temperature: f64) -> Tensor<2> {
    softmax(logits.div_scalar(temperature), 1)
}

/// One-hot targets as floats.
///
/// # Shapes
/// `[B]` → `[B, C]`.
pub fn one_hot(labels: Tensor<1, Int>, classes: usize) -> Tensor<2> {
    labels.one_hot::<2>(classes).float()
}

/// Mean probability of the true class.
pub fn soft_accuracy(logits: Tensor<2>, labels: Tensor<1, Int>, temperature: f64) -> Tensor<1> {
    let [_, c] = logits.dims();
    let p = probabilities(logits, temperature); // [B, C]
    (p * one_hot(labels, c)).sum_dim(1).mean() // [1]
}

/// Soft F1 (see the module doc).
pub fn soft_f1(
    logits: Tensor<2>,
    labels: Tensor<1, Int>,
    temperature: f64,
    average: F1Average,
) -> Tensor<1> {
    let [_, c] = logits.dims();
    let p = probabilities(logits, temperature); // [B, C]
    let y = one_hot(labels, c); // [B, C]
    let tp = (p.clone() * y.clone()).sum_dim(0); // [1, C]
    let fp = (p.clone() * (y.clone().neg().add_scalar(1.0))).sum_dim(0); // [1, C]
    let fn_ = (p.neg().add_scalar(1.0) * y).sum_dim(0); // [1, C]
    let f1 =
        tp.clone().mul_scalar(2.0) / (tp.mul_scalar(2.0) + fp + fn_).add_scalar(SOFT_F1_EPSILON); // [1, C]
    match average {
        F1Average::Positive => f1.narrow(1, 1, 1).reshape([1]),
        F1Average::Macro => f1.mean(),
    }
}
