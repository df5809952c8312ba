//! `genzoo probe`: the linear probe of a representation run ([`genzoo_eval::probe`]), beside a
//! randomly initialised encoder of the same architecture (the run's seed) and raw pixels, each
//! with the same recipe and the same label subsets.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, rng_for};
use genzoo_eval::{Labelled, ProbeOptions, linear_probe};
use genzoo_models::Embed;
use genzoo_train::checkpoint;
use genzoo_train::data::{Splits, load};
use genzoo_train::trainer::{load_weights, tensor_values};

use super::setup::{Loaded, load_checkpoint, resolve_data_dir};
use crate::args::ProbeArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;

/// RNG stream of the probe.
const STREAM_PROBE: u64 = u64::from_be_bytes(*b"probe\0\0\0");
/// Examples embedded at once.
const EMBED_CHUNK: usize = 500;

/// Probe as the arguments say.
pub fn run(args: ProbeArgs) -> Result<()> {
    if args.fractions.is_empty() || args.fractions.iter().any(|f| !(*f > 0.0 && *f <= 1.0)) {
        bail!("--fractions must lie in (0, 1], got {:?}", args.fractions);
    }
    if args.steps == 0 {
        bail!("--steps must be >= 1");
    }
    let mut loaded = load_checkpoint(&args.checkpoint, !args.latest, args.data_dir.as_deref())?;
    resolve_data_dir(&mut loaded.config, args.data_dir.as_deref())?;
    if args.pool.is_some() || args.features.is_some() {
        let genzoo_models::ModelConfig::Cpc(c) = &mut loaded.config.model else {
            bail!(
                "--pool and --features set a cpc run's probe features; this is a {} run",
                loaded.config.model.family()
            );
        };
        if let Some(pool) = args.pool {
            c.pool = pool;
        }
        if let Some(f) = &args.features {
            c.features = f.parse()?;
        }
        loaded.config.model.validate()?;
    }
    let splits = load(&loaded.config.data, loaded.config.seed)?;
    let device = runtime::device(&args.device.device)?;
    device.seed(loaded.config.seed);
    let job = ProbeJob {
        args: &args,
        loaded: &loaded,
        splits: &splits,
        device: device.clone(),
    };
    with_model(&loaded.config.model, &splits.spec, &device, job)
}

struct ProbeJob<'a> {
    args: &'a ProbeArgs,
    loaded: &'a Loaded,
    splits: &'a Splits,
    device: Device,
}

/// Features of every example of `data`, `[n · F]`.
fn features(model: &dyn Embed, data: &Array, device: &Device) -> Result<Vec<f32>> {
    let d = data.example_size();
    let mut out = Vec::with_capacity(data.len() * model.embed_dim());
    for start in (0..data.len()).step_by(EMBED_CHUNK) {
        let end = (start + EMBED_CHUNK).min(data.len());
        let rows = data.slice(start, end);
        let x = Tensor::<2>::from_data(TensorData::new(rows.values, [end - start, d]), device);
        out.extend(tensor_values(model.embed(x)?)?);
    }
    Ok(out)
}

/// Test examples in the PCA picture.
const PICTURE_EXAMPLES: usize = 2000;

/// The first two principal components of the first [`PICTURE_EXAMPLES`] rows of `x`,
/// coloured by `y`, to `path`; the variance they explain is printed.
fn picture(x: &[f32], dim: usize, y: &[u8], path: &std::path::Path) -> Result<()> {
    let n = PICTURE_EXAMPLES.min(y.len());
    let (scores, explained) = genzoo_eval::pca(&x[..n * dim], dim, 2)?;
    let points: Vec<(f64, f64, u8)> = (0..n)
        .map(|i| (scores[2 * i], scores[2 * i + 1], y[i]))
        .collect();
    genzoo_data::save_labelled_points(path, &points, 400)?;
    out!(
        "pca        {}: components explain {:.1}% and {:.1}% of the variance",
        path.display(),
        100.0 * explained[0],
        100.0 * explained[1]
    );
    Ok(())
}

