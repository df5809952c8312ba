//! Device selection, Ctrl-C/SIGTERM handling, and the memory check of large requests.

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

/// Refuse, before any work, `count` examples of `dim` values (f32) that would not fit in half
/// the memory the kernel reports available; `what` names them in the message.
pub fn check_fits_in_memory(count: usize, dim: usize, what: &str) -> Result<()> {
    let bytes = (count as u128) * (dim as u128) * 4;
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if bytes > u128::from(available / 2) {
        bail!(
            "{count} {what} of {dim} values need {:.1} GB of memory; {:.1} GB is available: ask for fewer",
            bytes as f64 / 1e9,
            available as f64 / 1e9
        );
    }
    Ok(())
}

/// `MemAvailable` from /proc/meminfo in bytes, where the system has it.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Refuse, before any work, `count` examples of `dim` f32 values written to `path` when they
/// would not fit in the free space of its file system.
pub fn check_fits_on_disk(
    count: usize,
    dim: usize,
    path: &std::path::Path,
    what: &str,
) -> Result<()> {
    let bytes = (count as u128) * (dim as u128) * 4;
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => std::path::PathBuf::from("."),
    };
    // The nearest existing ancestor holds the file system the file will land on.
    let Some(existing) = dir.ancestors().find(|p| p.exists()) else {
        return Ok(());
    };
    let Ok(fs) = rustix::fs::statvfs(existing) else {
        return Ok(());
    };
    let free = u128::from(fs.f_bavail) * u128::from(fs.f_frsize);
    if bytes > free {
        bail!(
            "{count} {what} of {dim} values make a {:.1} GB file; {} has {:.1} GB free: ask for fewer",
            bytes as f64 / 1e9,
            existing.display(),
            free as f64 / 1e9
        );
    }
    Ok(())
}
