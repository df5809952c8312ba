//! VAE hyper-parameters, separate from the built module, with named presets.

use genzoo_nn::Activation;
use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Encoder/decoder architecture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VaeArch {
    /// Fully connected encoder and mirrored decoder.
    #[default]
    Mlp,
    /// Two stride-2 4×4 convolutions down, two transposed convolutions up (images only,
    /// height and width divisible by 4).
    Conv,
}

/// Hyper-parameters of a [`Vae`](super::Vae).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaeConfig {
    /// Encoder/decoder architecture: `"mlp"` or `"conv"`.
    #[serde(default)]
    pub arch: VaeArch,
    /// Hidden widths of the encoder MLP (after the convolutions for `conv`); the decoder
    /// mirrors them.
    pub hidden: Vec<usize>,
    /// Latent width L.
    pub latent: usize,
    /// Hidden nonlinearity: `"relu"`, `"tanh"`, `"silu"` or `"leakyrelu"`.
    #[serde(default)]
    pub activation: Activation,
    /// Whether layers have bias terms.
    #[serde(default = "default_bias")]
    pub bias: bool,
    /// Steps over which the KL weight rises linearly from 0 to 1 (0: the plain ELBO from the
    /// start). Warm-up (Bowman et al. 2016; Sønderby et al. 2016) keeps units from collapsing
    /// to the prior early; evaluation always uses the full ELBO.
    #[serde(default)]
    pub kl_warmup_steps: u64,
    /// Channel widths of the two convolutions of the `conv` variant.
    #[serde(default = "default_channels")]
    pub conv_channels: [usize; 2],
}

fn default_bias() -> bool {
    true
}

fn default_channels() -> [usize; 2] {
    [32, 64]
}

impl VaeConfig {
    /// The IWAE paper's one-stochastic-layer MNIST VAE: 784-200-200-50, tanh.
    pub fn iwae_mnist() -> Self {
        Self {
            arch: VaeArch::Mlp,
            hidden: vec![200, 200],
            latent: 50,
            activation: Activation::Tanh,
            bias: true,
            kl_warmup_steps: 0,
            conv_channels: default_channels(),
        }
    }

    /// A small VAE for 2D toys: 2-128-128-2 with a Gaussian decoder.
    pub fn toy() -> Self {
        Self {
            arch: VaeArch::Mlp,
            hidden: vec![128, 128],
            latent: 2,
            activation: Activation::Relu,
            bias: true,
            kl_warmup_steps: 0,
            conv_channels: default_channels(),
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.latent == 0 {
            return Err(ModelError::InvalidConfig("vae.latent must be >= 1".into()));
        }
        if self.hidden.contains(&0) {
            return Err(ModelError::InvalidConfig(format!(
                "vae.hidden widths must be >= 1, got {:?}",
                self.hidden
            )));
        }
        if self.conv_channels.contains(&0) {
            return Err(ModelError::InvalidConfig(format!(
                "vae.conv_channels must be >= 1, got {:?}",
                self.conv_channels
            )));
        }
        Ok(())
    }
}
