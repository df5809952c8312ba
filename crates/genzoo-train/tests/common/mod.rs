//! Shared helpers of the trainer's tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use burn::prelude::*;
use genzoo_models::ModelConfig;
use genzoo_models::vae::Vae;
use genzoo_nn::deterministic_init;
use genzoo_train::data::Splits;
use genzoo_train::report::Silent;
use genzoo_train::run::RunDir;
use genzoo_train::trainer::pictures_of;
use genzoo_train::{Outcome, TrainConfig, Trainer};

/// A small toy-VAE run: 8gaussians, batch 64.
pub const TOY: &str = r#"
name = "t"
seed = 3
[data]
source = "toy"
toy = "8gaussians"
train_size = 500
eval_size = 200
[model]
family = "vae"
hidden = [16, 16]
latent = 2
kl_warmup_steps = 10
[optim]
lr = 3e-3
warmup_steps = 5
grad_clip = 5.0
[trainer]
steps = 40
batch_size = 64
log_every = 10
eval_every = 10
sample_every = 0
checkpoint_every = 10
keep_checkpoints = 2
ema_decay = 0.9
"#;

pub fn config(text: &str, overrides: &[&str]) -> TrainConfig {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    TrainConfig::from_toml(text, Path::new("test"), &o).unwrap()
}

pub fn device() -> Device {
    Device::flex().autodiff()
}

pub fn vae(config: &TrainConfig, splits: &Splits) -> Vae {
    let d = device();
    d.seed(config.seed);
    let ModelConfig::Vae(c) = &config.model else {
        panic!("the test configs are VAEs")
    };
    // Parallel tests share burn's global generator: fix the weights by seed alone.
    deterministic_init(c.init(&splits.spec, &d).unwrap(), config.seed).unwrap()
}

/// Train `config` in `root` (resuming when asked) and return how it ended.
pub fn train(
    config: &TrainConfig,
    splits: &Splits,
    root: &Path,
    resume: bool,
    stop: bool,
) -> Outcome {
    let mut silent = Silent;
    let flag = Arc::new(AtomicBool::new(stop));
    let mut t = Trainer::new(
        config,
        RunDir::new(root),
        splits,
        device(),
        flag,
        &mut silent,
    );
    t.train(vae(config, splits), resume, pictures_of::<Vae>)
        .unwrap()
        .1
}
