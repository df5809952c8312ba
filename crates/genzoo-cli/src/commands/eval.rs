//! `genzoo eval`: the likelihood bounds of a trained model on a split.

use std::time::Instant;

use anyhow::{Result, bail};
use burn::prelude::*;
use genzoo_data::{Array, Split, rng_for};
use genzoo_eval::{IwaeOptions, bits_per_dim, bits_per_dim_8bit, exact_nll, iwae};
use genzoo_models::DataKind;
use genzoo_train::checkpoint;
use genzoo_train::data::load;
use genzoo_train::trainer::load_weights;
use indicatif::{ProgressBar, ProgressStyle};
use rand_chacha::ChaCha8Rng;

use super::setup::{Loaded, load_checkpoint, resolve_data_dir};
use crate::args::EvalArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;

/// Samples scored for mode coverage (PacGAN's `num_log_figure_sample`).
const MODE_SAMPLES: usize = 2500;

/// RNG stream of `genzoo eval`.
const STREAM_EVAL_CLI: u64 = u64::from_be_bytes(*b"evalcli\0");

/// Evaluate as the arguments say.
pub fn run(args: EvalArgs) -> Result<()> {
    if args.quality || !args.images.is_empty() || args.features.is_some() {
        return super::quality::run(&args);
    }
    let Some(checkpoint) = args.checkpoint.as_deref() else {
        bail!("name a run to evaluate, or measure images with --images PATH --features RUN");
    };
    let split: Split = args.split.parse()?;
    if split == Split::Train {
        bail!("evaluate on valid or test; the train split measures fit, not generalisation");
    }
    if args.k == Some(0) || args.examples == Some(0) {
        bail!("--k and --examples must be >= 1");
    }
    let mut loaded = load_checkpoint(checkpoint, !args.latest, args.data_dir.as_deref())?;
    if matches!(loaded.config.model, genzoo_models::ModelConfig::Gan(_)) && !args.latest {
        // A GAN's validation losses rank discriminators, not generators: take the newest.
        loaded = load_checkpoint(checkpoint, false, args.data_dir.as_deref())?;
    }
    if !args.overrides.is_empty() {
        let text = loaded.config.to_toml()?;
        loaded.config = genzoo_train::TrainConfig::from_toml(
            &text,
            std::path::Path::new("run config"),
            &args.overrides,
        )?;
    }
    resolve_data_dir(&mut loaded.config, args.data_dir.as_deref())?;
    if let genzoo_models::ModelConfig::Planar(p) = &loaded.config.model
        && let Some(target) = p.target
    {
        // The data of such a run is a placeholder; its likelihood would measure nothing.
        bail!(
            "this planar flow was fitted to the energy {target:?} by reverse KL, not to data: its \
             bound and KL (= bound + log Z) are the `valid` lines of metrics.jsonl; draw it with \
             `genzoo sample RUN --density q.png`"
        );
    }
    let device = runtime::device(&args.device.device)?;
    let splits = load(&loaded.config.data, loaded.config.seed)?;
    let job = EvalJob {
        args: &args,
        loaded: &loaded,
        splits: &splits,
        split,
        device: device.clone(),
    };
    with_model(&loaded.config.model, &splits.spec, &device, job)
}

struct EvalJob<'a> {
    args: &'a EvalArgs,
    loaded: &'a Loaded,
    splits: &'a genzoo_train::data::Splits,
    split: Split,
    device: Device,
}

