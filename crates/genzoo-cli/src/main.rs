//! `genzoo`: train, sample, evaluate and inspect generative models from one command line.
//!
//! The only crate that knows every family and the only one using `anyhow`: library errors are
//! typed; here they become messages and a non-zero exit status.

mod args;
mod commands;
mod family;
mod presets;
mod runtime;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
