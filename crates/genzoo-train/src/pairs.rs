//! A coupling on disk: (x₀, x₁) pairs drawn from a trained flow, in chunks, for reflow and
//! distillation (`source = "pairs"` data).
//!
//! ```text
//! <dir>/pairs.json          what the pairs are: source run and step, sampler, count, shapes
//! <dir>/chunk_00000.npy     [rows, 2, D] f32: row i is (x₀_i, x₁_i), flattened examples
//! <dir>/chunk_00001.npy     ...
//! ```
//! Chunk k's noise is drawn from `(seed, k)` alone, so a killed run resumes by skipping the
//! chunks already on disk and loses at most the chunk it was writing; each chunk is written
//! to a temporary name and renamed (never half-written). The manifest is written first and a
//! resumed run refuses to mix pairs of another manifest.

use std::path::{Path, PathBuf};

use genzoo_data::fsutil::write_atomic;
use genzoo_data::{Array, read_npy, write_npy};
use serde::{Deserialize, Serialize};

use crate::TrainError;

/// The manifest's file name.
pub const MANIFEST: &str = "pairs.json";

/// What a pairs directory holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairsManifest {
    /// The run the flow came from.
    pub source_run: String,
    /// Its checkpoint step.
    pub step: u64,
    /// The sampler that carried x₀ to x₁, as `genzoo sample` names it (`rk45 rtol=1e-5 ...`).
    pub sampler: String,
    /// Pairs in all.
    pub count: usize,
    /// Pairs per chunk (the last may hold fewer).
    pub chunk: usize,
    /// Shape of one example (`[2]` for a toy, `[1, 28, 28]` for MNIST).
    pub example_shape: Vec<usize>,
    /// The source run's data: the toy's name, for plot ranges and held-out data.
    pub toy: Option<String>,
    /// The source run's image view (`symmetric`), to map values back to pixels.
    pub view: Option<String>,
    /// Seed of the noise.
    pub seed: u64,
}

impl PairsManifest {
    /// Chunks in all.
    pub fn chunks(&self) -> usize {
        self.count.div_ceil(self.chunk.max(1))
    }

    /// Values per example.
    pub fn dim(&self) -> usize {
        self.example_shape.iter().product()
    }

    /// Rows of chunk `k`.
    pub fn rows(&self, k: usize) -> usize {
        self.chunk.min(self.count - k * self.chunk)
    }
}

/// Path of chunk `k`.
pub fn chunk_path(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("chunk_{k:05}.npy"))
}

/// Create `dir` with `manifest`, or check that the one there is the same (a resumed draw).
pub fn start(dir: &Path, manifest: &PairsManifest) -> Result<(), TrainError> {
    if manifest.count == 0 || manifest.chunk == 0 {
        return Err(TrainError::Config(format!(
            "pairs need count >= 1 and chunk >= 1, got {} and {}",
            manifest.count, manifest.chunk
        )));
    }
    let path = dir.join(MANIFEST);
    if path.is_file() {
        let there = read_manifest(dir)?;
        if &there != manifest {
            return Err(TrainError::Config(format!(
                "{} describes other pairs ({} from {} step {}, {}); choose another --out or remove it",
                path.display(),
                there.count,
                there.source_run,
                there.step,
                there.sampler
            )));
        }
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| TrainError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| TrainError::Config(format!("cannot serialise the manifest: {e}")))?;
    Ok(write_atomic(&path, text.as_bytes())?)
}

/// The manifest of `dir`.
pub fn read_manifest(dir: &Path) -> Result<PairsManifest, TrainError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|source| TrainError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| TrainError::ConfigParse {
        path,
        detail: e.to_string(),
    })
}

/// Write chunk `k` from flattened `x0` and `x1` (`rows × D` values each), atomically.
pub fn write_chunk(
    dir: &Path,
    manifest: &PairsManifest,
    k: usize,
    x0: &[f32],
    x1: &[f32],
) -> Result<(), TrainError> {
    let (rows, d) = (manifest.rows(k), manifest.dim());
    if x0.len() != rows * d || x1.len() != rows * d {
        return Err(TrainError::Config(format!(
            "chunk {k} needs {rows} x {d} values for x0 and x1, got {} and {}",
            x0.len(),
            x1.len()
        )));
    }
    let mut values = Vec::with_capacity(2 * rows * d);
    for (a, b) in x0.chunks(d).zip(x1.chunks(d)) {
        values.extend_from_slice(a);
        values.extend_from_slice(b);
    }
    Ok(write_npy(
        &chunk_path(dir, k),
        &Array::new(vec![rows, 2, d], values)?,
    )?)
}

/// Every pair of a complete directory: the manifest, x₀ and x₁ as `[count, ...example]`.
pub fn read_all(dir: &Path) -> Result<(PairsManifest, Array, Array), TrainError> {
    let manifest = read_manifest(dir)?;
    let missing: Vec<usize> = (0..manifest.chunks())
        .filter(|&k| !chunk_path(dir, k).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(TrainError::Config(format!(
            "{}: {} of {} chunks are missing (first: {}); rerun `genzoo pairs` with the same arguments to finish",
            dir.display(),
            missing.len(),
            manifest.chunks(),
            chunk_path(dir, missing[0]).display()
        )));
    }
    let d = manifest.dim();
    let (mut x0, mut x1) = (
        Vec::with_capacity(manifest.count * d),
        Vec::with_capacity(manifest.count * d),
    );
    for k in 0..manifest.chunks() {
        let path = chunk_path(dir, k);
        let a = read_npy(&path)?;
        if a.shape != [manifest.rows(k), 2, d] {
            return Err(TrainError::Config(format!(
                "{}: shape {:?}, the manifest says [{}, 2, {d}]",
                path.display(),
                a.shape,
                manifest.rows(k)
            )));
        }
        if a.values.iter().any(|v| !v.is_finite()) {
            return Err(TrainError::Config(format!(
                "{}: holds NaN or infinite values",
                path.display()
            )));
        }
        for pair in a.values.chunks(2 * d) {
            x0.extend_from_slice(&pair[..d]);
            x1.extend_from_slice(&pair[d..]);
        }
    }
    let shape = [&[manifest.count][..], &manifest.example_shape].concat();
    let x0 = Array::new(shape.clone(), x0)?;
    let x1 = Array::new(shape, x1)?;
    Ok((manifest, x0, x1))
}
