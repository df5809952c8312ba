//! `genzoo info`: what a checkpoint holds.

use anyhow::Result;
use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE};
use genzoo_train::tensors;

use crate::args::InfoArgs;

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
    match state.ema_updates {
        Some(u) if dir.join(EMA_FILE).is_file() => out!("ema         {u} updates"),
        _ => out!("ema         none"),
    }
    let weights = tensors::load(&dir.join(MODEL_FILE))?;
    let total: usize = weights.iter().map(|t| t.values.len()).sum();
    out!("parameters  {total} in {} tensors", weights.len());
    for t in &weights {
        out!("  {:<40} {:?}", t.name, t.shape);
    }
    Ok(())
}
