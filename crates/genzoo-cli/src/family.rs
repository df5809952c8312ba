//! The one place that maps a config's family to its Rust type, and what each family can do
//! beyond training.

use anyhow::Result;
use burn::prelude::*;
use genzoo_models::autoregressive::{Fvsbn, Made, Nade};
use genzoo_models::classifier::Classifier;
use genzoo_models::cpc::Cpc;
use genzoo_models::diffusion::Ddpm;
use genzoo_models::flows::{Nice, PlanarFlow, RealNvp};
use genzoo_models::gan::Gan;
use genzoo_models::rectified_flow::RectifiedFlow;
use genzoo_models::sampling::IterativeSample;
use genzoo_models::vae::Vae;
use genzoo_models::{
    Classify, DataSpec, Embed, ExactLikelihood, Family, LatentGenerator, LatentVariable,
    ModelConfig, Sample,
};
use genzoo_rf::ConvGeometry;

/// A family as the CLI drives it: trainable, and asked at run time for each capability a
/// command needs (each a trait the family has or lacks), so that a command can say clearly
/// what a run cannot do.
pub trait Zoo: Family {
    /// The generator (samples, training pictures), if the family generates.
    fn generator(&self) -> Option<&dyn Sample> {
        None
    }
    /// The samplers chosen at sampling time (`genzoo sample --sampler ...`), if the family
    /// generates step by step.
    fn iterative(&self) -> Option<&dyn IterativeSample> {
        None
    }
    /// The latent-variable view (IWAE bound, reconstructions, latent pictures), if any.
    fn latent(&self) -> Option<&dyn LatentVariable> {
        None
    }
    /// Features for a linear probe (`genzoo probe`), if the family learns representations.
    fn embed(&self) -> Option<&dyn Embed> {
        None
    }
    /// The generator of codes with a known prior (latent interpolations), if any.
    fn latent_generator(&self) -> Option<&dyn LatentGenerator> {
        None
    }
    /// The exact log-likelihood, if the family has one.
    fn exact(&self) -> Option<&dyn ExactLikelihood> {
        None
    }
    /// The classifier view (features for FID/KID, class scores), if the family is one.
    fn classify(&self) -> Option<&dyn Classify> {
        None
    }
    /// The flow whose ODE carries noise to data (`genzoo pairs`, straightness), if the
    /// family is a rectified flow.
    fn transport(&self) -> Option<&RectifiedFlow> {
        None
    }
    /// The convolutional networks inside, by role, for `genzoo rf`.
    fn conv_nets(&self) -> Vec<(&'static str, &dyn ConvGeometry)> {
        Vec::new()
    }
}

impl Zoo for Ddpm {
    fn generator(&self) -> Option<&dyn Sample> {
        Some(self)
    }
    fn iterative(&self) -> Option<&dyn IterativeSample> {
        Some(self)
    }
}

impl Zoo for RectifiedFlow {
    fn generator(&self) -> Option<&dyn Sample> {
        Some(self)
    }
    fn iterative(&self) -> Option<&dyn IterativeSample> {
        Some(self)
    }
    fn transport(&self) -> Option<&RectifiedFlow> {
        Some(self)
    }
}

impl Zoo for Cpc {
    fn embed(&self) -> Option<&dyn Embed> {
        Some(self)
    }
}

impl Zoo for Gan {
    fn generator(&self) -> Option<&dyn Sample> {
        Some(self)
    }
    fn latent_generator(&self) -> Option<&dyn LatentGenerator> {
        Some(self)
    }
}

impl Zoo for Classifier {
    fn classify(&self) -> Option<&dyn Classify> {
        Some(self)
    }
    fn conv_nets(&self) -> Vec<(&'static str, &dyn ConvGeometry)> {
        Classifier::conv_nets(self)
    }
}

impl Zoo for Vae {
    fn generator(&self) -> Option<&dyn Sample> {
        Some(self)
    }
    fn latent(&self) -> Option<&dyn LatentVariable> {
        Some(self)
    }
    fn conv_nets(&self) -> Vec<(&'static str, &dyn ConvGeometry)> {
        Vae::conv_nets(self)
    }
}

macro_rules! exact_zoo {
    ($($t:ty),*) => {$(
        impl Zoo for $t {
            fn generator(&self) -> Option<&dyn Sample> {
                Some(self)
            }
            fn exact(&self) -> Option<&dyn ExactLikelihood> {
                Some(self)
            }
        }
    )*};
}
exact_zoo!(Fvsbn, Nade, Made, RealNvp, Nice, PlanarFlow);

/// Something to do with a freshly built model of whatever family the config names.
pub trait WithModel {
    /// What it produces.
    type Out;
    /// Do it.
    fn run<M: Zoo>(self, model: M) -> Result<Self::Out>;
}

/// Build the model a config describes on `device` (initial weights fixed by the device's seed)
/// and hand it to `job`.
pub fn with_model<W: WithModel>(
    config: &ModelConfig,
    spec: &DataSpec,
    device: &Device,
    job: W,
) -> Result<W::Out> {
    fn go<M: Zoo, W: WithModel>(model: M, job: W) -> Result<W::Out> {
        genzoo_nn::materialize(&model);
        job.run(model)
    }
    match config {
        ModelConfig::Vae(c) => go(c.init(spec, device)?, job),
        ModelConfig::Fvsbn(c) => go(c.init(spec, device)?, job),
        ModelConfig::Nade(c) => go(c.init(spec, device)?, job),
        ModelConfig::Made(c) => go(c.init(spec, device)?, job),
        ModelConfig::Classifier(c) => go(c.init(spec, device)?, job),
        ModelConfig::Ddpm(c) => go(c.init(spec, device)?, job),
        ModelConfig::RealNvp(c) => go(c.init(spec, device)?, job),
        ModelConfig::Nice(c) => go(c.init(spec, device)?, job),
        ModelConfig::Planar(c) => go(c.init(spec, device)?, job),
        ModelConfig::Gan(c) => go(c.init(spec, device)?, job),
        ModelConfig::RectifiedFlow(c) => go(c.init(spec, device)?, job),
        ModelConfig::Cpc(c) => go(c.init(spec, device)?, job),
    }
}
