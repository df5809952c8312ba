//! Samplers chosen at sampling time, for every family that generates by running a network
//! many times: the settings ([`SamplerConfig`]), a request that changes some of them
//! ([`SamplerRequest`]), and the capabilities ([`IterativeSample`], [`Invert`]).
//!
//! ```text
//! run config [model.sampler] ──▶ default_sampler() ─┐
//! command line --sampler --steps --eta --skip ──────┴─▶ resolve_sampler() ──▶ sample_with()
//! ```
//! One option set serves every such family, so `genzoo sample` has one set of flags: the
//! diffusion family runs DDPM's ancestral chains and DDIM; the rectified flow runs its ODE
//! solvers (Euler, Heun, RK4 with S steps, adaptive RK45 with rtol/atol); a family refuses the
//! kinds it does not list in [`IterativeSample::sampler_kinds`].

use burn::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Progress callback: `(steps done, steps in all)` after every network evaluation.
pub type OnStep<'a> = dyn FnMut(usize, usize) + 'a;

/// Network evaluations of a sampler that takes a fixed number when none is configured.
pub const DEFAULT_SAMPLER_STEPS: usize = 50;

/// Every sampler a family may offer, by the name configs and the command line use.
///
/// The diffusion family's three and the rectified flow's four ODE solvers; each family lists
/// the kinds it runs in [`IterativeSample::sampler_kinds`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplerKind {
    /// DDPM ancestral sampling, σ² = β_t (all T steps unless S says fewer).
    Ddpm,
    /// DDPM ancestral sampling, σ² = β̃_t (all T steps unless S says fewer).
    DdpmTilde,
    /// DDIM over S steps.
    #[default]
    Ddim,
    /// Forward Euler over S equal steps (S evaluations).
    Euler,
    /// Heun's second-order method over S equal steps (2S evaluations).
    Heun,
    /// Classical fourth-order Runge–Kutta over S equal steps (4S evaluations).
    Rk4,
    /// Adaptive Dormand–Prince RK5(4) at `rtol`/`atol`; S does not apply.
    Rk45,
}

impl SamplerKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [SamplerKind] = &[
        SamplerKind::Ddpm,
        SamplerKind::DdpmTilde,
        SamplerKind::Ddim,
        SamplerKind::Euler,
        SamplerKind::Heun,
        SamplerKind::Rk4,
        SamplerKind::Rk45,
    ];

    /// The diffusion family's samplers.
    pub const DIFFUSION: &'static [SamplerKind] =
        &[SamplerKind::Ddpm, SamplerKind::DdpmTilde, SamplerKind::Ddim];

    /// The ODE solvers of a flow from noise at t = 0 to data at t = 1.
    pub const ODE: &'static [SamplerKind] = &[
        SamplerKind::Euler,
        SamplerKind::Heun,
        SamplerKind::Rk4,
        SamplerKind::Rk45,
    ];

    /// The name configs and the command line use.
    pub fn name(self) -> &'static str {
        match self {
            SamplerKind::Ddpm => "ddpm",
            SamplerKind::DdpmTilde => "ddpm-tilde",
            SamplerKind::Ddim => "ddim",
            SamplerKind::Euler => "euler",
            SamplerKind::Heun => "heun",
            SamplerKind::Rk4 => "rk4",
            SamplerKind::Rk45 => "rk45",
        }
    }

    /// Whether the kind walks every step of the process unless told fewer (an ancestral
    /// chain), rather than a fixed [`DEFAULT_SAMPLER_STEPS`].
    fn takes_every_step(self) -> bool {
        match self {
            SamplerKind::Ddpm | SamplerKind::DdpmTilde => true,
            SamplerKind::Ddim
            | SamplerKind::Euler
            | SamplerKind::Heun
            | SamplerKind::Rk4
            | SamplerKind::Rk45 => false,
        }
    }
}

impl std::fmt::Display for SamplerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for SamplerKind {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        SamplerKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                ModelError::InvalidConfig(format!(
                    "unknown sampler {s:?}: {}",
                    names(SamplerKind::ALL)
                ))
            })
    }
}

/// `ddpm, ddpm-tilde, ddim`: kinds for a message.
fn names(kinds: &[SamplerKind]) -> String {
    kinds
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a sampler spaces its S steps over the process's time when it takes fewer than all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Skip {
    /// `range(0, T, T // S)`.
    #[default]
    Uniform,
    /// `int(linspace(0, √(0.8 T), S)²)`: dense near the data.
    Quad,
}

