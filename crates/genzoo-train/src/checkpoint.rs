//! Checkpoints: everything needed to continue a run bit for bit.
//!
//! ```text
//! ckpt/step-00001000/
//!   model.safetensors          weights by construction path
//!   ema.safetensors            EMA shadow (when the run keeps one)
//!   optim-<group>.safetensors  Adam moments `<path>.m`, `<path>.v` per optimiser group
//!   state.json                 format version, family, step, seed, batch cursor, optimiser
//!                              steps, EMA updates, best validation value, elapsed time
//! ```
//! A checkpoint is written into `ckpt/.tmp-step-…` and renamed into place, so a crash leaves
//! either the whole checkpoint or none of it. Randomness needs no state: every draw at step t
//! comes from `rng_for(seed, stream, t)`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::TrainError;

/// Version of the on-disk layout; bumped when it changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
/// Prefix of checkpoint directory names.
const STEP_PREFIX: &str = "step-";
/// Prefix of checkpoints being written.
const TMP_PREFIX: &str = ".tmp-";
/// File names inside a checkpoint.
pub const MODEL_FILE: &str = "model.safetensors";
/// EMA shadow file.
pub const EMA_FILE: &str = "ema.safetensors";
/// Run-state file.
pub const STATE_FILE: &str = "state.json";

/// The best validation value seen, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Best {
    /// Metric name (the family's first eval metric).
    pub metric: String,
    /// Its value (lower is better).
    pub value: f64,
    /// Step of the checkpoint holding it.
    pub step: u64,
}

/// `state.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// [`FORMAT_VERSION`] at writing time.
    pub format_version: u32,
    /// Family name.
    pub family: String,
    /// Steps completed.
    pub step: u64,
    /// The run's seed.
    pub seed: u64,
    /// Batch cursor `(epoch, position)`.
    pub cursor: (u64, u64),
    /// Updates applied by each optimiser group.
    pub optim_steps: Vec<(String, u64)>,
    /// EMA updates folded in (absent without EMA).
    pub ema_updates: Option<u64>,
    /// Best validation value so far.
    pub best: Option<Best>,
    /// Wall-clock seconds of training so far, over all sessions.
    pub elapsed_secs: f64,
    /// Train metrics summed since the last log line (absent when the checkpoint was written
    /// right after one, and in checkpoints from before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingMetrics>,
}

/// The sums of a log interval that a checkpoint interrupted, and their weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingMetrics {
    /// Metric name and weighted sum, in the family's order.
    pub sums: Vec<(String, f64)>,
    /// Total weight (steps) summed.
    pub weight: f64,
}

/// Name of an optimiser group's file.
pub fn optim_file(group: &str) -> String {
    format!("optim-{group}.safetensors")
}

/// Directory of the checkpoint at `step`.
pub fn step_dir(ckpt_root: &Path, step: u64) -> PathBuf {
    ckpt_root.join(format!("{STEP_PREFIX}{step:08}"))
}

/// Temporary directory a checkpoint is written into.
pub fn tmp_dir(ckpt_root: &Path, step: u64) -> PathBuf {
    ckpt_root.join(format!("{TMP_PREFIX}{STEP_PREFIX}{step:08}"))
}

/// Steps of the complete checkpoints under `ckpt_root`, ascending.
pub fn list(ckpt_root: &Path) -> Result<Vec<u64>, TrainError> {
    let mut steps = Vec::new();
    let entries = match std::fs::read_dir(ckpt_root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(steps),
        Err(e) => return Err(TrainError::io(ckpt_root, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(ckpt_root, e))?;
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(STEP_PREFIX)) else {
            continue;
        };
        if let Ok(step) = rest.parse::<u64>()
            && entry.path().join(STATE_FILE).is_file()
        {
            steps.push(step);
        }
    }
    steps.sort_unstable();
    Ok(steps)
}

/// Write `state` as the last file of a checkpoint being assembled in `dir`.
pub fn write_state(dir: &Path, state: &State) -> Result<(), TrainError> {
    let json = serde_json::to_vec_pretty(state).map_err(|e| TrainError::Checkpoint {
        path: dir.to_path_buf(),
        detail: format!("serialising state: {e}"),
    })?;
    genzoo_data::write_atomic(&dir.join(STATE_FILE), &json)?;
    Ok(())
}

