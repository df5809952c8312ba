//! Samplers over a denoiser `(x_t, t) ↦ prediction`: pure code, no network types.
//!
//! - **DDPM ancestral** (Ho et al. 2020, eq. 11 in its posterior-mean form, eqs. 6–7):
//!   `x_{t−1} = c₁ x̂_0 + c₂ x_t + σ_t z`, `c₁ = √ᾱ_{t−1} β_t/(1−ᾱ_t)`,
//!   `c₂ = √α_t (1−ᾱ_{t−1})/(1−ᾱ_t)`, with `σ_t² = β_t` or `β̃_t`, and no noise at t = 0.
//!   Over a subsequence τ (Song et al. 2021's σ̂ row, ermongroup/ddim `ddpm_steps`) the same
//!   step with `β = 1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}}`.
//! - **DDIM** (Song et al. 2021, eq. 12) over a subsequence τ of the T steps:
//!   `x_{τ_{i−1}} = √ᾱ_{τ_{i−1}} x̂_0 + √(1−ᾱ_{τ_{i−1}}−σ²) ε̂ + σ z`,
//!   `σ = η √((1−ᾱ_{τ_{i−1}})/(1−ᾱ_{τ_i})) √(1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}})` (eq. 16); the last step goes
//!   to ᾱ = 1, i.e. returns x̂_0. With x̂_0 clipped, ε̂ is re-derived from the clipped x̂_0
//!   (openai/guided-diffusion), see [`Chain`]'s `predict`. Timesteps are chosen as ermongroup/ddim does
//!   (`functions/denoising.py`, `runners/diffusion.py`): uniform `range(0, T, T//S)`, quadratic
//!   `int(linspace(0, √(0.8T), S)²)`.
//! - **DDIM inversion**: the η = 0 update run the other way, image → latent, so that the DDIM
//!   sampler maps the latent back to the image.
//! - **slerp** between two latents (Song et al. 2021, §5.3).
//!
//! # Shapes
//! States are flattened rows `[B, D]`; the denoiser returns `[B, D]`.

use burn::prelude::*;
use genzoo_nn::noise::standard_normal;
use rand_chacha::ChaCha8Rng;

use super::process::Prediction;
use super::schedule::NoiseSchedule;
use crate::ModelError;
// The spacing rule and the progress callback are shared by every family's samplers.
pub use crate::sampling::{OnStep, Skip};

/// The network as the samplers see it: state `x_t` and step `t` to the raw prediction.
pub type Denoiser<'a> = dyn FnMut(Tensor<2>, usize) -> Result<Tensor<2>, ModelError> + 'a;

/// Fraction of T the quadratic skip covers (ermongroup/ddim: `np.sqrt(num_timesteps * 0.8)`).
pub const QUAD_SKIP_FRACTION: f64 = 0.8;

/// DDPM's choice of reverse variance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DdpmVariance {
    /// `σ_t² = β_t` (Ho et al.'s "fixedlarge"; Song et al.'s σ̂ row).
    Beta,
    /// `σ_t² = β̃_t`, the true posterior's variance ("fixedsmall").
    BetaTilde,
}

/// DDIM's timesteps τ, ascending, exactly as ermongroup/ddim computes them. The uniform rule
/// gives `⌈T / (T//S)⌉` steps (S itself when S divides T); the quadratic rule may repeat small
/// steps when S is large, and a repeated step is the identity at η = 0.
pub fn timesteps(total: usize, steps: usize, skip: Skip) -> Result<Vec<usize>, ModelError> {
    if steps == 0 || steps > total {
        return Err(ModelError::InvalidConfig(format!(
            "sampler steps must lie in 1..={total}, got {steps}"
        )));
    }
    Ok(match skip {
        Skip::Uniform => (0..total).step_by(total / steps).collect(),
        Skip::Quad => {
            let end = (total as f64 * QUAD_SKIP_FRACTION).sqrt();
            let span = (steps.max(2) - 1) as f64;
            (0..steps)
                .map(|i| ((end * i as f64 / span).powi(2)) as usize)
                .collect()
        }
    })
}

/// DDIM's σ for the step from `t` to `prev` (`None`: the data, ᾱ = 1), eq. 16.
pub fn ddim_sigma(schedule: &NoiseSchedule, t: usize, prev: Option<usize>, eta: f64) -> f64 {
    let (a_t, a_prev) = (schedule.alpha_bar(t), schedule.alpha_bar_at(prev));
    eta * ((1.0 - a_prev) / (1.0 - a_t) * (1.0 - a_t / a_prev))
        .max(0.0)
        .sqrt()
}

