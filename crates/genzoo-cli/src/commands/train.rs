//! `genzoo train`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use genzoo_train::data::{Splits, load};
use genzoo_train::report::Terminal;
use genzoo_train::run::RunDir;
use genzoo_train::{Outcome, TrainConfig, Trainer, checkpoint};

use super::setup::{resolve_data_dir, train_config};
use super::{EXIT_DIVERGED, EXIT_INTERRUPTED};
use crate::args::TrainArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;

/// Train as the arguments say.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let named = train_config(
        args.config.as_deref(),
        args.preset.as_deref(),
        &args.overrides,
    )?;
    let run = RunDir::new(args.runs.join(&named.name));
    let has_checkpoints = !checkpoint::list(&run.ckpt())?.is_empty();
    let mut config = if args.resume {
        if !has_checkpoints {
            bail!(
                "--resume: run {} has no checkpoint to continue from",
                run.root().display()
            );
        }
        // Continue with the config the run started with; --set still applies on top.
        TrainConfig::load(&run.config(), &args.overrides)?
    } else {
        if args.fresh && run.root().exists() {
            std::fs::remove_dir_all(run.root())?;
        } else if has_checkpoints {
            bail!(
                "run {} already has checkpoints: pass --resume to continue it or --fresh to start over",
                run.root().display()
            );
        }
        named
    };
    resolve_data_dir(&mut config, args.data_dir.as_deref())?;
    let device = runtime::device(&args.device.device)?;
    let splits = load(&config.data, config.seed)?;
    // Refused before the run directory is made, like every other bad value.
    if config.trainer.batch_size > splits.train.len() {
        bail!(
            "trainer.batch_size {} is larger than the training set ({} examples)",
            config.trainer.batch_size,
            splits.train.len()
        );
    }
    eprintln!(
        "genzoo train: {} ({}) on {} examples, {} steps, run dir {}",
        config.name,
        config.model.family(),
        splits.train.len(),
        config.trainer.steps,
        run.root().display()
    );
    // Initialisation draws come from the backend's generator, seeded here.
    device.seed(config.seed);
    let train_device = device.autodiff();
    let job = TrainJob {
        config: &config,
        splits: &splits,
        run: run.clone(),
        device: train_device.clone(),
        resume: args.resume,
    };
    let outcome = with_model(&config.model, &splits.spec, &train_device, job)?;
    Ok(match outcome {
        Outcome::Finished { step, elapsed_secs } => {
            eprintln!(
                "done: {step} steps in {elapsed_secs:.1} s; samples in {}, checkpoints in {}",
                run.samples().display(),
                run.ckpt().display()
            );
            eprintln!(
                "next: genzoo eval {}   |   genzoo sample {}",
                run.root().display(),
                run.root().display()
            );
            ExitCode::SUCCESS
        }
        Outcome::Interrupted { step } => {
            eprintln!("stopped at step {step}; continue with --resume");
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Outcome::Diverged {
            step,
            metric,
            last_checkpoint,
        } => {
            eprintln!(
                "error: training diverged at step {step} ({metric} not finite); last good checkpoint: {}",
                last_checkpoint.map_or("none".into(), |s| format!("step {s}"))
            );
            ExitCode::from(EXIT_DIVERGED)
        }
    })
}

struct TrainJob<'a> {
    config: &'a TrainConfig,
    splits: &'a Splits,
    run: RunDir,
    device: burn::prelude::Device,
    resume: bool,
}

impl WithModel for TrainJob<'_> {
    type Out = Outcome;
    fn run<M: Zoo>(self, model: M) -> Result<Outcome> {
        let mut reporter = Terminal::new();
        let stop = runtime::stop_flag();
        let mut trainer = Trainer::new(
            self.config,
            self.run,
            self.splits,
            self.device,
            stop.clone(),
            &mut reporter,
        );
        // Pictures only for families that generate: the trainer asks `Zoo::generator`.
        let (_, outcome) = trainer.train(model, self.resume, M::generator)?;
        if matches!(outcome, Outcome::Finished { .. })
            && stop.load(std::sync::atomic::Ordering::SeqCst)
        {
            eprintln!("the interrupt came after the last step: the run completed");
        }
        Ok(outcome)
    }
}