impl WithModel for EvalJob<'_> {
    type Out = ();
    fn run<M: Zoo>(self, model: M) -> Result<()> {
        let a = self.args;
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, !a.no_ema)?;
        let state = checkpoint::read_state(&self.loaded.ckpt)?;
        let source = match self.split {
            Split::Valid => &self.splits.valid,
            _ => &self.splits.test,
        };
        let data = source.head(a.examples);
        let mut rng = rng_for(a.seed, STREAM_EVAL_CLI, 0);
        if model.classify().is_some() {
            let e = super::eval_classifier::ClassifierEval {
                loaded: self.loaded,
                splits: self.splits,
                split: self.split,
                data: &data,
                used_ema,
                step: state.step,
                training_seconds: state.elapsed_secs,
                device: &self.device,
            };
            return super::eval_classifier::evaluate(&model, e, &mut rng);
        }
        let weights = if used_ema { "EMA" } else { "raw" };
        let cfg = &self.loaded.config;
        let mut json = serde_json::json!({
            "family": cfg.model.family(), "checkpoint": self.loaded.ckpt.display().to_string(),
            "step": state.step, "weights": weights, "split": self.split.to_string(),
            "training_seconds": state.elapsed_secs, "config": toml::to_string(&cfg.model)?,
            "parameters": model.num_params(),
        });
        let started = Instant::now();
        if let (Some(flow), Some(toy)) = (model.transport(), self.splits.toy) {
            let n = a.examples.unwrap_or(super::eval_flow::FLOW_SAMPLES);
            let picture = self
                .loaded
                .ckpt
                .parent()
                .and_then(std::path::Path::parent)
                .map(|root| {
                    root.join("eval")
                        .join(format!("trajectories-step{}.png", state.step))
                });
            if let Some(p) = picture.as_deref().and_then(std::path::Path::parent) {
                std::fs::create_dir_all(p)?;
            }
            super::eval_flow::report(
                flow,
                toy,
                n,
                a.seed,
                &self.device,
                &mut json,
                picture.as_deref(),
            )?;
            json["seconds"] = started.elapsed().as_secs_f64().into();
            return self.write_report(&json, "flow", state.step);
        }
        if model.latent().is_none()
            && model.exact().is_none()
            && let (Some(generator), Some(mixture)) =
                (model.generator(), self.splits.toy.and_then(|t| t.mixture()))
        {
            self.modes(generator, &mixture, &mut rng, &mut json)?;
            self.toy_distance(&model, &mut json)?;
            json["seconds"] = started.elapsed().as_secs_f64().into();
            return self.write_report(&json, "modes", state.step);
        }
        if model.latent().is_none()
            && model.exact().is_none()
            && self.splits.toy.is_some()
            && model.generator().is_some()
        {
            // No likelihood (DDPM, a GAN on a toy without modes): its samples are its score.
            self.toy_distance(&model, &mut json)?;
            json["seconds"] = started.elapsed().as_secs_f64().into();
            return self.write_report(&json, "samples", state.step);
        }
        let (nll, label) = self.likelihood(&model, &data, &mut rng, &mut json)?;
        let secs = started.elapsed().as_secs_f64();
        json["nll"] = nll.into();
        json["seconds"] = secs.into();
        out!(
            "model      {} ({}), step {}, {weights} weights",
            cfg.model.family(),
            self.loaded.ckpt.display(),
            state.step
        );
        out!(
            "data       {} split, {} examples of dimension {}",
            self.split,
            data.len(),
            self.splits.spec.dim()
        );
        self.report_scale(nll, &mut json);
        self.toy_distance(&model, &mut json)?;
        out!("time       {secs:.1} s");
        self.write_report(&json, &label, state.step)
    }
}

