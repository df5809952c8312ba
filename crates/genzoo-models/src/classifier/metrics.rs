//! Hard classification metrics: accuracy, and precision/recall/F1 of the positive class of a
//! binary task, from the confusion counts
//! ```text
//! tp = #{ŷ = 1, y = 1},  fp = #{ŷ = 1, y = 0},  fn = #{ŷ = 0, y = 1}
//! F1 = 2 tp / (2 tp + fp + fn)   (the harmonic mean of precision tp/(tp+fp) and recall tp/(tp+fn))
//! ```
//! Evaluation reports tp, fp, fn as fractions of the examples: averaged over batches weighted
//! by batch size they are the pooled fractions, and F1 of the pooled counts is
//! [`f1_from_rates`] of them (F1 itself does not average over batches).

use burn::prelude::*;

use crate::Metrics;

/// Predicted classes: argmax of the logits.
///
/// # Shapes
/// `[B, C]` → `[B]`.
pub fn predictions(logits: Tensor<2>) -> Tensor<1, Int> {
    logits.argmax(1).flatten::<1>(0, 1)
}

/// F1 from confusion counts or fractions (0 when there is no positive at all).
pub fn f1_from_rates(tp: f64, fp: f64, fn_: f64) -> f64 {
    let denom = 2.0 * tp + fp + fn_;
    if denom > 0.0 { 2.0 * tp / denom } else { 0.0 }
}

/// Confusion counts of a binary task on the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCounts {
    /// Predicted 1, label 1.
    pub tp: usize,
    /// Predicted 1, label 0.
    pub fp: usize,
    /// Predicted 0, label 1.
    pub fn_: usize,
    /// Predicted 0, label 0.
    pub tn: usize,
}

impl BinaryCounts {
    /// Count predictions against labels (1 is positive, anything else negative).
    pub fn new(predicted: &[i64], labels: &[i64]) -> Self {
        let mut c = Self::default();
        for (&p, &y) in predicted.iter().zip(labels) {
            match (p == 1, y == 1) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, true) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        c
    }
    /// F1 of the positive class.
    pub fn f1(&self) -> f64 {
        f1_from_rates(self.tp as f64, self.fp as f64, self.fn_ as f64)
    }
    /// Fraction correct.
    pub fn accuracy(&self) -> f64 {
        let n = self.tp + self.fp + self.fn_ + self.tn;
        (self.tp + self.tn) as f64 / n.max(1) as f64
    }
}

/// The headline numbers of a classifier, read from its pooled evaluation metrics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassifierScores {
    /// Fraction correct.
    pub accuracy: f64,
    /// Mean cross-entropy in nats.
    pub cross_entropy: f64,
    /// F1 of the positive class, for binary tasks.
    pub f1: Option<f64>,
}

impl ClassifierScores {
    /// Read the metrics of `Classifier::eval_step` averaged over a split (batch-size
    /// weighted); `None` when they are not a classifier's.
    pub fn from_metrics(m: &Metrics) -> Option<Self> {
        let get = |name: &str| m.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let f1 = match (get("tp"), get("fp"), get("fn")) {
            (Some(tp), Some(fp), Some(fn_)) => Some(f1_from_rates(tp, fp, fn_)),
            _ => None,
        };
        Some(Self {
            accuracy: get("accuracy")?,
            cross_entropy: get("ce")?,
            f1,
        })
    }
}