/// The ancestral step from `t` to `prev` (`None`: the data, ᾱ = 1) as `(c₁, c₂, σ²)` of
/// `x_prev = c₁ x̂_0 + c₂ x_t + σ z`: the posterior q(x_prev | x_t, x_0) of the process whose
/// one step has `β = 1 − ᾱ_t/ᾱ_prev`, i.e. `c₁ = √ᾱ_prev β/(1−ᾱ_t)`,
/// `c₂ = √(1−β) (1−ᾱ_prev)/(1−ᾱ_t)`, and σ² = β or β̃ = β (1−ᾱ_prev)/(1−ᾱ_t). With
/// `prev = t − 1` these are Ho et al.'s β_t and β̃_t.
pub fn ddpm_step(
    schedule: &NoiseSchedule,
    t: usize,
    prev: Option<usize>,
    variance: DdpmVariance,
) -> (f64, f64, f64) {
    let (a_t, a_prev) = (schedule.alpha_bar(t), schedule.alpha_bar_at(prev));
    let beta = 1.0 - a_t / a_prev;
    let c1 = a_prev.sqrt() * beta / (1.0 - a_t);
    let c2 = (1.0 - beta).sqrt() * (1.0 - a_prev) / (1.0 - a_t);
    let var = match variance {
        DdpmVariance::Beta => beta,
        DdpmVariance::BetaTilde => beta * (1.0 - a_prev) / (1.0 - a_t),
    };
    (c1, c2, var)
}

/// What every sampler needs besides its own settings.
pub struct Chain<'a, 'b> {
    /// The noise schedule the network was trained with.
    pub schedule: &'a NoiseSchedule,
    /// What the denoiser outputs.
    pub prediction: Prediction,
    /// The network.
    pub denoise: &'a mut Denoiser<'b>,
    /// Clip x̂_0 to `[−r, r]` (the data range) before it is used; `None`: no clipping.
    pub clip: Option<f64>,
}

