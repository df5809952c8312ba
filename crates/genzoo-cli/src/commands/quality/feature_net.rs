//! The feature net of the quality metrics: a classifier run, found, checked and loaded, with
//! its identity (checkpoint, step, SHA-256 of the weights); and the MNIST images it reads.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use genzoo_data::{Array, ImageView, Split, ViewRng, load_mnist_split, to_array};
use genzoo_eval::quality::FeatureNet;
use genzoo_models::Classify;
use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE};
use genzoo_train::config::DataConfig;
use genzoo_train::data;
use genzoo_train::trainer::load_weights;
use sha2::{Digest, Sha256};

use crate::commands::setup::{Loaded, MNIST_ENV, load_checkpoint, resolve_data_dir};
use crate::family::{WithModel, Zoo, with_model};

/// A feature run, located but not yet built.
pub struct FeatureRun {
    pub loaded: Loaded,
}

impl FeatureRun {
    /// Find the run (best checkpoint) and its MNIST directory (`data_dir`, else
    /// $GENZOO_MNIST_DIR, else its config's).
    pub fn open(path: &Path, data_dir: Option<&Path>, device: &Device) -> Result<Self> {
        if !path.exists() {
            bail!(
                "feature run {} does not exist: train one with `genzoo train --preset \
                 mnist_features`",
                path.display()
            );
        }
        let mut loaded = load_checkpoint(path, true, None)
            .with_context(|| format!("opening the feature run {}", path.display()))?;
        if !matches!(loaded.config.data, DataConfig::Mnist(_)) {
            bail!(
                "feature run {} was trained on 2-D toy points, not MNIST",
                path.display()
            );
        }
        resolve_data_dir(&mut loaded.config, data_dir).with_context(|| {
            format!("the MNIST test set is the reference: pass --data-dir DIR or set {MNIST_ENV}")
        })?;
        let run = FeatureRun { loaded };
        run.with_net(device, |_, _| Ok(()))?;
        Ok(run)
    }

    /// Build the net, load its weights, and hand it with its identity to `work`.
    pub fn with_net<T>(
        &self,
        device: &Device,
        work: impl FnOnce(&dyn Classify, &FeatureNet) -> Result<T>,
    ) -> Result<T> {
        let spec = data::spec(&self.loaded.config.data)?;
        let job = FeatureJob {
            loaded: &self.loaded,
            work,
            out: std::marker::PhantomData,
        };
        with_model(&self.loaded.config.model, &spec, device, job)
    }
}

struct FeatureJob<'a, F, T> {
    loaded: &'a Loaded,
    work: F,
    out: std::marker::PhantomData<fn() -> T>,
}

impl<T, F: FnOnce(&dyn Classify, &FeatureNet) -> Result<T>> WithModel for FeatureJob<'_, F, T> {
    type Out = T;
    fn run<M: Zoo>(self, model: M) -> Result<T> {
        let cfg = &self.loaded.config;
        let run = self.loaded.ckpt.parent().and_then(Path::parent);
        let name = run.unwrap_or(&self.loaded.ckpt).display();
        if model.classify().is_none() {
            bail!(
                "feature run {name} is a {} run, not a classifier: train one with `genzoo train \
                 --preset mnist_features`",
                cfg.model.family()
            );
        }
        // A feature net is used as trained; EMA weights where the run keeps them.
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, true)?;
        let Some(net) = model.classify() else {
            bail!("feature run {name} lost its classifier view");
        };
        let file = self
            .loaded
            .ckpt
            .join(if used_ema { EMA_FILE } else { MODEL_FILE });
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let sha256: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let DataConfig::Mnist(m) = &cfg.data else {
            bail!("feature run {name} was not trained on MNIST");
        };
        let id = FeatureNet {
            family: cfg.model.family().to_string(),
            checkpoint: self.loaded.ckpt.display().to_string(),
            step: checkpoint::read_state(&self.loaded.ckpt)?.step,
            weights: if used_ema { "EMA" } else { "raw" }.to_string(),
            sha256,
            input_shape: data::spec(&cfg.data)?.example_shape,
            view: m.view.clone(),
        };
        (self.work)(net, &id)
    }
}

/// The MNIST split `split` as `[n, 1, 28, 28]` intensities under `view`.
pub fn mnist_images(loaded: &Loaded, split: Split, view: ImageView) -> Result<Array> {
    let DataConfig::Mnist(m) = &loaded.config.data else {
        bail!("the feature run has no MNIST directory");
    };
    let set = load_mnist_split(&m.dir, split)?;
    Ok(to_array(&set.images, view, ViewRng::new(split, 0, 0)))
}

/// The whole MNIST test set under `view`.
pub fn reference_set(loaded: &Loaded, view: ImageView) -> Result<Array> {
    mnist_images(loaded, Split::Test, view)
}
