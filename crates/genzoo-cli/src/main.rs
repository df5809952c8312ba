//! `genzoo`: train, sample, evaluate and inspect generative models from one command line.
//!
//! The only crate that knows every family and the only one using `anyhow`: library errors are
//! typed; here they become messages and a non-zero exit status.

/// `println!` that ignores a closed stdout (`genzoo info RUN | head`) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout, like [`out!`].
macro_rules! out_nonl {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod args;
mod commands;
mod family;
mod presets;
mod runtime;

use clap::Parser;

/// mimalloc keeps freed memory for reuse. With glibc's malloc each training step of the MLP
/// families handed large activation and gradient buffers back to the kernel and faulted them in
/// again on the next step (page faults and page zeroing were ~15% of the profile); mimalloc made
/// the NICE step 7% and the wide MADE step 30% faster, and the diffusion U-Net's ~6% slower
/// (BENCHMARKS.md, speed section). `main` also tells it never to return freed memory to the
/// kernel ([`genzoo_train::allocator`]).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    genzoo_train::allocator::keep_freed_memory();
    let cli = args::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by ": ", skipping a cause whose text already ends its
/// parent's: library errors such as `{path}: {source}` print their source themselves, and
/// `{e:#}` would repeat it ("x: No such file (os error 2): No such file (os error 2)").
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}
