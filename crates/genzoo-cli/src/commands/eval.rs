//! `genzoo eval`: the likelihood bounds of a trained model on a split.

use std::time::Instant;

use anyhow::{Result, bail};
use burn::prelude::*;
use genzoo_data::{Split, rng_for};
use genzoo_eval::{IwaeOptions, bits_per_dim, bits_per_dim_8bit, iwae};
use genzoo_models::{DataKind, Family, LatentVariable, Sample};
use genzoo_train::checkpoint;
use genzoo_train::data::load;
use genzoo_train::trainer::load_weights;
use indicatif::{ProgressBar, ProgressStyle};

use super::setup::{Loaded, load_checkpoint, resolve_data_dir};
use crate::args::EvalArgs;
use crate::family::{WithModel, with_model};
use crate::runtime;

/// RNG stream of `genzoo eval`.
const STREAM_EVAL_CLI: u64 = u64::from_be_bytes(*b"evalcli\0");

/// Evaluate as the arguments say.
pub fn run(args: EvalArgs) -> Result<()> {
    let split: Split = args.split.parse()?;
    if split == Split::Train {
        bail!("evaluate on valid or test; the train split measures fit, not generalisation");
    }
    if args.k == Some(0) || args.examples == Some(0) {
        bail!("--k and --examples must be >= 1");
    }
    let mut loaded = load_checkpoint(&args.checkpoint, !args.latest, args.data_dir.as_deref())?;
    resolve_data_dir(&mut loaded.config, args.data_dir.as_deref())?;
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
    fn run<M: Family + Sample + LatentVariable>(self, model: M) -> Result<()> {
        let a = self.args;
        let cfg = &self.loaded.config;
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, !a.no_ema)?;
        let state = checkpoint::read_state(&self.loaded.ckpt)?;
        let source = match self.split {
            Split::Valid => &self.splits.valid,
            _ => &self.splits.test,
        };
        let data = source.head(a.examples);
        let k = a.k.unwrap_or(cfg.eval.iwae_k);
        let options = IwaeOptions {
            k,
            max_rows: cfg.eval.max_rows,
        };
        let mut rng = rng_for(a.seed, STREAM_EVAL_CLI, 0);
        let bar = ProgressBar::new(data.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} examples  ETA {eta}")
        {
            bar.set_style(style);
        }
        let started = Instant::now();
        let report = iwae(
            &model,
            &data,
            &options,
            &mut rng,
            &self.device,
            &mut |done, _| bar.set_position(done as u64),
        )?;
        bar.finish_and_clear();
        let secs = started.elapsed().as_secs_f64();
        let d = self.splits.spec.dim();
        let weights = if used_ema { "EMA" } else { "raw" };
        println!(
            "model      {} ({}), step {}, {weights} weights",
            cfg.model.family(),
            self.loaded.ckpt.display(),
            state.step
        );
        println!(
            "data       {} split, {} examples of dimension {d}",
            self.split, report.n
        );
        println!(
            "ELBO       {:.3} nats  (-ELBO {:.3})",
            -report.nelbo, report.nelbo
        );
        println!(
            "IWAE k={k:<5} NLL {:.3} ± {:.3} nats",
            report.nll, report.nll_stderr
        );
        let mut json = serde_json::json!({
            "family": cfg.model.family(), "checkpoint": self.loaded.ckpt.display().to_string(),
            "step": state.step, "weights": weights, "split": self.split.to_string(), "examples": report.n,
            "k": k, "nelbo": report.nelbo, "nll": report.nll, "nll_stderr": report.nll_stderr,
            "seconds": secs, "training_seconds": state.elapsed_secs,
        });
        match (self.splits.spec.kind, &self.splits.toy) {
            (DataKind::Binary, _) => {
                let bpd = bits_per_dim(report.nll, d);
                println!("bits/dim   {bpd:.4}");
                json["bits_per_dim"] = bpd.into();
            }
            (DataKind::Continuous, Some(toy)) => {
                if let Some(oracle) = toy.oracle_nll() {
                    println!(
                        "oracle     {oracle:.4} nats (true entropy of {toy}); gap {:.4}",
                        report.nll - oracle
                    );
                    json["oracle_nll"] = oracle.into();
                }
            }
            (DataKind::Continuous, None) => {
                let bpd = bits_per_dim_8bit(report.nll, d);
                println!("bits/dim   {bpd:.4} (8-bit data scaled to [0,1])");
                json["bits_per_dim"] = bpd.into();
            }
        }
        println!("time       {secs:.1} s");
        let run_root = self.loaded.ckpt.parent().and_then(std::path::Path::parent);
        if let Some(root) = run_root {
            let path = root
                .join("eval")
                .join(format!("{}-k{k}-step{}.json", self.split, state.step));
            genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
            println!("written    {}", path.display());
        }
        Ok(())
    }
}
