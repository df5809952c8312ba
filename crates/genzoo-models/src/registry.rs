//! Every family's configuration, tagged by name: the `[model]` table of a run config.
//!
//! ```toml
//! [model]
//! family = "vae"
//! hidden = [200, 200]
//! latent = 50
//! ```

use serde::{Deserialize, Serialize};

use crate::autoregressive::{Fvsbn, FvsbnConfig, Made, MadeConfig, Nade, NadeConfig};
use crate::classifier::{Classifier, ClassifierConfig};
use crate::cpc::{Cpc, CpcConfig};
use crate::diffusion::{Ddpm, DdpmConfig};
use crate::flows::{Nice, NiceConfig, PlanarConfig, PlanarFlow, RealNvp, RealNvpConfig};
use crate::gan::{Gan, GanConfig};
use crate::rectified_flow::{RectifiedFlow, RectifiedFlowConfig};
use crate::vae::{Vae, VaeConfig};
use crate::{Family, ModelError};

/// A family and its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "lowercase")]
pub enum ModelConfig {
    /// Variational autoencoder.
    Vae(VaeConfig),
    /// Fully visible sigmoid belief network.
    Fvsbn(FvsbnConfig),
    /// Neural autoregressive distribution estimator.
    Nade(NadeConfig),
    /// Masked autoencoder for distribution estimation.
    Made(MadeConfig),
    /// A classifier (MLP, small CNN or EfficientNet); labelled data only.
    Classifier(ClassifierConfig),
    /// Denoising diffusion (DDPM training, DDPM/DDIM sampling).
    Ddpm(DdpmConfig),
    /// RealNVP: affine coupling flow.
    RealNvp(RealNvpConfig),
    /// NICE: additive coupling flow.
    Nice(NiceConfig),
    /// Planar or radial flow (density estimation or reverse KL to an energy).
    Planar(PlanarConfig),
    /// Generative adversarial network (MLP or DCGAN).
    Gan(GanConfig),
    /// Rectified flow: straight-path velocity regression, ODE sampling, reflow, distillation.
    #[serde(rename = "rectified_flow")]
    RectifiedFlow(RectifiedFlowConfig),
    /// Contrastive predictive coding on image patches (representation learning).
    Cpc(CpcConfig),
}

/// Family names a config may use, for error messages.
pub const FAMILIES: &[&str] = &[
    "vae",
    "fvsbn",
    "nade",
    "made",
    "classifier",
    "ddpm",
    "realnvp",
    "nice",
    "planar",
    "gan",
    "rectified_flow",
    "cpc",
];

impl ModelConfig {
    /// The family's name.
    pub fn family(&self) -> &'static str {
        match self {
            ModelConfig::Vae(_) => "vae",
            ModelConfig::Fvsbn(_) => "fvsbn",
            ModelConfig::Nade(_) => "nade",
            ModelConfig::Made(_) => "made",
            ModelConfig::Classifier(_) => "classifier",
            ModelConfig::Ddpm(_) => "ddpm",
            ModelConfig::RealNvp(_) => "realnvp",
            ModelConfig::Nice(_) => "nice",
            ModelConfig::Planar(_) => "planar",
            ModelConfig::Gan(_) => "gan",
            ModelConfig::RectifiedFlow(_) => "rectified_flow",
            ModelConfig::Cpc(_) => "cpc",
        }
    }

    /// The family's optimiser groups ([`Family::GROUPS`]), which `[optim.<group>]` tables of a
    /// run config may name.
    pub fn groups(&self) -> &'static [&'static str] {
        match self {
            ModelConfig::Vae(_) => Vae::GROUPS,
            ModelConfig::Fvsbn(_) => Fvsbn::GROUPS,
            ModelConfig::Nade(_) => Nade::GROUPS,
            ModelConfig::Made(_) => Made::GROUPS,
            ModelConfig::Classifier(_) => Classifier::GROUPS,
            ModelConfig::Ddpm(_) => Ddpm::GROUPS,
            ModelConfig::RealNvp(_) => RealNvp::GROUPS,
            ModelConfig::Nice(_) => Nice::GROUPS,
            ModelConfig::Planar(_) => PlanarFlow::GROUPS,
            ModelConfig::Gan(_) => Gan::GROUPS,
            ModelConfig::RectifiedFlow(_) => RectifiedFlow::GROUPS,
            ModelConfig::Cpc(_) => Cpc::GROUPS,
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            ModelConfig::Vae(c) => c.validate(),
            ModelConfig::Fvsbn(c) => c.validate(),
            ModelConfig::Nade(c) => c.validate(),
            ModelConfig::Made(c) => c.validate(),
            ModelConfig::Classifier(c) => c.validate(),
            ModelConfig::Ddpm(c) => c.validate(),
            ModelConfig::RealNvp(c) => c.validate(),
            ModelConfig::Nice(c) => c.validate(),
            ModelConfig::Planar(c) => c.validate(),
            ModelConfig::Gan(c) => c.validate(),
            ModelConfig::RectifiedFlow(c) => c.validate(),
            ModelConfig::Cpc(c) => c.validate(),
        }
    }
}
