//! CPC hyper-parameters, separate from the built module.
//!
//! ```toml
//! [model]
//! family = "cpc"
//! patch = 7          # patch side in pixels
//! stride = 3         # patch step: 28-pixel MNIST gives an 8 x 8 grid
//! channels = 32      # the patch encoder's first conv width (the second is twice it)
//! latent = 64        # z per patch
//! context = 64       # c per grid cell
//! context_layers = 3 # row-causal convs: c_i sees rows i-3..i
//! predict = 2        # K rows ahead
//! negatives = 63     # per prediction: N = 1 + negatives candidates
//! pool = 2           # the probe's features: averaged over pool x pool regions of the grid
//! features = "z"     # ... of z, of the context c, or "zc" both
//! ```
//! On 1-D sequences (`source = "sequences"`, examples `[C, L]`) the encoder is strided convs
//! instead (`strides`, each `channels` wide, then z), the context is a GRU of `context` units
//! (`patch`, `stride` and `context_layers` are the image setting's and unused), K counts steps
//! ahead, and the probe pools over `pool` stretches of time:
//! ```toml
//! strides = [4, 2, 2] # L = 256 gives T = 16 steps of z
//! ```

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Hyper-parameters of a [`Cpc`](super::Cpc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpcConfig {
    /// Patch side in pixels.
    #[serde(default = "default_patch")]
    pub patch: usize,
    /// Step between patches in pixels.
    #[serde(default = "default_stride")]
    pub stride: usize,
    /// Width of the encoder's first conv (the second has twice as many channels).
    #[serde(default = "default_channels")]
    pub channels: usize,
    /// Width of z.
    #[serde(default = "default_latent")]
    pub latent: usize,
    /// Width of c.
    #[serde(default = "default_latent")]
    pub context: usize,
    /// Row-causal conv layers of the context network.
    #[serde(default = "default_layers")]
    pub context_layers: usize,
    /// K: predictions 1..K rows below.
    #[serde(default = "default_predict")]
    pub predict: usize,
    /// Negatives per prediction, drawn from every other patch position of the batch.
    #[serde(default = "default_negatives")]
    pub negatives: usize,
    /// The probe's features: averaged over `pool × pool` regions of the grid.
    #[serde(default = "default_pool")]
    pub pool: usize,
    /// Which maps the probe reads: the encoder's z, the context's c, or both side by side.
    #[serde(default)]
    pub features: FeatureSource,
    /// Sequences only: the encoder's conv strides (each even; kernel 2s, padding s/2).
    #[serde(default = "default_strides")]
    pub strides: Vec<usize>,
}

/// What [`Embed`](crate::Embed) pools for a probe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureSource {
    /// The patch encoder's z (the paper's choice for its linear probe on images).
    #[default]
    Z,
    /// The context network's c.
    C,
    /// z and c concatenated.
    Zc,
}

impl std::str::FromStr for FeatureSource {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s {
            "z" => Ok(FeatureSource::Z),
            "c" => Ok(FeatureSource::C),
            "zc" => Ok(FeatureSource::Zc),
            _ => Err(ModelError::InvalidConfig(format!(
                "unknown cpc.features {s:?}: z, c or zc"
            ))),
        }
    }
}

fn default_patch() -> usize {
    7
}
fn default_stride() -> usize {
    3
}
fn default_channels() -> usize {
    32
}
fn default_latent() -> usize {
    64
}
fn default_layers() -> usize {
    3
}
fn default_predict() -> usize {
    2
}
fn default_negatives() -> usize {
    63
}
fn default_pool() -> usize {
    2
}
fn default_strides() -> Vec<usize> {
    vec![4, 2, 2]
}

impl Default for CpcConfig {
    fn default() -> Self {
        Self::mnist()
    }
}

impl CpcConfig {
    /// 7 × 7 patches at stride 3 (an 8 × 8 grid on MNIST), z and c of 64, K = 2, 63 negatives.
    pub fn mnist() -> Self {
        CpcConfig {
            patch: default_patch(),
            stride: default_stride(),
            channels: default_channels(),
            latent: default_latent(),
            context: default_latent(),
            context_layers: default_layers(),
            predict: default_predict(),
            negatives: default_negatives(),
            pool: default_pool(),
            features: FeatureSource::Z,
            strides: default_strides(),
        }
    }

    /// Steps of z from sequences of `length` samples (each conv divides by its stride, rounding
    /// down).
    pub fn steps(&self, length: usize) -> usize {
        self.strides
            .iter()
            .fold(length, |l, &s| l.checked_div(s).unwrap_or(0))
    }

    /// Patches per side of an image of side `side`.
    pub fn grid(&self, side: usize) -> usize {
        if side < self.patch || self.stride == 0 {
            return 0;
        }
        (side - self.patch) / self.stride + 1
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        if self.patch < 5 {
            return bad(format!(
                "cpc.patch must be >= 5 (two 3x3 convs), got {}",
                self.patch
            ));
        }
        for (name, v) in [
            ("stride", self.stride),
            ("channels", self.channels),
            ("latent", self.latent),
            ("context", self.context),
            ("context_layers", self.context_layers),
            ("predict", self.predict),
            ("negatives", self.negatives),
            ("pool", self.pool),
        ] {
            if v == 0 {
                return bad(format!("cpc.{name} must be >= 1"));
            }
        }
        if self.strides.is_empty() || self.strides.iter().any(|&s| s == 0 || s % 2 == 1) {
            return bad(format!(
                "cpc.strides must be a non-empty list of even numbers, got {:?}",
                self.strides
            ));
        }
        Ok(())
    }
}
