//! Hyper-parameters of the flow families, separate from the built modules, with presets.

use genzoo_nn::Activation;
use serde::{Deserialize, Serialize};

use super::energy::Energy;
use super::prior::Prior;
use crate::ModelError;

/// How a coupling layer transforms its half.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CouplingKind {
    /// `y = x + m(x_A)` (NICE).
    Additive,
    /// `y = x ⊙ exp(s(x_A)) + t(x_A)` (RealNVP).
    Affine,
}

/// How the final diagonal scaling starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaleInit {
    /// s = 0, the identity (the NICE paper).
    #[default]
    Zero,
    /// Fitted to the first training batch so that every output coordinate has the prior's
    /// standard deviation (Glow's ActNorm initialisation); done once, at step 0.
    Data,
}

/// Default bound S of RealNVP's log-scale: one layer scales by at most e^{±2} ≈ 7.4.
pub const DEFAULT_SCALE_BOUND: f64 = 2.0;

fn default_scale_bound() -> f64 {
    DEFAULT_SCALE_BOUND
}

fn default_gaussian() -> Prior {
    Prior::Gaussian
}

fn default_logistic() -> Prior {
    Prior::Logistic
}

/// RealNVP: affine couplings with alternating partitions, then a diagonal scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealNvpConfig {
    /// Number of coupling layers (≥ 2, so every dimension is transformed).
    pub couplings: usize,
    /// Hidden widths of each coupling's MLP.
    pub hidden: Vec<usize>,
    /// Hidden nonlinearity of the coupling MLPs.
    #[serde(default)]
    pub activation: Activation,
    /// Bound S of the log-scale, `s = S·tanh(ŝ/S)`.
    #[serde(default = "default_scale_bound")]
    pub scale_bound: f64,
    /// Base density: `"gaussian"` (default) or `"logistic"`.
    #[serde(default = "default_gaussian")]
    pub prior: Prior,
    /// Squeeze α of the logit pre-processing for data in [0, 1] (RealNVP uses 0.05); 0: none.
    #[serde(default)]
    pub logit_alpha: f64,
}

/// NICE: additive couplings with alternating partitions, then a diagonal scaling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NiceConfig {
    /// Number of coupling layers (≥ 2; the paper uses 4).
    pub couplings: usize,
    /// Hidden widths of each coupling's MLP (the paper: 5 × 1000).
    pub hidden: Vec<usize>,
    /// Hidden nonlinearity (the paper: ReLU).
    #[serde(default)]
    pub activation: Activation,
    /// Base density: `"logistic"` (default, the paper's) or `"gaussian"`.
    #[serde(default = "default_logistic")]
    pub prior: Prior,
    /// Squeeze α of a logit pre-processing; 0 (default, the paper's): none.
    #[serde(default)]
    pub logit_alpha: f64,
    /// Start of the diagonal scaling: `"zero"` (default, the paper's) or `"data"`.
    #[serde(default)]
    pub scale_init: ScaleInit,
}

/// Which layer a [`PlanarFlow`](super::PlanarFlow) stacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanarKind {
    /// `z + û tanh(wᵀz + b)`.
    #[default]
    Planar,
    /// `z + β (z − z₀)/(α + ‖z − z₀‖)`.
    Radial,
}

/// Planar or radial flows (Rezende & Mohamed 2015), in one of two modes:
/// - `target` absent: density estimation of the data by maximum likelihood; the layers map data
///   to the standard normal base (sampling inverts them);
/// - `target = "u1"…"u4"`: fit `exp(−U)` by reverse KL, z₀ ~ N(0, I) pushed through the layers;
///   the data only sets the batch size (its values are ignored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanarConfig {
    /// `"planar"` (default) or `"radial"`.
    #[serde(default)]
    pub kind: PlanarKind,
    /// Number of layers K (the paper's figures: 2, 8, 32).
    pub layers: usize,
    /// The unnormalised target of reverse-KL fitting; absent for density estimation.
    #[serde(default)]
    pub target: Option<Energy>,
    /// Steps over which the energy's weight rises linearly from 0.01 to 1 (the paper's
    /// annealing, β_t = min(1, 0.01 + t/10000) for 10000 steps); 0: none. Reported bounds always
    /// use weight 1.
    #[serde(default)]
    pub anneal_steps: u64,
}

/// Refuse a stack of fewer than two couplings or an empty hidden layer.
fn check_couplings(family: &str, couplings: usize, hidden: &[usize]) -> Result<(), ModelError> {
    if couplings < 2 {
        return Err(ModelError::InvalidConfig(format!(
            "{family}.couplings must be >= 2 so that every dimension is transformed, got {couplings}"
        )));
    }
    if hidden.contains(&0) {
        return Err(ModelError::InvalidConfig(format!(
            "{family}.hidden widths must be >= 1, got {hidden:?}"
        )));
    }
    Ok(())
}

/// Refuse a logit squeeze outside [0, ½).
fn check_logit(family: &str, alpha: f64) -> Result<(), ModelError> {
    if !(0.0..0.5).contains(&alpha) {
        return Err(ModelError::InvalidConfig(format!(
            "{family}.logit_alpha must lie in [0, 0.5), got {alpha}"
        )));
    }
    Ok(())
}

impl RealNvpConfig {
    /// A RealNVP for 2D toys: 8 affine couplings with 2 × 64 ReLU conditioners.
    pub fn toy() -> Self {
        Self {
            couplings: 8,
            hidden: vec![64, 64],
            activation: Activation::Relu,
            scale_bound: DEFAULT_SCALE_BOUND,
            prior: Prior::Gaussian,
            logit_alpha: 0.0,
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        check_couplings("realnvp", self.couplings, &self.hidden)?;
        check_logit("realnvp", self.logit_alpha)?;
        if !(self.scale_bound.is_finite() && self.scale_bound > 0.0) {
            return Err(ModelError::InvalidConfig(format!(
                "realnvp.scale_bound must be > 0, got {}",
                self.scale_bound
            )));
        }
        Ok(())
    }
}

impl NiceConfig {
    /// The NICE paper's MNIST model: 4 couplings, each 5 hidden layers of 1000 ReLU units,
    /// logistic prior.
    pub fn mnist() -> Self {
        Self {
            couplings: 4,
            hidden: vec![1000; 5],
            activation: Activation::Relu,
            prior: Prior::Logistic,
            logit_alpha: 0.0,
            scale_init: ScaleInit::Zero,
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        check_couplings("nice", self.couplings, &self.hidden)?;
        check_logit("nice", self.logit_alpha)
    }
}

impl PlanarConfig {
    /// The paper's Figure 3 setting: 32 planar layers fitted to `target`.
    pub fn energy(target: Energy) -> Self {
        Self {
            kind: PlanarKind::Planar,
            layers: 32,
            target: Some(target),
            anneal_steps: 0,
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.layers == 0 {
            return Err(ModelError::InvalidConfig(
                "planar.layers must be >= 1".into(),
            ));
        }
        Ok(())
    }
}
