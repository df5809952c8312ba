//! Named tensors ↔ safetensors files (f32, little-endian, row-major), written atomically.
//!
//! The format is Hugging Face's: an 8-byte header length, a JSON header mapping names to dtype,
//! shape and byte offsets, then the raw data; any safetensors reader opens genzoo checkpoints.

use std::collections::HashMap;
use std::path::Path;

use genzoo_data::write_atomic;
use genzoo_nn::NamedTensor;
use safetensors::tensor::{Dtype, TensorView};

use crate::TrainError;

fn corrupt(path: &Path, detail: impl Into<String>) -> TrainError {
    TrainError::Checkpoint {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Write `tensors` to `path` (temporary file, then rename).
pub fn save(
    path: &Path,
    tensors: &[NamedTensor],
    metadata: HashMap<String, String>,
) -> Result<(), TrainError> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|t| t.values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let mut views = Vec::with_capacity(tensors.len());
    for (t, b) in tensors.iter().zip(&bytes) {
        let view = TensorView::new(Dtype::F32, t.shape.clone(), b)
            .map_err(|e| corrupt(path, format!("tensor {}: {e}", t.name)))?;
        views.push((t.name.clone(), view));
    }
    let data = safetensors::serialize(views, Some(metadata))
        .map_err(|e| corrupt(path, format!("serialising: {e}")))?;
    write_atomic(path, &canonical_header(data).map_err(|e| corrupt(path, e))?)?;
    Ok(())
}

/// The same file with its JSON header's keys in sorted order. safetensors writes the metadata
/// from a `HashMap`, whose order changes from process to process, so two identical runs wrote
/// different bytes (and the feature net, named by the SHA-256 of its weights, changed name).
/// Tensor entries and offsets are unchanged; the header is padded with spaces to a multiple of
/// 8 bytes, as safetensors pads it.
fn canonical_header(data: Vec<u8>) -> Result<Vec<u8>, String> {
    const LEN: usize = 8;
    let n = data
        .get(..LEN)
        .and_then(|b| <[u8; LEN]>::try_from(b).ok())
        .map(|b| u64::from_le_bytes(b) as usize)
        .ok_or("no header length")?;
    let header = data.get(LEN..LEN + n).ok_or("header past the end")?;
    // serde_json's maps are BTreeMaps (no `preserve_order` in this build): sorted keys.
    let value: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| format!("header: {e}"))?;
    let mut sorted = serde_json::to_vec(&value).map_err(|e| format!("header: {e}"))?;
    sorted.resize(sorted.len().next_multiple_of(LEN), b' ');
    let mut out = Vec::with_capacity(LEN + sorted.len() + data.len() - LEN - n);
    out.extend((sorted.len() as u64).to_le_bytes());
    out.extend(sorted);
    out.extend(&data[LEN + n..]);
    Ok(out)
}

/// Read every tensor of `path` (f32 only).
pub fn load(path: &Path) -> Result<Vec<NamedTensor>, TrainError> {
    let data = std::fs::read(path).map_err(|e| TrainError::io(path, e))?;
    let st = safetensors::SafeTensors::deserialize(&data)
        .map_err(|e| corrupt(path, format!("not a valid safetensors file: {e}")))?;
    let mut out = Vec::new();
    for (name, view) in st.tensors() {
        if view.dtype() != Dtype::F32 {
            return Err(corrupt(
                path,
                format!("tensor {name} has dtype {:?}, expected F32", view.dtype()),
            ));
        }
        let values = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        out.push(NamedTensor {
            name,
            shape: view.shape().to_vec(),
            values,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The metadata of `path` (name → string).
pub fn metadata(path: &Path) -> Result<HashMap<String, String>, TrainError> {
    let data = std::fs::read(path).map_err(|e| TrainError::io(path, e))?;
    let (_, meta) = safetensors::SafeTensors::read_metadata(&data)
        .map_err(|e| corrupt(path, format!("not a valid safetensors file: {e}")))?;
    Ok(meta.metadata().clone().unwrap_or_default())
}
