//! `genzoo info`: what a checkpoint holds.

use anyhow::Result;
use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE};
use genzoo_train::data;
use genzoo_train::tensors;
use genzoo_train::trainer::load_weights;

use super::setup::load_checkpoint;
use crate::args::InfoArgs;
use crate::family::{WithModel, Zoo, with_model};

/// Print the checkpoint's state and tensors.
pub fn run(args: InfoArgs) -> Result<()> {
    if !args.checkpoint.exists() {
        anyhow::bail!("{} does not exist", args.checkpoint.display());
    }
    let dir = checkpoint::resolve(&args.checkpoint, false)?;
    let state = checkpoint::read_state(&dir)?;
    out!("checkpoint  {}", dir.display());
    out!("family      {}", state.family);
    out!(
        "step        {}  (epoch {}, position {})",
        state.step,
        state.cursor.0,
        state.cursor.1
    );
    out!("seed        {}", state.seed);
    out!("trained     {:.1} s", state.elapsed_secs);
    if let Some(b) = &state.best {
        out!(
            "best        {} = {:.4} at step {}",
            b.metric,
            b.value,
            b.step
        );
    }
    for (group, steps) in &state.optim_steps {
        let n = tensors::load(&dir.join(checkpoint::optim_file(group)))?.len();
        out!("optimiser   {group}: Adam, {steps} updates, {n} moment tensors");
    }
    if state.optim_steps.is_empty() {
        out!(
            "optimiser   none kept (weights only, as in zoo/: samples and evaluates, cannot resume)"
        );
    }
    match state.ema_updates {
        Some(u) if dir.join(EMA_FILE).is_file() => out!("ema         {u} updates"),
        _ => out!("ema         none"),
    }
    // The raw weights, or the EMA weights where only those are kept (zoo/).
    let file = if dir.join(MODEL_FILE).is_file() {
        MODEL_FILE
    } else {
        EMA_FILE
    };
    let weights = tensors::load(&dir.join(file))?;
    let total: usize = weights.iter().map(|t| t.values.len()).sum();
    out!("parameters  {total} in {} tensors ({file})", weights.len());
    for t in &weights {
        out!("  {:<40} {:?}", t.name, t.shape);
    }
    // Build the model the run's config describes and load the weights into it: a checkpoint
    // that does not fit its config is named here, not at the first sample.
    let loaded = load_checkpoint(&dir, false, None)?;
    let spec = data::spec(&loaded.config.data)?;
    let device = burn::prelude::Device::flex();
    let job = LoadJob { ckpt: &loaded.ckpt };
    let (params, weights) = with_model(&loaded.config.model, &spec, &device, job)?;
    out!(
        "loads into  the config's {} model ({params} values, {weights} weights)",
        loaded.config.model.family()
    );
    Ok(())
}

/// Load a checkpoint's weights into the model its config builds.
struct LoadJob<'a> {
    ckpt: &'a std::path::Path,
}

impl WithModel for LoadJob<'_> {
    type Out = (usize, &'static str);
    fn run<M: Zoo>(self, model: M) -> Result<Self::Out> {
        let (model, ema) = load_weights(model, self.ckpt, true)?;
        Ok((model.num_params(), if ema { "EMA" } else { "raw" }))
    }
}
