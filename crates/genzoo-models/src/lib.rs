//! genzoo's model families and the traits the shared pipeline drives them through.
//!
//! A family is a burn [`Module`](burn::module::Module) that implements [`Family`]: it computes
//! its losses, steps its own optimiser groups and returns [`Metrics`]; it does no I/O and prints
//! nothing. Capabilities beyond training are separate traits ([`Sample`], [`LatentVariable`],
//! [`Classify`], [`sampling::IterativeSample`]) that a family has or lacks, so an evaluator that
//! needs one is a bounded generic and an impossible pairing fails to compile.
//!
//! Families: [`vae`]; [`autoregressive`] (FVSBN, NADE, MADE); [`diffusion`] (DDPM/DDIM);
//! [`flows`] (RealNVP, NICE, planar/radial); [`gan`]; [`rectified_flow`]; [`cpc`] (contrastive predictive coding, judged by a linear probe); [`classifier`] (MLP, CNN, EfficientNet, soft-metric
//! losses: the feature net of the sample-quality metrics).

pub mod autoregressive;
pub mod classifier;
pub mod conditioned;
pub mod cpc;
pub mod diffusion;
pub mod error;
pub mod family;
pub mod flows;
pub mod gan;
pub mod likelihood;
pub mod rectified_flow;
pub mod registry;
pub mod sampling;
mod step;
pub mod vae;

pub use error::ModelError;
pub use family::{
    Batch, Classify, DataKind, DataSpec, Embed, ExactLikelihood, Family, LatentGenerator,
    LatentVariable, Metrics, OptimGroup, Optimizers, Sample, StepCx,
};
pub use registry::{FAMILIES, ModelConfig};
