//! DDPM hyper-parameters, separate from the built module, with named presets.
//!
//! ```toml
//! [model]
//! family = "ddpm"
//! net = "unet"              # unet (images) or mlp (flat data, 2-D toys)
//! schedule = "linear"       # linear or cosine
//! prediction = "eps"        # eps, x0 or v
//! time_features = 32       # sinusoidal step features, both nets
//! [model.unet]              # the U-Net's architecture (genzoo_nn::unet::UNetConfig)
//! channels = 32
//! channel_mult = [1, 2, 2]
//! [model.sampler]           # what `sample` (and training pictures) use by default
//! kind = "ddim"             # ddpm (σ²=β), ddpm-tilde (σ²=β̃) or ddim
//! steps = 50                # S; absent: 50 for DDIM, T for DDPM
//! eta = 0.0
//! skip = "uniform"          # uniform or quad
//! ```

use genzoo_nn::unet::UNetConfig;
use serde::{Deserialize, Serialize};

use super::process::Prediction;
use super::schedule::{DEFAULT_TIMESTEPS, ScheduleKind};
use crate::ModelError;
pub use crate::conditioned::NetKind;
use crate::sampling::SamplerConfig;

/// Hyper-parameters of a [`Ddpm`](super::Ddpm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DdpmConfig {
    /// Denoising network: `unet` or `mlp`.
    #[serde(default)]
    pub net: NetKind,
    /// Noise schedule: `linear` (1e-4 → 0.02) or `cosine`.
    #[serde(default)]
    pub schedule: ScheduleKind,
    /// Diffusion steps T.
    #[serde(default = "default_timesteps")]
    pub timesteps: usize,
    /// What the network predicts: `eps`, `x0` or `v`; the loss is the MSE on it.
    #[serde(default)]
    pub prediction: Prediction,
    /// The U-Net's architecture (`[model.unet]`), used when `net = "unet"`.
    #[serde(default)]
    pub unet: UNetConfig,
    /// MLP hidden widths.
    #[serde(default = "default_hidden")]
    pub hidden: Vec<usize>,
    /// Sinusoidal step features (both nets: the MLP takes them beside the data, the U-Net
    /// embeds them into `4·channels`).
    #[serde(default = "default_time_features")]
    pub time_features: usize,
    /// Clip x̂₀ to `[−clip, clip]` while sampling (1.0 for images in [−1, 1]); absent: no clip.
    #[serde(default)]
    pub clip: Option<f64>,
    /// The default sampler (`genzoo sample --sampler/--steps/--eta/--skip` change it).
    #[serde(default)]
    pub sampler: SamplerConfig,
}

fn default_timesteps() -> usize {
    DEFAULT_TIMESTEPS
}
fn default_hidden() -> Vec<usize> {
    vec![128, 128, 128]
}
fn default_time_features() -> usize {
    32
}

impl DdpmConfig {
    /// The MNIST U-Net ([`UNetConfig::mnist`]), linear schedule, ε-prediction, x̂₀ clipped to [−1, 1].
    pub fn mnist() -> Self {
        DdpmConfig {
            net: NetKind::Unet,
            schedule: ScheduleKind::Linear,
            timesteps: DEFAULT_TIMESTEPS,
            prediction: Prediction::Eps,
            unet: UNetConfig::mnist(),
            hidden: default_hidden(),
            time_features: default_time_features(),
            clip: Some(1.0),
            sampler: SamplerConfig::default(),
        }
    }

    /// The 2-D toy denoiser: an MLP 2+32 → 128 → 128 → 128 → 2.
    pub fn toy() -> Self {
        DdpmConfig {
            net: NetKind::Mlp,
            clip: None,
            ..Self::mnist()
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        if self.timesteps < 2 {
            return bad(format!(
                "ddpm.timesteps must be >= 2, got {}",
                self.timesteps
            ));
        }
        self.unet
            .validate("ddpm.unet")
            .map_err(|e| ModelError::InvalidConfig(e.to_string()))?;
        if self.hidden.contains(&0) {
            return bad(format!(
                "ddpm.hidden widths must be >= 1, got {:?}",
                self.hidden
            ));
        }
        if self.time_features < 4 || !self.time_features.is_multiple_of(2) {
            return bad(format!(
                "ddpm.time_features must be even and >= 4, got {}",
                self.time_features
            ));
        }
        if self.clip.is_some_and(|c| c.is_nan() || c <= 0.0) {
            return bad("ddpm.clip must be > 0".into());
        }
        self.sampler.validate(self.timesteps)
    }
}