impl std::str::FromStr for Skip {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s {
            "uniform" => Ok(Skip::Uniform),
            "quad" => Ok(Skip::Quad),
            _ => Err(ModelError::InvalidConfig(format!(
                "unknown skip {s:?}: uniform or quad"
            ))),
        }
    }
}

/// A sampler and its settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplerConfig {
    /// The sampler (ddpm, ddpm-tilde or ddim).
    #[serde(default)]
    pub kind: SamplerKind,
    /// S, the network calls per sample; absent: the kind's default ([`SamplerConfig::steps`]).
    /// DDPM with S < T runs the ancestral chain over the skipped timesteps (Song et al.'s σ̂
    /// row).
    #[serde(default)]
    pub steps: Option<usize>,
    /// η ∈ [0, 1] of a sampler that can add noise (DDIM): 0 deterministic, 1 DDPM-like
    /// (σ² = β̃ when S = T).
    #[serde(default)]
    pub eta: f64,
    /// The spacing of the S steps.
    #[serde(default)]
    pub skip: Skip,
    /// Relative tolerance of an adaptive ODE solver (RK45).
    #[serde(default = "default_tolerance")]
    pub rtol: f64,
    /// Absolute tolerance of an adaptive ODE solver (RK45).
    #[serde(default = "default_tolerance")]
    pub atol: f64,
}

/// RK45's default rtol and atol: 1e-5, the rectified-flow paper's sampling setting.
pub const DEFAULT_TOLERANCE: f64 = 1e-5;

fn default_tolerance() -> f64 {
    DEFAULT_TOLERANCE
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            kind: SamplerKind::Ddim,
            steps: None,
            eta: 0.0,
            skip: Skip::Uniform,
            rtol: DEFAULT_TOLERANCE,
            atol: DEFAULT_TOLERANCE,
        }
    }
}

impl SamplerConfig {
    /// S for a process of `timesteps` steps: the configured one, else all of them for an
    /// ancestral chain and [`DEFAULT_SAMPLER_STEPS`] (at most `timesteps`) for the others.
    pub fn steps(&self, timesteps: usize) -> usize {
        self.steps.unwrap_or(if self.kind.takes_every_step() {
            timesteps
        } else {
            DEFAULT_SAMPLER_STEPS.min(timesteps)
        })
    }

    /// Refuse settings no sampler can run with `timesteps` training steps.
    pub fn validate(&self, timesteps: usize) -> Result<(), ModelError> {
        if !(0.0..=1.0).contains(&self.eta) {
            return Err(ModelError::InvalidConfig(format!(
                "sampler.eta must lie in [0, 1], got {}",
                self.eta
            )));
        }
        for (name, v) in [("rtol", self.rtol), ("atol", self.atol)] {
            if !(v > 0.0 && v < 1.0) {
                return Err(ModelError::InvalidConfig(format!(
                    "sampler.{name} must lie in (0, 1), got {v}"
                )));
            }
        }
        if let Some(n) = self.steps
            && (n == 0 || n > timesteps)
        {
            return Err(ModelError::InvalidConfig(format!(
                "sampler.steps must lie in 1..={timesteps}, got {n}"
            )));
        }
        Ok(())
    }

    /// These settings with `request`'s changes. A kind named in the request takes its own
    /// default S unless the request also gives `steps`: DDIM's 50 must not carry over to a
    /// DDPM chain that was asked for by name.
    pub fn with_request(mut self, request: &SamplerRequest) -> SamplerConfig {
        if let Some(kind) = request.kind {
            self.kind = kind;
            self.steps = None;
        }
        if let Some(n) = request.steps {
            self.steps = Some(n);
        }
        if let Some(eta) = request.eta {
            self.eta = eta;
        }
        if let Some(skip) = request.skip {
            self.skip = skip;
        }
        if let Some(rtol) = request.rtol {
            self.rtol = rtol;
        }
        if let Some(atol) = request.atol {
            self.atol = atol;
        }
        self
    }
}

/// Changes to a family's default sampler, as `genzoo sample` was asked for them; `None`
/// keeps the default's value.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SamplerRequest {
    /// Another sampler.
    pub kind: Option<SamplerKind>,
    /// Another S.
    pub steps: Option<usize>,
    /// Another η.
    pub eta: Option<f64>,
    /// Another spacing.
    pub skip: Option<Skip>,
    /// Another relative tolerance (RK45).
    pub rtol: Option<f64>,
    /// Another absolute tolerance (RK45).
    pub atol: Option<f64>,
}

impl SamplerRequest {
    /// Whether the request changes anything.
    pub fn is_empty(&self) -> bool {
        *self == SamplerRequest::default()
    }
}

