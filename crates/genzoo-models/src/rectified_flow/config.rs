//! Rectified-flow hyper-parameters, separate from the built module, with named presets.
//!
//! ```toml
//! [model]
//! family = "rectified_flow"
//! net = "mlp"               # unet (images) or mlp (flat data, 2-D toys)
//! hidden = [256, 256, 256]
//! time_features = 32
//! time = "uniform"          # uniform, logit-normal, or zero (one-step distillation)
//! coupling = "independent"  # independent (x₀ ~ N(0, I)) or pairs (a reflow's data)
//! [model.unet]              # the U-Net (genzoo_nn::unet::UNetConfig), when net = "unet"
//! [model.sampler]           # what `sample`, `eval` and training pictures use by default
//! kind = "rk45"             # euler, heun, rk4 (S steps) or rk45 (rtol, atol)
//! steps = 100
//! rtol = 1e-5
//! atol = 1e-5
//! ```

use genzoo_nn::unet::UNetConfig;
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::conditioned::NetKind;
use crate::sampling::{SamplerConfig, SamplerKind};

/// Most fixed steps a solver may be asked for.
pub const MAX_STEPS: usize = 10_000;

/// How training draws t.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeSampling {
    /// t ~ U(0, 1) (Liu et al. 2022).
    #[default]
    Uniform,
    /// t = σ(u), u ~ N(logit_mean, logit_std²) (Esser et al. 2024): more weight mid-path.
    LogitNormal,
    /// t = 0 always: the velocity at the noise end only, which makes `x₀ + v(x₀, 0)` a
    /// one-step generator. With `coupling = "pairs"` this is the paper's distillation.
    Zero,
}

/// Where a training pair's x₀ comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coupling {
    /// x₀ ~ N(0, I) drawn independently of x₁ every step (1-rectified flow).
    #[default]
    Independent,
    /// (x₀, x₁) pairs from the data (`source = "pairs"`: a trained flow's x₀ and its ODE
    /// endpoint): the k-rectified flow and distillation.
    Pairs,
}

/// Hyper-parameters of a [`RectifiedFlow`](super::RectifiedFlow).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectifiedFlowConfig {
    /// Velocity network: `unet` or `mlp`.
    #[serde(default)]
    pub net: NetKind,
    /// The U-Net's architecture (`[model.unet]`), used when `net = "unet"`.
    #[serde(default)]
    pub unet: UNetConfig,
    /// MLP hidden widths.
    #[serde(default = "default_hidden")]
    pub hidden: Vec<usize>,
    /// Sinusoidal time features (t is scaled by [`super::TIME_SCALE`] first, so the
    /// U-Net's step embedding sees the range diffusion's does).
    #[serde(default = "default_time_features")]
    pub time_features: usize,
    /// How t is drawn in training.
    #[serde(default)]
    pub time: TimeSampling,
    /// Mean of the logit-normal's u.
    #[serde(default)]
    pub logit_mean: f64,
    /// Standard deviation of the logit-normal's u.
    #[serde(default = "default_logit_std")]
    pub logit_std: f64,
    /// Where x₀ comes from.
    #[serde(default)]
    pub coupling: Coupling,
    /// Clip samples to `[−clip, clip]` (1.0 for images in [−1, 1]); absent: no clip.
    #[serde(default)]
    pub clip: Option<f64>,
    /// The default sampler (`genzoo sample --sampler/--steps/--rtol/--atol` change it).
    #[serde(default = "default_sampler")]
    pub sampler: SamplerConfig,
}

fn default_hidden() -> Vec<usize> {
    vec![256, 256, 256]
}
fn default_time_features() -> usize {
    32
}
fn default_logit_std() -> f64 {
    1.0
}
/// RK45 at rtol = atol = 1e-5, the paper's sampler.
pub fn default_sampler() -> SamplerConfig {
    SamplerConfig {
        kind: SamplerKind::Rk45,
        steps: None,
        ..SamplerConfig::default()
    }
}

impl RectifiedFlowConfig {
    /// The 2-D toy velocity: an MLP 2+32 → 256 → 256 → 256 → 2, uniform t, RK45.
    pub fn toy() -> Self {
        RectifiedFlowConfig {
            net: NetKind::Mlp,
            unet: UNetConfig::mnist(),
            hidden: default_hidden(),
            time_features: default_time_features(),
            time: TimeSampling::Uniform,
            logit_mean: 0.0,
            logit_std: default_logit_std(),
            coupling: Coupling::Independent,
            clip: None,
            sampler: default_sampler(),
        }
    }

    /// The MNIST U-Net ([`UNetConfig::mnist`], DDPM's), samples clipped to [−1, 1].
    pub fn mnist() -> Self {
        RectifiedFlowConfig {
            net: NetKind::Unet,
            clip: Some(1.0),
            ..Self::toy()
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        self.unet
            .validate("rectified_flow.unet")
            .map_err(|e| ModelError::InvalidConfig(e.to_string()))?;
        if self.hidden.contains(&0) {
            return bad(format!(
                "rectified_flow.hidden widths must be >= 1, got {:?}",
                self.hidden
            ));
        }
        if self.time_features < 4 || !self.time_features.is_multiple_of(2) {
            return bad(format!(
                "rectified_flow.time_features must be even and >= 4, got {}",
                self.time_features
            ));
        }
        if !(self.logit_mean.is_finite() && self.logit_std > 0.0 && self.logit_std.is_finite()) {
            return bad(format!(
                "rectified_flow.logit_mean must be finite and logit_std > 0, got {} and {}",
                self.logit_mean, self.logit_std
            ));
        }
        if self.clip.is_some_and(|c| c.is_nan() || c <= 0.0) {
            return bad("rectified_flow.clip must be > 0".into());
        }
        crate::sampling::check_kind("rectified_flow", SamplerKind::ODE, self.sampler.kind)?;
        self.sampler.validate(MAX_STEPS)
    }
}
