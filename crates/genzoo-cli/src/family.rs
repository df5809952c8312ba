//! The one place that maps a config's family to its Rust type.

use anyhow::Result;
use burn::prelude::*;
use genzoo_models::{DataSpec, Family, LatentVariable, ModelConfig, Sample};

/// Something to do with a freshly built model of whatever family the config names.
pub trait WithModel {
    /// What it produces.
    type Out;
    /// Do it.
    fn run<M: Family + Sample + LatentVariable>(self, model: M) -> Result<Self::Out>;
}

/// Build the model a config describes on `device` (initial weights fixed by the device's seed)
/// and hand it to `job`.
pub fn with_model<W: WithModel>(
    config: &ModelConfig,
    spec: &DataSpec,
    device: &Device,
    job: W,
) -> Result<W::Out> {
    match config {
        ModelConfig::Vae(c) => {
            let model = c.init(spec, device)?;
            genzoo_nn::materialize(&model);
            job.run(model)
        }
    }
}