impl EvalJob<'_> {
    /// The NLL of `data` in nats, by the model's own estimator (the IWAE bound of a
    /// latent-variable model, the exact likelihood otherwise), printed and recorded in `json`;
    /// with the label of its report file (`k5000`, `exact`).
    fn likelihood<M: Zoo>(
        &self,
        model: &M,
        data: &Array,
        rng: &mut ChaCha8Rng,
        json: &mut serde_json::Value,
    ) -> Result<(f64, String)> {
        let cfg = &self.loaded.config;
        let bar = ProgressBar::new(data.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} examples  ETA {eta}")
        {
            bar.set_style(style);
        }
        let mut progress = |done: usize, _| bar.set_position(done as u64);
        if let Some(latent) = model.latent() {
            let k = self.args.k.unwrap_or(cfg.eval.iwae_k);
            let options = IwaeOptions {
                k,
                max_rows: cfg.eval.max_rows,
            };
            let r = iwae(latent, data, &options, rng, &self.device, &mut progress)?;
            bar.finish_and_clear();
            out!("ELBO       {:.3} nats  (-ELBO {:.3})", -r.nelbo, r.nelbo);
            out!("IWAE k={k:<5} NLL {:.3} ± {:.3} nats", r.nll, r.nll_stderr);
            json["k"] = k.into();
            json["nelbo"] = r.nelbo.into();
            json["nll_stderr"] = r.nll_stderr.into();
            json["examples"] = r.n.into();
            Ok((r.nll, format!("k{k}")))
        } else if let Some(exact) = model.exact() {
            let batch = cfg.trainer.batch_size;
            let r = exact_nll(exact, data, batch, &self.device, &mut progress)?;
            bar.finish_and_clear();
            out!("NLL        {:.3} ± {:.3} nats (exact)", r.nll, r.nll_stderr);
            json["nll_stderr"] = r.nll_stderr.into();
            json["examples"] = r.n.into();
            Ok((r.nll, "exact".to_string()))
        } else {
            bail!(
                "the {} family has no likelihood to evaluate",
                cfg.model.family()
            );
        }
    }

    /// Mode coverage of a generator on a mode-counting toy (`ring8`, `grid25`): `--examples`
    /// samples (default [`MODE_SAMPLES`], PacGAN's), each high-quality within 3σ of its
    /// nearest mode; printed and recorded in `json`.
    fn modes(
        &self,
        generator: &dyn genzoo_models::Sample,
        mixture: &genzoo_data::mixture::GaussianMixture2d,
        rng: &mut ChaCha8Rng,
        json: &mut serde_json::Value,
    ) -> Result<()> {
        let n = self.args.examples.unwrap_or(MODE_SAMPLES);
        let x = generator.sample(n, rng, &self.device)?;
        let values = genzoo_nn::host::to_vec(x, "samples")?;
        let points: Vec<[f64; 2]> = values
            .chunks_exact(2)
            .map(|p| [f64::from(p[0]), f64::from(p[1])])
            .collect();
        let r = genzoo_eval::ModeReport::from_mixture(&points, &mixture.means, mixture.std, 3.0)?;
        let kl = r.reverse_kl();
        out!(
            "modes      {}/{} covered, {:.1}% high-quality (within 3σ), reverse KL {}",
            r.covered(),
            r.counts.len(),
            100.0 * r.high_quality(),
            kl.map_or(
                "undefined (no sample near a mode)".to_string(),
                |k| format!("{k:.4}")
            )
        );
        json["samples"] = n.into();
        json["modes"] = r.counts.len().into();
        json["modes_covered"] = r.covered().into();
        json["high_quality"] = r.high_quality().into();
        json["reverse_kl"] = kl.into();
        json["mode_counts"] = r.counts.clone().into();
        Ok(())
    }

    /// On a toy, the energy distance of the model's samples to fresh draws
    /// ([`super::eval_samples`]); nothing on images or for a family that does not sample.
    fn toy_distance<M: Zoo>(&self, model: &M, json: &mut serde_json::Value) -> Result<()> {
        if let (Some(generator), Some(toy)) = (model.generator(), self.splits.toy) {
            let n = self
                .args
                .examples
                .unwrap_or(super::eval_samples::DISTANCE_SAMPLES);
            super::eval_samples::report(generator, toy, n, self.args.seed, &self.device, json)?;
        }
        Ok(())
    }

    /// The NLL on the data's own scale: bits/dim for images, the gap to the true entropy for a
    /// toy that has one.
    fn report_scale(&self, nll: f64, json: &mut serde_json::Value) {
        let d = self.splits.spec.dim();
        match (self.splits.spec.kind, &self.splits.toy) {
            (DataKind::Binary, _) => {
                let bpd = bits_per_dim(nll, d);
                out!("bits/dim   {bpd:.4}");
                json["bits_per_dim"] = bpd.into();
            }
            (DataKind::Continuous, Some(toy)) => {
                if let Some(oracle) = toy.oracle_nll() {
                    out!(
                        "oracle     {oracle:.4} nats (true entropy of {toy}); gap {:.4}",
                        nll - oracle
                    );
                    json["oracle_nll"] = oracle.into();
                }
            }
            (DataKind::Continuous, None) => {
                let bpd = bits_per_dim_8bit(nll, d);
                out!("bits/dim   {bpd:.4} (8-bit data scaled to [0,1])");
                json["bits_per_dim"] = bpd.into();
            }
        }
    }

    /// `json` as `eval/<split>-<label>-step<N>.json` of the run, where `genzoo scoreboard`
    /// reads it (nothing when the checkpoint is not inside a run directory).
    fn write_report(&self, json: &serde_json::Value, label: &str, step: u64) -> Result<()> {
        let run_root = self.loaded.ckpt.parent().and_then(std::path::Path::parent);
        if let Some(root) = run_root {
            let path = root
                .join("eval")
                .join(format!("{}-{label}-step{step}.json", self.split));
            genzoo_data::write_atomic(&path, serde_json::to_string_pretty(json)?.as_bytes())?;
            out!("written    {}", path.display());
        }
        Ok(())
    }
}