impl WithModel for ProbeJob<'_> {
    type Out = ();
    fn run<M: Zoo>(self, model: M) -> Result<()> {
        let a = self.args;
        let random = model.clone(); // the run's seed, before any training
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, !a.no_ema)?;
        let family = self.loaded.config.model.family();
        let (Some(trained), Some(random)) = (model.embed(), random.embed()) else {
            bail!("a {family} run has no representation to probe; `genzoo probe` takes a cpc run");
        };
        let labels = self
            .splits
            .labels
            .as_ref()
            .context("the probe needs labelled data (MNIST or sequences)")?;
        let train = self.splits.train.head(None);
        let test = self.splits.test.head(None);
        let state = checkpoint::read_state(&self.loaded.ckpt)?;
        let started = Instant::now();
        let mut sets: Vec<(&str, usize, Vec<f32>, Vec<f32>)> = vec![(
            "cpc",
            trained.embed_dim(),
            features(trained, &train, &self.device)?,
            features(trained, &test, &self.device)?,
        )];
        if !a.no_baselines {
            sets.push((
                "random encoder",
                random.embed_dim(),
                features(random, &train, &self.device)?,
                features(random, &test, &self.device)?,
            ));
            sets.push((
                // Images' baseline is their pixels; sequences' their samples.
                if self.splits.view.is_some() {
                    "raw pixels"
                } else {
                    "raw values"
                },
                train.example_size(),
                train.values.clone(),
                test.values.clone(),
            ));
        }
        // One permutation of the training examples; a fraction takes its head.
        let mut order: Vec<usize> = (0..train.len()).collect();
        let mut rng = rng_for(a.seed, STREAM_PROBE, 0);
        for i in (1..order.len()).rev() {
            order.swap(i, rand::Rng::random_range(&mut rng, 0..=i));
        }
        let options = ProbeOptions {
            steps: a.steps,
            ..ProbeOptions::default()
        };
        let weights = if used_ema { "EMA" } else { "raw" };
        out!(
            "probe      {} (step {}, {weights} weights): linear, {} steps of {} at lr {}, test set {}",
            self.loaded.ckpt.display(),
            state.step,
            options.steps,
            options.batch,
            options.lr,
            test.len()
        );
        let autodiff = self.device.clone().autodiff();
        let mut rows = Vec::new();
        for (name, dim, xtr, xte) in &sets {
            let mut line = format!("{name:<15} {dim:>5} features ");
            for &f in &a.fractions {
                let n = ((f * train.len() as f64).round() as usize).clamp(1, train.len());
                let idx = &order[..n];
                let x: Vec<f32> = idx
                    .iter()
                    .flat_map(|&i| xtr[i * dim..(i + 1) * dim].iter().copied())
                    .collect();
                let y: Vec<u8> = idx.iter().map(|&i| labels.train[i]).collect();
                let mut rng = rng_for(a.seed, STREAM_PROBE, 1);
                let acc = linear_probe(
                    Labelled {
                        x: &x,
                        y: &y,
                        dim: *dim,
                    },
                    Labelled {
                        x: xte,
                        y: &labels.test[..test.len()],
                        dim: *dim,
                    },
                    labels.classes,
                    options,
                    &mut rng,
                    &autodiff,
                )?;
                line.push_str(&format!(
                    " {:>5.1}% labels: {:6.2}%",
                    100.0 * f,
                    100.0 * acc
                ));
                rows.push(serde_json::json!({
                    "features": name, "dim": dim, "fraction": f, "labels": n, "accuracy": acc,
                }));
            }
            out!("{line}");
        }
        if let Some(path) = &a.picture {
            let y = &labels.test[..test.len()];
            picture(&sets[0].3, sets[0].1, y, path)?;
            let pixels = path.with_file_name(format!(
                "{}-pixels.png",
                path.file_stem().and_then(|s| s.to_str()).unwrap_or("pca")
            ));
            picture(&test.values, test.example_size(), y, &pixels)?;
            out!("pictures   {} and {}", path.display(), pixels.display());
        }
        let secs = started.elapsed().as_secs_f64();
        out!("time       {secs:.1} s");
        let json = serde_json::json!({
            "family": family, "checkpoint": self.loaded.ckpt.display().to_string(),
            "step": state.step, "weights": weights, "steps": options.steps,
            "batch": options.batch, "lr": options.lr, "weight_decay": options.weight_decay,
            "rows": rows, "seconds": secs,
        });
        if let Some(root) = self.loaded.ckpt.parent().and_then(std::path::Path::parent) {
            // Named by the recipe too, so a quick probe never overwrites a full one.
            let path = root.join("eval").join(format!(
                "probe-step{}-steps{}-pool{}-{}{}.json",
                state.step,
                options.steps,
                a.pool.map_or_else(|| "-run".to_string(), |p| p.to_string()),
                a.features.as_deref().unwrap_or("run"),
                if a.no_baselines { "-alone" } else { "" }
            ));
            genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
            out!("written    {}", path.display());
        }
        Ok(())
    }
}
