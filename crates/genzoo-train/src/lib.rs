//! The shared training pipeline: configs, data sources, the step loop, checkpoints and run
//! directories. It drives any [`Family`](genzoo_models::Family) and knows none of them.
//!
//! - [`allocator`]: the binaries' mimalloc tuning;
//! - [`config`]: the TOML run configuration, validation and `--set` overrides;
//! - [`data`]: built-in toys and MNIST views as [`data::DataSource`]s;
//! - [`schedule`]: learning-rate warm-up and cosine decay;
//! - [`tensors`]: named tensors ↔ safetensors files;
//! - [`checkpoint`]: atomic checkpoints and exact resume;
//! - [`run`]: the run directory (`config.toml`, `metrics.jsonl`, `samples/`, `ckpt/`);
//! - [`report`]: progress bar and fixed-width log lines;
//! - [`trainer`]: the loop.

pub mod allocator;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod error;
pub mod pairs;
pub mod report;
pub mod run;
pub mod schedule;
pub mod tensors;
pub mod trainer;

pub use config::TrainConfig;
pub use error::TrainError;
pub use trainer::{Outcome, Trainer};
