//! One module per subcommand.

mod bench;
mod data;
mod efficientnet;
mod eval;
mod eval_classifier;
mod eval_flow;
mod eval_samples;
mod info;
mod pairs;
mod perceptron;
mod probe;
mod quality;
mod report;
mod rf;
mod sample;
mod sample_iterative;
mod scoreboard;
mod setup;
mod train;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};

/// Exit status of a training run that diverged.
pub const EXIT_DIVERGED: u8 = 2;
/// Exit status of a run stopped by Ctrl-C (after saving), as shells report SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Run the subcommand.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Sample(a) => sample::run(a).map(|_| ExitCode::SUCCESS),
        Command::Eval(a) => eval::run(a).map(|_| ExitCode::SUCCESS),
        Command::QualityFloor(a) => quality::floor(a).map(|_| ExitCode::SUCCESS),
        Command::Pairs(a) => pairs::run(a).map(|_| ExitCode::SUCCESS),
        Command::Probe(a) => probe::run(a).map(|_| ExitCode::SUCCESS),
        Command::Info(a) => info::run(a).map(|_| ExitCode::SUCCESS),
        Command::Data(a) => data::run(a).map(|_| ExitCode::SUCCESS),
        Command::Rf(a) => rf::run(a).map(|_| ExitCode::SUCCESS),
        Command::Efficientnet(a) => efficientnet::run(a).map(|_| ExitCode::SUCCESS),
        Command::Perceptron(a) => perceptron::run(a).map(|_| ExitCode::SUCCESS),
        Command::Scoreboard(a) => scoreboard::run(a).map(|_| ExitCode::SUCCESS),
        Command::Bench(a) => bench::run(a).map(|_| ExitCode::SUCCESS),
        Command::Report(a) => report::run(a).map(|_| ExitCode::SUCCESS),
        Command::Presets => {
            for (name, text) in crate::presets::PRESETS {
                let first = text.lines().next().unwrap_or("").trim_start_matches("# ");
                out!("{name:<16} {first}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
