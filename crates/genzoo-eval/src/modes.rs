//! Mode coverage: how many of a distribution's known modes a generator reaches, and how evenly
//! (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018, Tables 1 and 2).
//!
//! On a mixture of isotropic Gaussians with means μ_k and standard deviation σ, a sample x is
//! *high-quality* when its nearest mean is within `t·σ` (t = 3), and then counts for that mode:
//! ```text
//! n_k      = #{x : argmin_j ‖x − μ_j‖ = k  and  ‖x − μ_k‖ < t·σ}
//! covered  = #{k : n_k > 0}
//! quality  = Σ_k n_k / N
//! KL(q ‖ u) = Σ_k q_k log(K·q_k),  q_k = n_k / Σ_j n_j        (0 log 0 = 0)
//! ```
//! the last being the reverse KL between the generator's mode histogram and the uniform one
//! (0 when every mode is hit equally often, `log K` when one mode takes everything). This is
//! PacGAN's `MetricLogger` (`synthetic_data_experiments/PacGAN/pacgan/extensions.py`: distance in
//! σ, threshold 3). On Stacked MNIST every sample has a mode (its three classified digits), so
//! the histogram counts all of them ([`ModeReport::from_labels`]).

use crate::EvalError;

/// Samples per mode, and what follows from them.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeReport {
    /// High-quality samples assigned to each mode.
    pub counts: Vec<u64>,
    /// All samples scored, high-quality or not.
    pub samples: u64,
}

impl ModeReport {
    /// Assign each 2D sample to its nearest mean when it lies within `threshold` standard
    /// deviations of it (module docs).
    pub fn from_mixture(
        samples: &[[f64; 2]],
        means: &[[f64; 2]],
        std: f64,
        threshold: f64,
    ) -> Result<Self, EvalError> {
        if means.is_empty() || std.is_nan() || std <= 0.0 || threshold.is_nan() || threshold <= 0.0
        {
            return Err(EvalError::InvalidOption(format!(
                "mode coverage needs at least one mode, σ > 0 and a threshold > 0 \
                 (got {} modes, σ = {std}, threshold = {threshold})",
                means.len()
            )));
        }
        let mut counts = vec![0u64; means.len()];
        let limit = (threshold * std).powi(2);
        for (i, &[x, y]) in samples.iter().enumerate() {
            if !(x.is_finite() && y.is_finite()) {
                return Err(EvalError::NotFinite(i));
            }
            let (k, d2) = means
                .iter()
                .map(|&[mx, my]| (x - mx).powi(2) + (y - my).powi(2))
                .enumerate()
                .fold(
                    (0, f64::INFINITY),
                    |best, (k, d2)| {
                        if d2 < best.1 { (k, d2) } else { best }
                    },
                );
            if d2 < limit {
                counts[k] += 1;
            }
        }
        Ok(ModeReport {
            counts,
            samples: samples.len() as u64,
        })
    }

    /// A histogram of `modes` modes in which every sample has one: `labels[i] < modes`.
    pub fn from_labels(labels: &[usize], modes: usize) -> Result<Self, EvalError> {
        let mut counts = vec![0u64; modes];
        for &l in labels {
            let slot = counts.get_mut(l).ok_or_else(|| {
                EvalError::InvalidOption(format!("mode label {l} is not below {modes}"))
            })?;
            *slot += 1;
        }
        Ok(ModeReport {
            counts,
            samples: labels.len() as u64,
        })
    }

    /// Modes with at least one sample.
    pub fn covered(&self) -> usize {
        self.counts.iter().filter(|&&n| n > 0).count()
    }

    /// The fraction of samples that are high-quality (assigned to a mode).
    pub fn high_quality(&self) -> f64 {
        let hit: u64 = self.counts.iter().sum();
        if self.samples == 0 {
            0.0
        } else {
            hit as f64 / self.samples as f64
        }
    }

    /// `KL(q ‖ uniform)` of the mode histogram in nats; `None` when no sample has a mode.
    pub fn reverse_kl(&self) -> Option<f64> {
        let hit: u64 = self.counts.iter().sum();
        if hit == 0 {
            return None;
        }
        let k = self.counts.len() as f64;
        Some(
            self.counts
                .iter()
                .filter(|&&n| n > 0)
                .map(|&n| {
                    let q = n as f64 / hit as f64;
                    q * (k * q).ln()
                })
                .sum(),
        )
    }
}
