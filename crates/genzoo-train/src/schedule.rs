//! Learning-rate schedule as a pure function of the step (nanoGPT's `get_lr`).
//!
//! ```text
//! lr(t) = lr_max · (t+1)/W                                   for t < W (linear warm-up)
//! lr(t) = lr_min + ½(lr_max − lr_min)(1 + cos(π·p)),  p = (t−W)/(T−W)   (cosine decay)
//! lr(t) = lr_max                                             (constant, after warm-up)
//! ```

use serde::{Deserialize, Serialize};

/// Shape of the schedule after warm-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decay {
    /// Hold the peak rate.
    Constant,
    /// Cosine decay to `min_lr` at the last step (Loshchilov & Hutter 2017, without restarts).
    #[default]
    Cosine,
}

/// The learning rate at `step` (0-based) of `total` steps.
pub fn learning_rate(step: u64, total: u64, peak: f64, min: f64, warmup: u64, decay: Decay) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    match decay {
        Decay::Constant => peak,
        Decay::Cosine => {
            let span = total.saturating_sub(warmup).max(1) as f64;
            let progress = ((step - warmup) as f64 / span).min(1.0);
            min + 0.5 * (peak - min) * (1.0 + (std::f64::consts::PI * progress).cos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_is_linear_then_cosine_reaches_min() {
        let lr = |s| learning_rate(s, 110, 1.0, 0.1, 10, Decay::Cosine);
        assert!((lr(0) - 0.1).abs() < 1e-12);
        assert!((lr(9) - 1.0).abs() < 1e-12);
        assert!((lr(10) - 1.0).abs() < 1e-12);
        // Halfway through the decay the cosine term is 0: (peak + min) / 2.
        assert!((lr(60) - 0.55).abs() < 1e-12);
        assert!((lr(110) - 0.1).abs() < 1e-12);
        for s in 10..110 {
            assert!(lr(s + 1) <= lr(s));
        }
    }

    #[test]
    fn constant_holds_the_peak() {
        assert_eq!(
            learning_rate(500, 1000, 3e-4, 0.0, 0, Decay::Constant),
            3e-4
        );
    }
}