/// Read and check `state.json` of checkpoint `dir`.
pub fn read_state(dir: &Path) -> Result<State, TrainError> {
    let path = dir.join(STATE_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
    let state: State = serde_json::from_str(&text).map_err(|e| TrainError::Checkpoint {
        path: path.clone(),
        detail: format!("corrupt state: {e}"),
    })?;
    if state.format_version != FORMAT_VERSION {
        return Err(TrainError::Checkpoint {
            path,
            detail: format!(
                "format version {} but this genzoo reads version {FORMAT_VERSION}",
                state.format_version
            ),
        });
    }
    Ok(state)
}

/// Move a finished temporary checkpoint into place (replacing one of the same step).
pub fn commit(ckpt_root: &Path, step: u64) -> Result<PathBuf, TrainError> {
    let tmp = tmp_dir(ckpt_root, step);
    let dst = step_dir(ckpt_root, step);
    if dst.exists() {
        std::fs::remove_dir_all(&dst).map_err(|e| TrainError::io(&dst, e))?;
    }
    std::fs::rename(&tmp, &dst).map_err(|e| TrainError::io(&dst, e))?;
    Ok(dst)
}

/// Delete all but the newest `keep` checkpoints, sparing `protect` (the best one).
pub fn prune(ckpt_root: &Path, keep: usize, protect: Option<u64>) -> Result<(), TrainError> {
    let steps = list(ckpt_root)?;
    let cut = steps.len().saturating_sub(keep.max(1));
    for &s in &steps[..cut] {
        if Some(s) == protect {
            continue;
        }
        let dir = step_dir(ckpt_root, s);
        std::fs::remove_dir_all(&dir).map_err(|e| TrainError::io(&dir, e))?;
    }
    Ok(())
}

/// Metadata stored in every safetensors file of a checkpoint.
pub fn file_metadata(family: &str, step: u64) -> HashMap<String, String> {
    HashMap::from([
        ("genzoo_format".to_string(), FORMAT_VERSION.to_string()),
        ("family".to_string(), family.to_string()),
        ("step".to_string(), step.to_string()),
    ])
}

/// Resolve what a user named: a checkpoint directory, or a run directory (its best checkpoint
/// when `prefer_best` and one is recorded, else its latest).
pub fn resolve(path: &Path, prefer_best: bool) -> Result<PathBuf, TrainError> {
    resolve_noting(path, prefer_best).map(|(dir, _)| dir)
}

/// [`resolve`], and what it passed over on the way, for the user to be told: step directories
/// newer than the one chosen that are not whole checkpoints (no `state.json`: a killed save or
/// a damaged directory), and a recorded best checkpoint that is gone.
pub fn resolve_noting(
    path: &Path,
    prefer_best: bool,
) -> Result<(PathBuf, Vec<String>), TrainError> {
    if path.join(STATE_FILE).is_file() {
        return Ok((path.to_path_buf(), Vec::new()));
    }
    let root = path.join("ckpt");
    let steps = list(&root)?;
    let Some(&latest) = steps.last() else {
        return Err(TrainError::Checkpoint {
            path: path.to_path_buf(),
            detail: "neither a checkpoint (no state.json) nor a run directory with checkpoints under ckpt/".into(),
        });
    };
    let mut notes: Vec<String> = incomplete_steps(&root)?
        .into_iter()
        .filter(|&s| s > latest)
        .map(|s| {
            format!(
                "{} is not a whole checkpoint (no {STATE_FILE}); passed over for step {latest}",
                step_dir(&root, s).display()
            )
        })
        .collect();
    let latest_dir = step_dir(&root, latest);
    if prefer_best && let Some(best) = read_state(&latest_dir)?.best {
        if steps.contains(&best.step) {
            return Ok((step_dir(&root, best.step), notes));
        }
        notes.push(format!(
            "the best checkpoint recorded, {}, is missing; using the newest, step {latest}",
            step_dir(&root, best.step).display()
        ));
    }
    Ok((latest_dir, notes))
}

/// Steps whose directory under `ckpt_root` exists without a `state.json`.
fn incomplete_steps(ckpt_root: &Path) -> Result<Vec<u64>, TrainError> {
    let entries = match std::fs::read_dir(ckpt_root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(TrainError::io(ckpt_root, e)),
    };
    let mut steps = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(ckpt_root, e))?;
        let name = entry.file_name();
        if let Some(step) = name
            .to_str()
            .and_then(|n| n.strip_prefix(STEP_PREFIX))
            .and_then(|r| r.parse::<u64>().ok())
            && !entry.path().join(STATE_FILE).is_file()
        {
            steps.push(step);
        }
    }
    steps.sort_unstable();
    Ok(steps)
}
