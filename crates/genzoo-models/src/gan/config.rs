//! GAN hyper-parameters, separate from the built module, with named presets.
//!
//! ```toml
//! [model]
//! family = "gan"
//! arch = "mlp"              # mlp (flat data, 2-D toys) or dcgan (images)
//! loss = "non-saturating"   # minimax, non-saturating or hinge
//! prior = "gaussian"        # gaussian N(0, I) or uniform U[−1, 1]
//! latent = 2
//! disc_steps = 1            # k discriminator steps per generator step
//! real_label = 1.0          # 0.9: one-sided label smoothing (Salimans et al. 2016)
//! spectral_norm = false     # the discriminator's layers (Miyato et al. 2018)
//! pack = 1                  # PacGAN: the discriminator judges `pack` samples at once
//! [optim.gen]               # per-group settings (two time-scale rule: a faster D)
//! lr = 1e-4
//! [optim.disc]
//! lr = 4e-4
//! ```

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// Generator and discriminator architecture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GanArch {
    /// MLPs (PacGAN's toy nets: a ReLU generator with batch norm, a maxout discriminator).
    #[default]
    Mlp,
    /// DCGAN (Radford et al. 2016) for 28×28 images: transposed convolutions with batch norm
    /// and ReLU up to tanh; strided convolutions with LeakyReLU down.
    Dcgan,
}

/// The game's losses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanLoss {
    /// Goodfellow et al.'s value function: G minimises E log(1 − D(G(z))).
    Minimax,
    /// The paper's fix for G's early saturation: G maximises E log D(G(z)).
    #[default]
    NonSaturating,
    /// Hinge (Lim & Ye 2017; Miyato et al. 2018): D minimises E relu(1 − D(x)) + E relu(1 + D(G(z))),
    /// G minimises −E D(G(z)).
    Hinge,
}

/// The generator's prior p_z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prior {
    /// N(0, I).
    #[default]
    Gaussian,
    /// U[−1, 1]^L (DCGAN's).
    Uniform,
}

/// Hyper-parameters of a [`Gan`](super::Gan).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GanConfig {
    /// `mlp` or `dcgan`.
    #[serde(default)]
    pub arch: GanArch,
    /// `minimax`, `non-saturating` or `hinge`.
    #[serde(default)]
    pub loss: GanLoss,
    /// `gaussian` or `uniform`.
    #[serde(default)]
    pub prior: Prior,
    /// Latent width L.
    pub latent: usize,
    /// MLP generator hidden widths (each followed by batch norm and ReLU).
    #[serde(default = "default_gen_hidden")]
    pub gen_hidden: Vec<usize>,
    /// MLP discriminator hidden widths (each a maxout of `maxout` pieces).
    #[serde(default = "default_disc_hidden")]
    pub disc_hidden: Vec<usize>,
    /// Pieces per maxout unit of the MLP discriminator (1: LeakyReLU units instead).
    #[serde(default = "default_maxout")]
    pub maxout: usize,
    /// DCGAN base width (the generator's last hidden layer and the discriminator's first).
    #[serde(default = "default_channels")]
    pub channels: usize,
    /// Discriminator steps per generator step.
    #[serde(default = "default_one")]
    pub disc_steps: usize,
    /// The target of real examples in the discriminator's loss: 1 (none) or e.g. 0.9.
    #[serde(default = "default_real_label")]
    pub real_label: f64,
    /// Spectral normalisation of every discriminator layer (then no batch norm in D).
    #[serde(default)]
    pub spectral_norm: bool,
    /// PacGAN's packing degree m: the discriminator sees m samples concatenated.
    #[serde(default = "default_one")]
    pub pack: usize,
}

fn default_gen_hidden() -> Vec<usize> {
    vec![400, 400, 400, 400]
}
fn default_disc_hidden() -> Vec<usize> {
    vec![200, 200, 200]
}
fn default_maxout() -> usize {
    5
}
fn default_channels() -> usize {
    64
}
fn default_one() -> usize {
    1
}
fn default_real_label() -> f64 {
    1.0
}

impl GanConfig {
    /// PacGAN's 2-D toy nets (Lin et al. 2018, `synthetic_data_experiments`): z ∈ ℝ², G with
    /// four ReLU layers of 400 and batch norm, D with three maxout layers of 200 × 5 pieces.
    pub fn toy() -> Self {
        GanConfig {
            arch: GanArch::Mlp,
            loss: GanLoss::NonSaturating,
            prior: Prior::Gaussian,
            latent: 2,
            gen_hidden: default_gen_hidden(),
            disc_hidden: default_disc_hidden(),
            maxout: default_maxout(),
            channels: default_channels(),
            disc_steps: 1,
            real_label: 1.0,
            spectral_norm: false,
            pack: 1,
        }
    }

    /// DCGAN for MNIST: z ∈ ℝ¹⁰⁰ uniform, base width 64.
    pub fn dcgan_mnist() -> Self {
        GanConfig {
            arch: GanArch::Dcgan,
            prior: Prior::Uniform,
            latent: 100,
            ..Self::toy()
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        if self.latent == 0 {
            return bad("gan.latent must be >= 1".into());
        }
        if self.gen_hidden.contains(&0) || self.disc_hidden.contains(&0) {
            return bad("gan.gen_hidden and gan.disc_hidden widths must be >= 1".into());
        }
        if self.maxout == 0 || self.channels == 0 {
            return bad("gan.maxout and gan.channels must be >= 1".into());
        }
        if self.disc_steps == 0 || self.pack == 0 {
            return bad("gan.disc_steps and gan.pack must be >= 1".into());
        }
        if !(self.real_label > 0.5 && self.real_label <= 1.0) {
            return bad(format!(
                "gan.real_label must lie in (0.5, 1], got {}",
                self.real_label
            ));
        }
        Ok(())
    }
}
