//! Redraw a run's `curves.png` from its `metrics.jsonl` (after a change to the plot, or for a run
//! stopped before its next evaluation).
//!
//! ```text
//! cargo run --release -p genzoo-train --example redraw_curves -- RUN_DIR [VALID_METRIC]
//! ```
//! `VALID_METRIC` is the validation field drawn beside the train loss (default `loss`; the
//! trainer uses the family's early-stopping metric, e.g. `nll` or `nelbo`).

use genzoo_train::run::RunDir;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        return Err("usage: redraw_curves RUN_DIR [VALID_METRIC]".into());
    };
    let metric = args.next().unwrap_or_else(|| "loss".to_string());
    let run = RunDir::new(&dir);
    run.write_curves(&metric)?;
    println!(
        "{}",
        run.root().join(genzoo_train::run::CURVES_FILE).display()
    );
    Ok(())
}
