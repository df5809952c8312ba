//! Loading what commands share: configs, run directories, data directories, checkpoints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use genzoo_train::TrainConfig;
use genzoo_train::checkpoint;
use genzoo_train::config::DataConfig;
use genzoo_train::run::RunDir;

use crate::presets;

/// Environment variable naming the MNIST directory.
pub const MNIST_ENV: &str = "GENZOO_MNIST_DIR";

/// Point `data.dir` at `--data-dir`, or at $GENZOO_MNIST_DIR when the configured directory
/// does not exist, and fail early, naming the directory, when none exists.
pub fn resolve_data_dir(config: &mut TrainConfig, flag: Option<&Path>) -> Result<()> {
    let DataConfig::Mnist(m) = &mut config.data else {
        return Ok(());
    };
    if let Some(dir) = flag {
        m.dir = dir.to_path_buf();
    } else if !m.dir.is_dir()
        && let Some(env) = std::env::var_os(MNIST_ENV)
    {
        m.dir = PathBuf::from(env);
    }
    if !m.dir.is_dir() {
        bail!(
            "MNIST directory {} {}: pass --data-dir DIR or set {MNIST_ENV}",
            m.dir.display(),
            what_is(&m.dir)
        );
    }
    Ok(())
}

/// What stands at `path` when a directory was expected: "does not exist", "is a regular
/// file", …
pub fn what_is(path: &Path) -> &'static str {
    let Ok(meta) = std::fs::metadata(path) else {
        return "does not exist";
    };
    let kind = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "is a named pipe (FIFO), not a directory";
        }
        if kind.is_socket() {
            return "is a socket, not a directory";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "is a device, not a directory";
        }
    }
    if kind.is_file() {
        "is a regular file, not a directory"
    } else if kind.is_dir() {
        "is a directory"
    } else {
        "is not a directory"
    }
}

/// The config of `genzoo train`: a file, a preset, or the default preset.
pub fn train_config(
    file: Option<&Path>,
    preset: Option<&str>,
    overrides: &[String],
) -> Result<TrainConfig> {
    if let Some(path) = file {
        return Ok(TrainConfig::load(path, overrides)?);
    }
    let name = preset.unwrap_or(presets::DEFAULT_PRESET);
    let Some(text) = presets::find(name) else {
        let names: Vec<&str> = presets::PRESETS.iter().map(|(n, _)| *n).collect();
        bail!("unknown preset {name:?}; presets: {}", names.join(", "));
    };
    Ok(TrainConfig::from_toml(
        text,
        Path::new(&format!("preset:{name}")),
        overrides,
    )?)
}

/// A checkpoint named by the user, with its run directory and config.
pub struct Loaded {
    /// The checkpoint directory.
    pub ckpt: PathBuf,
    /// The run's resolved config.
    pub config: TrainConfig,
}

/// Resolve a run or checkpoint path (`prefer_best`: the run's best checkpoint).
pub fn load_checkpoint(path: &Path, prefer_best: bool, data_dir: Option<&Path>) -> Result<Loaded> {
    if !path.is_dir() {
        bail!(
            "{} {}: name a run directory (runs/NAME) or a checkpoint directory in it",
            path.display(),
            what_is(path)
        );
    }
    let (ckpt, notes) = checkpoint::resolve_noting(path, prefer_best)?;
    for note in notes {
        eprintln!("warning: {note}");
    }
    let run_root = ckpt
        .parent()
        .and_then(Path::parent)
        .with_context(|| format!("{} is not inside a run directory", ckpt.display()))?;
    let mut config = RunDir::new(run_root)
        .load_config()
        .with_context(|| format!("reading the config of run {}", run_root.display()))?;
    let state = checkpoint::read_state(&ckpt)?;
    if state.family != config.model.family() {
        bail!(
            "{} holds a {} model (its state.json) but the run's config.toml asks for {}: one of \
             them was edited or copied from another run",
            ckpt.display(),
            state.family,
            config.model.family()
        );
    }
    resolve_data_dir(&mut config, data_dir).or_else(|e| {
        // Sampling does not need the data; only fail when a command asks for it.
        if matches!(config.data, DataConfig::Mnist(_)) && data_dir.is_some() {
            Err(e)
        } else {
            Ok(())
        }
    })?;
    Ok(Loaded { ckpt, config })
}
