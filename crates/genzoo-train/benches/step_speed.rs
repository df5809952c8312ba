//! Speed of each family's whole training step at its preset size — the MLP families and the
//! conv nets (conv VAE, EfficientNet, the feature net, the diffusion U-Net) and CPC (patch
//! grid on MNIST; strided convs and a GRU on sequences) and DCGAN (one discriminator and one
//! generator update) — for the
//! side-by-side with PyTorch (`bench/pytorch/step_speed.py` builds the same nets).
//!
//! ```text
//! nice cargo bench -p genzoo-train --bench step_speed             # all nets, ~2 min on 2 cores
//! nice cargo bench -p genzoo-train --bench step_speed -- nice     # one net by preset-name filter
//! ```
//! Each net is built from its preset file in `configs/` (model, Adam settings, batch size), so
//! the timed step is the one `genzoo train --preset …` runs: the family's own `train_step`
//! (forward, loss, backward, gradient clipping, Adam), on one fixed batch of synthetic data of
//! the preset's kind (uniform [0, 1) for dequantised images, Bernoulli(½) for binary ones, digit
//! labels cycling 0..9 for classifiers; the dense ops cost the same whatever the values). The
//! data pipeline is not timed. Median of
//! `REPS` steps after `WARMUP` steps (allocator, rayon pool, and Adam's moments, whose first
//! update allocates them).
//! Output: a Markdown table on stdout.

use std::path::PathBuf;
use std::time::Instant;

use burn::prelude::*;
use genzoo_data::rng_for;
use genzoo_models::{
    Batch, DataKind, DataSpec, Family, ModelConfig, OptimGroup, Optimizers, StepCx,
};
use genzoo_nn::Adam;
use genzoo_train::TrainConfig;
use genzoo_train::config::{DataConfig, OptimConfig};
use rand::Rng;

/// The binary's allocator, so the step timed is the step `genzoo train` runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Timed steps per net (median reported).
const REPS: usize = 9;
/// Untimed steps first.
const WARMUP: usize = 2;
/// The presets timed: the families whose training runs are long, MLP then conv.
const PRESETS: &[&str] = &[
    "mnist_nice",
    "mnist_made_wide",
    "mnist_made",
    "mnist_vae",
    "mnist_vae_conv",
    "mnist_efficientnet",
    "mnist_features",
    "mnist_ddpm",
    "mnist_cpc",
    "seq_cpc",
    "mnist_dcgan",
];
/// MNIST classes (labels of the classifiers' batch).
const CLASSES: i64 = 10;

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// A synthetic batch `[B, D]` of the preset's value kind, with labels `[B]`.
fn batch(kind: DataKind, b: usize, dim: usize, device: &Device) -> Batch {
    let mut rng = rng_for(0, 0, 0);
    let values: Vec<f32> = (0..b * dim)
        .map(|_| match kind {
            DataKind::Binary => f32::from(u8::from(rng.random_bool(0.5))),
            DataKind::Continuous => rng.random::<f32>(),
        })
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(values, [b, dim]), device); // [B, D]
    let labels: Vec<i64> = (0..b as i64).map(|i| i % CLASSES).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [b]), device); // [B]
    Batch {
        x,
        y: Some(y),
        x0: None,
    }
}

/// Median ms of one `train_step` with each group's settings (at its peak rate), and the
/// parameter count.
fn time_steps<F: Family>(model: F, batch: &Batch, optim: &OptimConfig) -> (f64, usize) {
    let params = model.num_params();
    let mut optim = Optimizers {
        groups: F::GROUPS
            .iter()
            .map(|&name| {
                let settings = optim.group(name);
                OptimGroup {
                    name,
                    adam: Adam::new(settings.adam()),
                    lr: settings.lr,
                }
            })
            .collect(),
    };
    let mut model = Some(model);
    let mut times = Vec::with_capacity(REPS);
    for step in 0..(WARMUP + REPS) as u64 {
        let mut rng = rng_for(1, 0, step);
        let mut cx = StepCx {
            rng: &mut rng,
            step,
        };
        let start = Instant::now();
        let current = model.take().expect("the model is put back every step");
        let (next, _) = current
            .train_step(batch, &mut optim, &mut cx)
            .expect("a preset's step runs");
        model = Some(next);
        if step >= WARMUP as u64 {
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    times.sort_by(f64::total_cmp);
    (times[REPS / 2], params)
}

fn main() {
    genzoo_train::allocator::keep_freed_memory();
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../configs");
    let ad = Device::flex().autodiff();
    println!("| preset | parameters | batch | train step (ms) | load |\n|---|---|---|---|---|");
    for name in PRESETS {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let config =
            TrainConfig::load(&root.join(format!("{name}.toml")), &[]).expect("the preset parses");
        let kind = match &config.data {
            DataConfig::Mnist(m) if m.view.starts_with("binary") => DataKind::Binary,
            _ => DataKind::Continuous,
        };
        let spec = DataSpec {
            kind,
            ..genzoo_train::data::spec(&config.data).expect("the preset's data has a shape")
        };
        let b = config.trainer.batch_size;
        let data = batch(kind, b, spec.dim(), &ad);
        let o = &config.optim;
        let (ms, params) = match &config.model {
            ModelConfig::Nice(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Made(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Vae(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Classifier(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Ddpm(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Cpc(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            ModelConfig::Gan(c) => time_steps(c.init(&spec, &ad).expect("builds"), &data, o),
            other => panic!("{name}: no timing for family {}", other.family()),
        };
        println!("| {name} | {params} | {b} | {ms:.1} | {} |", load());
    }
}