/// Draws and what they cost.
#[derive(Clone, Debug)]
pub struct Sampled {
    /// The draws, flattened `[n, D]`.
    pub x: Tensor<2>,
    /// Network evaluations per example (NFE): the batched network calls of one chunk's solve,
    /// averaged over chunks (an adaptive solver's count differs between chunks).
    pub nfe: f64,
}

/// A model that generates by running one of several samplers over its network, chosen at
/// sampling time.
pub trait IterativeSample {
    /// The samplers this model runs.
    fn sampler_kinds(&self) -> &'static [SamplerKind];

    /// The sampler of the run's config, used when none is asked for.
    fn default_sampler(&self) -> SamplerConfig;

    /// The default sampler with `request`'s changes, checked against this model and with S
    /// filled in: what [`IterativeSample::sample_with`] will run.
    fn resolve_sampler(&self, request: &SamplerRequest) -> Result<SamplerConfig, ModelError>;

    /// Network evaluations one example takes under `sampler` (the S that runs, which a
    /// spacing rule may make differ from the S asked for); `None` for an adaptive solver,
    /// whose count is known only after sampling ([`Sampled::nfe`]).
    fn network_calls(&self, sampler: &SamplerConfig) -> Result<Option<usize>, ModelError>;

    /// `n` draws with `sampler`, flattened `[n, D]`, on `device`; `on_step(done, total)` after
    /// every network evaluation, counted over all examples (an adaptive solver, not knowing
    /// its total, reports `done` for both).
    fn sample_with(
        &self,
        n: usize,
        sampler: &SamplerConfig,
        rng: &mut ChaCha8Rng,
        device: &Device,
        on_step: &mut OnStep,
    ) -> Result<Sampled, ModelError>;

    /// The inversion data → latent, where this model's samplers can run backwards.
    fn inversion(&self) -> Option<&dyn Invert> {
        None
    }
}

/// A model whose deterministic sampler can run backwards, from data to the latent it would
/// map back to the data (DDIM inversion).
pub trait Invert {
    /// The latents of `x0` under `sampler`'s steps and their reconstructions; `refine`
    /// fixed-point refinements per step (0: the usual one-evaluation inversion);
    /// `on_step(done, total)` after every network evaluation.
    ///
    /// # Shapes
    /// `x0: [B, D]` → (`[B, D]`, `[B, D]`).
    fn invert_and_reconstruct(
        &self,
        x0: Tensor<2>,
        sampler: &SamplerConfig,
        refine: usize,
        rng: &mut ChaCha8Rng,
        on_step: &mut OnStep,
    ) -> Result<(Tensor<2>, Tensor<2>), ModelError>;
}

/// Refuse a sampler kind that `family` does not run.
pub fn check_kind(
    family: &str,
    supported: &[SamplerKind],
    kind: SamplerKind,
) -> Result<(), ModelError> {
    if supported.contains(&kind) {
        return Ok(());
    }
    Err(ModelError::InvalidConfig(format!(
        "the {family} family does not sample with {kind}; it runs {}",
        names(supported)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_kind_takes_its_own_default_steps() {
        let ddim = SamplerConfig {
            steps: Some(50),
            ..SamplerConfig::default()
        };
        let ddpm = ddim.with_request(&SamplerRequest {
            kind: Some(SamplerKind::Ddpm),
            ..SamplerRequest::default()
        });
        assert_eq!((ddpm.kind, ddpm.steps(1000)), (SamplerKind::Ddpm, 1000));
        let ddpm10 = ddim.with_request(&SamplerRequest {
            kind: Some(SamplerKind::Ddpm),
            steps: Some(10),
            ..SamplerRequest::default()
        });
        assert_eq!(ddpm10.steps(1000), 10);
        // Without a kind the configured S stays.
        let eta = ddim.with_request(&SamplerRequest {
            eta: Some(0.5),
            ..SamplerRequest::default()
        });
        assert_eq!((eta.steps(1000), eta.eta), (50, 0.5));
        assert_eq!(SamplerConfig::default().steps(20), 20);
    }

    #[test]
    fn names_round_trip_and_unsupported_kinds_are_refused() {
        for &k in SamplerKind::ALL {
            assert_eq!(k.name().parse::<SamplerKind>().ok(), Some(k));
        }
        assert!("euler2".parse::<SamplerKind>().is_err());
        let e = check_kind("toy", &[SamplerKind::Ddim], SamplerKind::Ddpm)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("ddpm") && e.contains("runs ddim"), "{e}");
    }
}
