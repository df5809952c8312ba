//! Training losses of a classifier, selected by `loss` in the config:
//! ```text
//! ce             −(1/B) Σ_b log softmax(z_b)_{y_b}
//! soft_accuracy  1 − soft accuracy(z/τ)
//! soft_f1        1 − soft F1(z/τ)            (positive class if binary, macro otherwise)
//! ce_soft_f1     ce + (1 − soft F1(z/τ))
//! ```
//! The temperature τ applies to the soft surrogates only; cross-entropy is always at τ = 1
//! (scaling logits there only rescales the learning problem).
//!
//! # Shapes
//! logits `[B, C]`, labels `[B]` → `[1]`.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use serde::{Deserialize, Serialize};

use super::soft_metrics::{F1Average, one_hot, soft_accuracy, soft_f1};

/// Which loss a classifier minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Cross-entropy.
    #[default]
    Ce,
    /// One minus soft accuracy.
    SoftAccuracy,
    /// One minus soft F1.
    SoftF1,
    /// Cross-entropy plus one minus soft F1.
    CeSoftF1,
}

/// Mean cross-entropy in nats.
pub fn cross_entropy(logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    let [_, c] = logits.dims();
    (log_softmax(logits, 1) * one_hot(labels, c))
        .sum_dim(1)
        .mean()
        .neg()
}

impl LossKind {
    /// The loss of `logits` against `labels`.
    pub fn compute(
        self,
        logits: Tensor<2>,
        labels: Tensor<1, Int>,
        temperature: f64,
        average: F1Average,
    ) -> Tensor<1> {
        let one_minus = |t: Tensor<1>| t.neg().add_scalar(1.0);
        match self {
            LossKind::Ce => cross_entropy(logits, labels),
            LossKind::SoftAccuracy => one_minus(soft_accuracy(logits, labels, temperature)),
            LossKind::SoftF1 => one_minus(soft_f1(logits, labels, temperature, average)),
            LossKind::CeSoftF1 => {
                cross_entropy(logits.clone(), labels.clone())
                    + one_minus(soft_f1(logits, labels, temperature, average))
            }
        }
    }
}
