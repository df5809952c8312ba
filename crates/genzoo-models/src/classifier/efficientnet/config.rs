//! EfficientNet hyper-parameters (the `[model.efficientnet]` table), separate from the module.
//!
//! ```toml
//! [model.efficientnet]
//! phi = -3.0          # or preset = "b0" ... "b7"
//! resolution = 28     # default: the preset's, or round(224·1.15^φ)
//! stem_stride = 1     # the reference's 2 halves a 28×28 digit before the first block
//! ```

use serde::{Deserialize, Serialize};

use super::architecture::{Architecture, STEM_STRIDE};
use super::scaling::{Preset, Scaling, compound};
use crate::ModelError;

/// The reference's largest stochastic-depth rate.
pub const DEFAULT_DROP_CONNECT: f64 = 0.2;

fn default_stem_stride() -> usize {
    STEM_STRIDE
}
fn default_drop_connect() -> f64 {
    DEFAULT_DROP_CONNECT
}

/// How to scale and feed an EfficientNet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EfficientNetConfig {
    /// A published model, `"b0"` ... `"b7"` (not with `phi`; neither: B0).
    #[serde(default)]
    pub preset: Option<Preset>,
    /// Compound coefficient φ: width 1.1^φ, depth 1.2^φ, resolution 224·1.15^φ (not with
    /// `preset`).
    #[serde(default)]
    pub phi: Option<f64>,
    /// Input side in pixels, overriding the preset's or φ's; inputs of another size are
    /// resized bilinearly.
    #[serde(default)]
    pub resolution: Option<usize>,
    /// Stride of the stem convolution (the reference: 2).
    #[serde(default = "default_stem_stride")]
    pub stem_stride: usize,
    /// Dropout before the classifier, overriding the preset's (B0: 0.2).
    #[serde(default)]
    pub dropout: Option<f64>,
    /// Stochastic-depth rate of the last block (linearly less for earlier ones).
    #[serde(default = "default_drop_connect")]
    pub drop_connect: f64,
}

impl Default for EfficientNetConfig {
    fn default() -> Self {
        Self {
            preset: None,
            phi: None,
            resolution: None,
            stem_stride: STEM_STRIDE,
            dropout: None,
            drop_connect: DEFAULT_DROP_CONNECT,
        }
    }
}

impl EfficientNetConfig {
    /// A published model at its own resolution, as the reference builds it.
    pub fn preset(p: Preset) -> Self {
        Self {
            preset: Some(p),
            ..Self::default()
        }
    }

    /// Refuse settings that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        if self.preset.is_some() && self.phi.is_some() {
            return bad("efficientnet: give preset or phi, not both".into());
        }
        if let Some(phi) = self.phi
            && !(phi.is_finite() && phi.abs() <= MAX_ABS_PHI)
        {
            return bad(format!(
                "efficientnet.phi must be finite with |phi| <= {MAX_ABS_PHI}, got {phi}"
            ));
        }
        if self.resolution == Some(0) || self.stem_stride == 0 {
            return bad("efficientnet.resolution and stem_stride must be >= 1".into());
        }
        for (name, p) in [
            ("dropout", self.dropout.unwrap_or(0.0)),
            ("drop_connect", self.drop_connect),
        ] {
            if !(0.0..1.0).contains(&p) {
                return bad(format!("efficientnet.{name} must lie in [0, 1), got {p}"));
            }
        }
        Ok(())
    }

    /// The multipliers, with this config's overrides applied.
    pub fn scaling(&self) -> Result<Scaling, ModelError> {
        self.validate()?;
        let mut s = match (self.preset, self.phi) {
            (_, Some(phi)) => compound(phi),
            (p, None) => p.unwrap_or(Preset::B0).scaling(),
        };
        if let Some(r) = self.resolution {
            s.resolution = r;
        }
        if let Some(d) = self.dropout {
            s.dropout = d;
        }
        if s.resolution == 0 {
            return Err(ModelError::InvalidConfig(
                "efficientnet: the scaled resolution is 0 pixels".into(),
            ));
        }
        Ok(s)
    }

    /// Every layer size, for `in_channels`-channel inputs and `classes` outputs.
    pub fn architecture(
        &self,
        in_channels: usize,
        classes: usize,
        bias: bool,
    ) -> Result<Architecture, ModelError> {
        Ok(Architecture::new(
            self.scaling()?,
            in_channels,
            self.stem_stride,
            classes,
            self.drop_connect,
            bias,
        ))
    }
}

/// Largest |φ| accepted: 1.2^12 ≈ 9 times B0's depth, already far past B7.
pub const MAX_ABS_PHI: f64 = 12.0;
