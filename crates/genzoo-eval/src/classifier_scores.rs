//! What a trained classifier says about a set of images: confidence, label entropy, the class
//! histogram and how many classes (modes) it covers, and the Inception-score-like
//! `exp E KL(p(y|x) ‖ p(y))` (Salimans et al. 2016, "Improved techniques for training GANs").
//!
//! From class probabilities `p(y|xᵢ)`, `[N, C]` (softmax of the logits, in `f64`):
//! ```text
//! confidence       = (1/N) Σᵢ maxᵧ p(y|xᵢ)
//! label entropy    = (1/N) Σᵢ H(p(·|xᵢ)),              H(q) = −Σᵧ q_y ln q_y  (nats; 0 ln 0 = 0)
//! histogram        h_c = |{i : argmaxᵧ p(y|xᵢ) = c}|
//! histogram entropy = H(h / N)                          (ln C when classes are balanced)
//! modes covered    = |{c : h_c ≥ max(1, f · N / C)}|    (f = mode_fraction of the uniform share)
//! inception score  = exp((1/N) Σᵢ KL(p(·|xᵢ) ‖ p̄)),    p̄ = (1/N) Σᵢ p(·|xᵢ)
//!                  = exp(H(p̄) − label entropy)          ∈ [1, C]
//! ```
//! Good samples are confidently classified (high confidence, low label entropy) and spread over
//! all classes (histogram entropy near ln C, every mode covered, score near C). A class counts
//! as covered when it holds at least [`DEFAULT_MODE_FRACTION`] = 10% of its uniform share: a
//! collapsed generator that emits a digit once in ten thousand samples does not cover it, and
//! sampling noise on a balanced set of 1000 (±3σ of 100 per class is ±30) never uncovers one.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::EvalError;

/// A class is covered when it holds at least this fraction of its uniform share `N / C`.
pub const DEFAULT_MODE_FRACTION: f64 = 0.1;
/// How far a row of probabilities may sum from 1 (a softmax in `f64` is within 1e-15).
const PROBABILITY_SUM_TOLERANCE: f64 = 1e-6;

/// The classifier's view of a set of images.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassifierScores {
    /// Mean of the largest class probability.
    pub mean_confidence: f64,
    /// Mean entropy of `p(y|x)`, nats.
    pub mean_label_entropy: f64,
    /// Examples per predicted (argmax) class.
    pub histogram: Vec<usize>,
    /// Entropy of the normalised histogram, nats (`ln C` at best).
    pub histogram_entropy: f64,
    /// Classes holding at least `max(1, mode_fraction · N / C)` examples.
    pub modes_covered: usize,
    /// The fraction of the uniform share that covers a class.
    pub mode_fraction: f64,
    /// `exp E KL(p(y|x) ‖ p(y))`.
    pub inception_score: f64,
}

/// Row-wise softmax of logits `[N, C]`, stable (the row maximum is subtracted first).
pub fn softmax_rows(logits: &DMatrix<f64>) -> DMatrix<f64> {
    let mut p = logits.clone();
    for mut row in p.row_iter_mut() {
        let max = row.max();
        row.apply(|v| *v = (*v - max).exp());
        let total = row.sum();
        row /= total;
    }
    p
}

/// `−Σ q ln q`, with `0 ln 0 = 0`.
fn entropy<'a>(q: impl Iterator<Item = &'a f64>) -> f64 {
    -q.filter(|&&v| v > 0.0).map(|&v| v * v.ln()).sum::<f64>()
}

/// Scores of class probabilities `[N, C]` (rows summing to 1).
pub fn classifier_scores(
    probs: &DMatrix<f64>,
    mode_fraction: f64,
) -> Result<ClassifierScores, EvalError> {
    let (n, c) = probs.shape();
    if n == 0 || c == 0 {
        return Err(EvalError::TooFew {
            what: "classifier scores",
            need: 1,
            got: n.min(c),
        });
    }
    if !(0.0..=1.0).contains(&mode_fraction) {
        return Err(EvalError::InvalidOption(format!(
            "the mode fraction must lie in [0, 1], got {mode_fraction}"
        )));
    }
    for (i, row) in probs.row_iter().enumerate() {
        let valid = row.iter().all(|v| v.is_finite() && *v >= 0.0)
            && (row.sum() - 1.0).abs() <= PROBABILITY_SUM_TOLERANCE;
        if !valid {
            return Err(EvalError::NonFiniteInput {
                set: "class probabilities (each row must be a distribution)".into(),
                example: i,
            });
        }
    }
    let mut histogram = vec![0usize; c];
    let (mut confidence, mut label_entropy) = (0.0, 0.0);
    for row in probs.row_iter() {
        // The first maximum, as numpy's argmax picks it.
        let (arg, max) = row
            .iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |(a, m), (i, &v)| if v > m { (i, v) } else { (a, m) },
            );
        histogram[arg] += 1;
        confidence += max;
        label_entropy += entropy(row.iter());
    }
    let nf = n as f64;
    let (confidence, label_entropy) = (confidence / nf, label_entropy / nf);
    let shares: Vec<f64> = histogram.iter().map(|&h| h as f64 / nf).collect();
    let threshold = (mode_fraction * nf / c as f64).max(1.0);
    let marginal = probs.row_mean(); // p̄, [1, C]
    // E KL(p ‖ p̄) = H(p̄) − E H(p): p̄ is the mean of the rows.
    let mean_kl = (entropy(marginal.iter()) - label_entropy).max(0.0);
    Ok(ClassifierScores {
        mean_confidence: confidence,
        mean_label_entropy: label_entropy,
        histogram_entropy: entropy(shares.iter()),
        modes_covered: histogram.iter().filter(|&&h| h as f64 >= threshold).count(),
        histogram,
        mode_fraction,
        inception_score: mean_kl.exp(),
    })
}
