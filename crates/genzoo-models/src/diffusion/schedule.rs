//! Noise schedules β_t of the forward process, computed in f64.
//!
//! The forward process `q(x_t | x_{t−1}) = N(√(1−β_t) x_{t−1}, β_t I)` has the marginal
//! `q(x_t | x_0) = N(√ᾱ_t x_0, (1−ᾱ_t) I)` with `ᾱ_t = Π_{s≤t} (1 − β_s)`, and the posterior
//! `q(x_{t−1} | x_t, x_0)` has variance `β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t` (Ho et al. 2020, eq. 7).
//!
//! Steps are indexed `t = 0..T−1` as in ermongroup/ddim (the paper's t = 1..T), and `ᾱ_{−1} = 1`
//! (the clean data), so `β̃_0 = 0`.
//!
//! - linear: β from 1e-4 to 0.02 over T = 1000 steps (Ho et al. 2020, §4);
//! - cosine: `ᾱ(t) = f(t)/f(0)`, `f(t) = cos²((t/T + s)/(1 + s) · π/2)`, s = 0.008, and
//!   `β_t = min(1 − ᾱ(t+1)/ᾱ(t), 0.999)` (Nichol & Dhariwal 2021, eq. 17; their code's
//!   `betas_for_alpha_bar`). Computed in floating point: candle's version divides integers and
//!   makes every β but the last 0 (a test pins that none is).

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Ho et al.'s linear schedule: first and last β.
pub const LINEAR_BETA_START: f64 = 1e-4;
/// Last β of the linear schedule.
pub const LINEAR_BETA_END: f64 = 0.02;
/// Offset s of the cosine schedule, so that β_0 is not vanishingly small (Nichol & Dhariwal).
pub const COSINE_OFFSET: f64 = 0.008;
/// Upper clip of the cosine schedule's β, against the singularity at t = T.
pub const COSINE_MAX_BETA: f64 = 0.999;
/// T of both papers.
pub const DEFAULT_TIMESTEPS: usize = 1000;

/// Which schedule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// β linear from 1e-4 to 0.02.
    #[default]
    Linear,
    /// Nichol & Dhariwal's cosine ᾱ.
    Cosine,
}

/// β_t and the quantities derived from it, for `t = 0..T−1`.
#[derive(Clone, Debug, PartialEq)]
pub struct NoiseSchedule {
    betas: Vec<f64>,
    alpha_bars: Vec<f64>,
}

impl NoiseSchedule {
    /// The schedule `kind` over `steps` steps.
    pub fn new(kind: ScheduleKind, steps: usize) -> Result<Self, ModelError> {
        match kind {
            ScheduleKind::Linear => Self::linear(steps, LINEAR_BETA_START, LINEAR_BETA_END),
            ScheduleKind::Cosine => Self::cosine(steps, COSINE_OFFSET),
        }
    }

    /// β_t evenly spaced from `start` to `end` (numpy's `linspace`, as Ho et al.'s code).
    pub fn linear(steps: usize, start: f64, end: f64) -> Result<Self, ModelError> {
        if steps < 2 {
            return Err(ModelError::InvalidConfig(format!(
                "a linear schedule needs >= 2 steps, got {steps}"
            )));
        }
        let span = (steps - 1) as f64;
        let betas = (0..steps)
            .map(|i| start + (end - start) * i as f64 / span)
            .collect();
        Self::from_betas(betas)
    }

    /// Nichol & Dhariwal's cosine schedule with offset `s`.
    pub fn cosine(steps: usize, s: f64) -> Result<Self, ModelError> {
        if steps == 0 {
            return Err(ModelError::InvalidConfig(
                "a cosine schedule needs >= 1 step".into(),
            ));
        }
        let f = |t: f64| {
            ((t + s) / (1.0 + s) * std::f64::consts::FRAC_PI_2)
                .cos()
                .powi(2)
        };
        let total = steps as f64;
        let betas = (0..steps)
            .map(|i| {
                let (t1, t2) = (i as f64 / total, (i + 1) as f64 / total);
                (1.0 - f(t2) / f(t1)).min(COSINE_MAX_BETA)
            })
            .collect();
        Self::from_betas(betas)
    }

    /// Any schedule with every β in (0, 1).
    pub fn from_betas(betas: Vec<f64>) -> Result<Self, ModelError> {
        if betas.is_empty() || betas.iter().any(|b| !(*b > 0.0 && *b < 1.0)) {
            return Err(ModelError::InvalidConfig(
                "every β of a noise schedule must lie in (0, 1)".into(),
            ));
        }
        let alpha_bars = betas
            .iter()
            .scan(1.0, |acc, b| {
                *acc *= 1.0 - b;
                Some(*acc)
            })
            .collect();
        Ok(Self { betas, alpha_bars })
    }

    /// T.
    pub fn steps(&self) -> usize {
        self.betas.len()
    }

    /// β_t.
    pub fn beta(&self, t: usize) -> f64 {
        self.betas[t]
    }

    /// ᾱ_t for `t = 0..T−1`.
    pub fn alpha_bar(&self, t: usize) -> f64 {
        self.alpha_bars[t]
    }

    /// ᾱ at a step that may be the clean data: `None` (ᾱ = 1) or `Some(t)`.
    pub fn alpha_bar_at(&self, t: Option<usize>) -> f64 {
        t.map_or(1.0, |t| self.alpha_bars[t])
    }

    /// ᾱ_{t−1}, with ᾱ_{−1} = 1.
    pub fn alpha_bar_prev(&self, t: usize) -> f64 {
        self.alpha_bar_at(t.checked_sub(1))
    }

    /// The posterior variance `β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t`.
    pub fn posterior_variance(&self, t: usize) -> f64 {
        (1.0 - self.alpha_bar_prev(t)) / (1.0 - self.alpha_bars[t]) * self.betas[t]
    }

    /// Every β.
    pub fn betas(&self) -> &[f64] {
        &self.betas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ᾱ is the running product of 1 − β, hand-computed for a three-step schedule.
    #[test]
    fn alpha_bar_is_the_running_product() -> Result<(), ModelError> {
        let s = NoiseSchedule::from_betas(vec![0.1, 0.2, 0.5])?;
        assert!((s.alpha_bar(0) - 0.9).abs() < 1e-15);
        assert!((s.alpha_bar(1) - 0.72).abs() < 1e-15);
        assert!((s.alpha_bar(2) - 0.36).abs() < 1e-15);
        // β̃_1 = (1 − 0.9)/(1 − 0.72)·0.2 = 0.0714285…; β̃_0 = 0.
        assert!((s.posterior_variance(1) - 0.1 / 0.28 * 0.2).abs() < 1e-15);
        assert_eq!(s.posterior_variance(0), 0.0);
        Ok(())
    }
}
