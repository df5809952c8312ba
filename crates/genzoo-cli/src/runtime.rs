//! Device selection and Ctrl-C handling.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use burn::prelude::*;

/// The device named on the command line (without autodiff).
pub fn device(name: &str) -> Result<Device> {
    match name {
        "flex" | "cpu" => Ok(Device::flex()),
        #[cfg(feature = "cuda")]
        "cuda" => Ok(Device::cuda(0)),
        #[cfg(not(feature = "cuda"))]
        "cuda" => bail!("this genzoo was built without CUDA: rebuild with `--features cuda`"),
        other => bail!("unknown device {other:?}: use flex or cuda"),
    }
}

/// A flag that turns true on the first Ctrl-C, SIGTERM or SIGHUP (the trainer then saves and
/// stops); a second one exits at once.
pub fn stop_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted (Ctrl-C or SIGTERM): saving a checkpoint and stopping (again to quit at once)"
        );
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot catch Ctrl-C or SIGTERM ({e}); interrupting will not save");
    }
    flag
}
