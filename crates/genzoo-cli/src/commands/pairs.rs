//! `genzoo pairs`: a trained rectified flow's coupling (x₀, ODE(x₀)) to disk, chunk by chunk,
//! for reflow and distillation ([`genzoo_train::pairs`] holds the format).

use std::time::Instant;

use anyhow::{Result, bail};
use burn::prelude::*;
use genzoo_data::rng_for;
use genzoo_models::sampling::{IterativeSample, SamplerKind};
use genzoo_nn::noise::standard_normal;
use genzoo_train::checkpoint;
use genzoo_train::data::{spec, toy_of, view_of};
use genzoo_train::pairs::{self, PairsManifest, chunk_path};
use genzoo_train::trainer::{load_weights, tensor_values};

use super::setup::{Loaded, load_checkpoint};
use crate::args::PairsArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;

/// RNG stream of the pairs' noise.
const STREAM_PAIRS: u64 = u64::from_be_bytes(*b"pairs\0\0\0");

/// Draw the pairs the arguments ask for, skipping chunks already on disk.
pub fn run(args: PairsArgs) -> Result<()> {
    if args.count == 0 || args.chunk == 0 {
        bail!("--count and --chunk must be >= 1");
    }
    let loaded = load_checkpoint(&args.checkpoint, false, None)?;
    let device = runtime::device(&args.device.device)?;
    let data_spec = spec(&loaded.config.data)?;
    let job = PairsJob {
        args: &args,
        loaded: &loaded,
        device: device.clone(),
    };
    with_model(&loaded.config.model, &data_spec, &device, job)
}

struct PairsJob<'a> {
    args: &'a PairsArgs,
    loaded: &'a Loaded,
    device: Device,
}

impl WithModel for PairsJob<'_> {
    type Out = ();
    fn run<M: Zoo>(self, model: M) -> Result<()> {
        let a = self.args;
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, !a.no_ema)?;
        let Some(flow) = model.transport() else {
            bail!(
                "pairs come from a flow's ODE; {} is a {} run",
                a.checkpoint.display(),
                self.loaded.config.model.family()
            );
        };
        let sampler = flow.resolve_sampler(&a.sampler_request())?;
        let state = checkpoint::read_state(&self.loaded.ckpt)?;
        let cfg = &self.loaded.config;
        let manifest = PairsManifest {
            source_run: a.checkpoint.display().to_string(),
            step: state.step,
            sampler: format!(
                "{} weights={}",
                match sampler.kind {
                    SamplerKind::Rk45 =>
                        format!("rk45 rtol={} atol={}", sampler.rtol, sampler.atol),
                    kind => format!("{kind} steps={}", sampler.steps.unwrap_or(0)),
                },
                if used_ema { "ema" } else { "raw" }
            ),
            count: a.count,
            chunk: a.chunk,
            example_shape: spec(&cfg.data)?.example_shape,
            toy: toy_of(&cfg.data)?.map(|t| t.to_string()),
            view: view_of(&cfg.data)?.map(|v| v.to_string()),
            seed: a.seed,
        };
        pairs::start(&a.out, &manifest)?;
        let d = manifest.dim();
        let started = Instant::now();
        let (mut drawn, mut nfe) = (0usize, 0usize);
        for k in 0..manifest.chunks() {
            if chunk_path(&a.out, k).is_file() {
                continue;
            }
            let rows = manifest.rows(k);
            let mut rng = rng_for(a.seed, STREAM_PAIRS, k as u64);
            let x0 = standard_normal([rows, d], &mut rng, &self.device);
            let (mut x0_parts, mut x1_parts) = (Vec::new(), Vec::new());
            // The ODE runs in the flow's sampling chunks; the file holds the whole chunk.
            for start in (0..rows).step_by(flow.sample_chunk()) {
                let end = (start + flow.sample_chunk()).min(rows);
                let part = x0.clone().narrow(0, start, end - start);
                let (x1, calls) = flow.transport(part.clone(), &sampler, &mut |_, _| {})?;
                nfe += calls;
                x0_parts.push(part);
                x1_parts.push(x1);
            }
            let x0 = tensor_values(Tensor::cat(x0_parts, 0))?;
            let x1 = tensor_values(Tensor::cat(x1_parts, 0))?;
            if x1.iter().any(|v| !v.is_finite()) {
                bail!("chunk {k}: the flow's ODE returned NaN or infinity; nothing written");
            }
            pairs::write_chunk(&a.out, &manifest, k, &x0, &x1)?;
            drawn += rows;
            eprintln!(
                "chunk {k}/{} ({rows} pairs) -> {} ({:.1} s so far)",
                manifest.chunks(),
                chunk_path(&a.out, k).display(),
                started.elapsed().as_secs_f64()
            );
        }
        out!(
            "{drawn} new pairs ({} in all) in {} with {}; {nfe} batched network calls, {:.1} s",
            manifest.count,
            a.out.display(),
            manifest.sampler,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }
}
