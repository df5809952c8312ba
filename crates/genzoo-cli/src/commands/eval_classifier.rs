//! `genzoo eval` for a classifier: accuracy, cross-entropy and, for a one-vs-rest task, the F1
//! of the positive class, on the test (or validation) split.

use std::time::Instant;

use anyhow::{Context, Result};
use burn::prelude::*;
use genzoo_data::{Array, Split};
use genzoo_models::classifier::ClassifierScores;
use genzoo_train::trainer::eval_array;
use rand_chacha::ChaCha8Rng;

use super::setup::Loaded;
use crate::family::Zoo;

/// What the evaluation runs on.
pub struct ClassifierEval<'a> {
    /// The run.
    pub loaded: &'a Loaded,
    /// Its data.
    pub splits: &'a genzoo_train::data::Splits,
    /// Which split.
    pub split: Split,
    /// The examples (the split's first N).
    pub data: &'a Array,
    /// Whether the weights are the EMA's.
    pub used_ema: bool,
    /// Checkpoint step.
    pub step: u64,
    /// Wall-clock training time of the checkpoint, seconds.
    pub training_seconds: f64,
    /// Inference device.
    pub device: &'a Device,
}

/// Evaluate `model` and print (and store) its scores.
pub fn evaluate<M: Zoo>(model: &M, e: ClassifierEval, rng: &mut ChaCha8Rng) -> Result<()> {
    let cfg = &e.loaded.config;
    let labels = e
        .splits
        .labels
        .as_ref()
        .context("a classifier is evaluated on labelled data; this data has no labels")?;
    let labels = match e.split {
        Split::Valid => &labels.valid,
        _ => &labels.test,
    };
    let labels = &labels[..e.data.len()];
    let started = Instant::now();
    let m = eval_array(
        model,
        genzoo_train::trainer::EvalData {
            x: e.data,
            labels: Some(labels),
            sources: None,
        },
        cfg.trainer.batch_size,
        rng,
        e.step,
        e.device,
    )?;
    let scores = ClassifierScores::from_metrics(&m)
        .context("the model's evaluation metrics are not a classifier's")?;
    let secs = started.elapsed().as_secs_f64();
    let weights = if e.used_ema { "EMA" } else { "raw" };
    out!(
        "accuracy   {:.4}  ({:.2} % error)",
        scores.accuracy,
        100.0 * (1.0 - scores.accuracy)
    );
    out!("CE         {:.4} nats", scores.cross_entropy);
    if let Some(f1) = scores.f1 {
        out!("F1         {f1:.4}  (positive class of the one-vs-rest task)");
    }
    out!(
        "model      {} ({}), step {}, {weights} weights",
        cfg.model.family(),
        e.loaded.ckpt.display(),
        e.step
    );
    out!("data       {} split, {} examples", e.split, e.data.len());
    out!("time       {secs:.1} s");
    let mut json = serde_json::json!({
        "family": cfg.model.family(), "checkpoint": e.loaded.ckpt.display().to_string(),
        "step": e.step, "weights": weights, "split": e.split.to_string(),
        "examples": e.data.len(), "accuracy": scores.accuracy, "ce": scores.cross_entropy,
        "seconds": secs, "config": toml::to_string(&cfg.model)?,
        "parameters": model.num_params(), "training_seconds": e.training_seconds,
    });
    if let Some(f1) = scores.f1 {
        json["f1"] = f1.into();
    }
    let run_root = e.loaded.ckpt.parent().and_then(std::path::Path::parent);
    if let Some(root) = run_root {
        let path = root
            .join("eval")
            .join(format!("{}-classifier-step{}.json", e.split, e.step));
        genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
        out!("written    {}", path.display());
    }
    Ok(())
}