impl Chain<'_, '_> {
    /// (ε̂, x̂_0) at `x` and step `t`. With clipping, x̂_0 is clipped and ε̂ re-derived from it,
    /// `ε̂ = (x_t − √ᾱ clip(x̂_0))/√(1−ᾱ)`, so that `x_t = √ᾱ x̂_0 + √(1−ᾱ) ε̂` still holds
    /// (openai/guided-diffusion's `ddim_sample`, `_predict_eps_from_xstart`).
    ///
    /// Why: at large t, x̂_0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ magnifies the network's error by 1/√ᾱ
    /// (~150 at t = T), so clipping is active on almost every value. Pairing the clipped x̂_0
    /// with the raw ε̂ drops the part of x_t that ε̂ does not explain; an ε̂ shrunk towards
    /// zero (as a regression to the mean is) then drains the state's noise a little at every
    /// deterministic step, and DDIM (η = 0) ended in speckled, scrambled digits that got
    /// worse with more steps (MNIST, `mnist_ddpm`). DDPM's posterior-mean step uses only x̂_0
    /// and x_t and is unaffected.
    fn predict(&mut self, x: Tensor<2>, t: usize) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
        let pred = (self.denoise)(x.clone(), t)?;
        let alpha_bar = self.schedule.alpha_bar(t);
        let (eps, x0) = self.prediction.eps_and_x0(pred, x.clone(), alpha_bar);
        Ok(match self.clip {
            None => (eps, x0),
            Some(r) => {
                let x0 = x0.clamp(-r, r);
                let eps = (x - x0.clone().mul_scalar(alpha_bar.sqrt()))
                    .div_scalar((1.0 - alpha_bar).sqrt());
                (eps, x0)
            }
        })
    }

    /// DDPM ancestral sampling from `x_{τ_S}` over the ascending timesteps `taus` (all T
    /// steps: `0..T`). A skipped step τ_i → τ_{i−1} is the ancestral step of the process
    /// with `β = 1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}}` (ermongroup/ddim `ddpm_steps`; Song et al.'s σ̂ row
    /// with σ² = β), and equals Ho et al.'s step when nothing is skipped.
    pub fn ddpm(
        &mut self,
        x_t: Tensor<2>,
        taus: &[usize],
        variance: DdpmVariance,
        rng: &mut ChaCha8Rng,
        on_step: &mut OnStep,
    ) -> Result<Tensor<2>, ModelError> {
        let mut x = x_t;
        let total = taus.len();
        for (done, i) in (0..total).rev().enumerate() {
            let (t, prev) = (taus[i], i.checked_sub(1).map(|j| taus[j]));
            let (_, x0) = self.predict(x.clone(), t)?;
            let (c1, c2, var) = ddpm_step(self.schedule, t, prev, variance);
            let mean = x0.mul_scalar(c1) + x.clone().mul_scalar(c2);
            x = if prev.is_none() {
                mean
            } else {
                let z = standard_normal(x.dims(), rng, &x.device());
                mean + z.mul_scalar(var.sqrt())
            };
            on_step(done + 1, total);
        }
        Ok(x)
    }

    /// DDIM sampling from `x_{τ_S}` over the ascending timesteps `taus`, down to ᾱ = 1.
    pub fn ddim(
        &mut self,
        x_t: Tensor<2>,
        taus: &[usize],
        eta: f64,
        rng: &mut ChaCha8Rng,
        on_step: &mut OnStep,
    ) -> Result<Tensor<2>, ModelError> {
        let mut x = x_t;
        let total = taus.len();
        for (done, i) in (0..total).rev().enumerate() {
            let (t, prev) = (taus[i], i.checked_sub(1).map(|j| taus[j]));
            let (eps, x0) = self.predict(x.clone(), t)?;
            let a_prev = self.schedule.alpha_bar_at(prev);
            let sigma = ddim_sigma(self.schedule, t, prev, eta);
            let direction = (1.0 - a_prev - sigma * sigma).max(0.0).sqrt();
            x = x0.mul_scalar(a_prev.sqrt()) + eps.mul_scalar(direction);
            if sigma > 0.0 {
                x = x.clone() + standard_normal(x.dims(), rng, &x.device()).mul_scalar(sigma);
            }
            on_step(done + 1, total);
        }
        Ok(x)
    }

    /// DDIM inversion: from data `x_0` up the ascending timesteps `taus` to a latent at
    /// `τ_S` that [`Chain::ddim`] (η = 0, same `taus`) maps back to `x_0`.
    ///
    /// Step s → t inverts the η = 0 update `x_s = √ᾱ_s x̂_0(x_t) + √(1−ᾱ_s) ε̂(x_t)`, whose
    /// exact inverse needs ε̂ at the unknown `x_t`. With `refine = 0`, ε̂ is taken at `(x_s, t)`
    /// (the usual approximation, error O(1/S)); each refinement re-evaluates ε̂ at the current
    /// estimate of x_t (a fixed-point iteration, one more network call).
    pub fn ddim_invert(
        &mut self,
        x0: Tensor<2>,
        taus: &[usize],
        refine: usize,
        on_step: &mut OnStep,
    ) -> Result<Tensor<2>, ModelError> {
        let mut x = x0;
        let mut a_prev: f64 = 1.0;
        let total = taus.len();
        for (done, &t) in taus.iter().enumerate() {
            let a_t = self.schedule.alpha_bar(t);
            let mut guess = x.clone();
            for _ in 0..=refine {
                let pred = (self.denoise)(guess.clone(), t)?;
                let (eps, _) = self.prediction.eps_and_x0(pred, guess, a_t);
                // x̂_0 implied by (x_s, ε̂), pushed forward to ᾱ_t.
                let x0_hat = (x.clone() - eps.clone().mul_scalar((1.0 - a_prev).sqrt()))
                    .div_scalar(a_prev.sqrt());
                guess = x0_hat.mul_scalar(a_t.sqrt()) + eps.mul_scalar((1.0 - a_t).sqrt());
            }
            x = guess;
            a_prev = a_t;
            on_step(done + 1, total);
        }
        Ok(x)
    }
}

/// Spherical interpolation between latents `a` and `b` (same length) at `alpha` ∈ [0, 1]:
/// `sin((1−α)θ)/sin θ · a + sin(αθ)/sin θ · b`, θ the angle between them (linear when the two
/// are parallel).
pub fn slerp(a: &[f32], b: &[f32], alpha: f64) -> Vec<f32> {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let cos = (dot / (norm(a) * norm(b)).max(f64::MIN_POSITIVE)).clamp(-1.0, 1.0);
    let theta = cos.acos();
    let (wa, wb) = if theta.sin().abs() < SLERP_PARALLEL {
        (1.0 - alpha, alpha)
    } else {
        (
            ((1.0 - alpha) * theta).sin() / theta.sin(),
            (alpha * theta).sin() / theta.sin(),
        )
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| (wa * f64::from(*x) + wb * f64::from(*y)) as f32)
        .collect()
}

/// Below this |sin θ| two latents count as parallel and slerp falls back to lerp.
const SLERP_PARALLEL: f64 = 1e-6;
