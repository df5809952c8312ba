//! NumPy `.npy` files of little-endian floats in C order, for exchanging arrays with Python.
//!
//! ```text
//! b"\x93NUMPY" | major u8 | minor u8 | header_len (u16 LE in v1.0, u32 LE in v2.0/3.0)
//! header: "{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }" padded with spaces
//!         and a final '\n' so that the data starts at a multiple of 64 bytes
//! data:   prod(shape) values, little-endian, last axis fastest
//! ```
//! Reference: NumPy Enhancement Proposal 1 and `numpy/lib/format.py`.
//! We write v1.0 `'<f4'`; we read v1.0–3.0 with `'<f4'` or `'<f8'` (narrowed to `f32`, since
//! `np.save` defaults to float64). Big-endian data and Fortran order are refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::array::Array;
use crate::error::{DataError, Result};
use crate::fsutil::{tmp_path, write_atomic};

/// The six bytes every `.npy` file starts with.
const NPY_MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Magic plus the two version bytes.
const PREAMBLE_LEN: usize = NPY_MAGIC.len() + 2;
/// NumPy aligns the start of the data to this many bytes (`ARRAY_ALIGN` in `format.py`).
const NPY_ALIGN: usize = 64;
/// Bytes of one `f32`.
const F32_BYTES: usize = 4;
/// Bytes of one `f64`.
const F64_BYTES: usize = 8;

fn npy_err(path: &Path, detail: impl Into<String>) -> DataError {
    DataError::Npy {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// The header dictionary, padded so that the data starts on an [`NPY_ALIGN`] boundary.
fn header_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    // Python writes a one-element tuple as "(n,)".
    let tuple = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut text = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}");
    let unpadded = PREAMBLE_LEN + 2 + text.len() + 1;
    let padding = (NPY_ALIGN - unpadded % NPY_ALIGN) % NPY_ALIGN;
    text.extend(std::iter::repeat_n(' ', padding));
    text.push('\n');
    text
}

/// Writes `a` as a v1.0 `.npy` file of `'<f4'`, atomically.
pub fn write_npy(path: &Path, a: &Array) -> Result<()> {
    let mut bytes = preamble(path, &a.shape)?;
    bytes.reserve(a.values.len() * F32_BYTES);
    for v in &a.values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    write_atomic(path, &bytes)
}

/// Magic, version, header length and header of an f32 array of `shape`.
fn preamble(path: &Path, shape: &[usize]) -> Result<Vec<u8>> {
    let header = header_text(shape);
    let header_len = u16::try_from(header.len()).map_err(|_| {
        npy_err(
            path,
            format!("shape {shape:?} makes a v1.0 header too long"),
        )
    })?;
    let mut bytes = Vec::with_capacity(PREAMBLE_LEN + 2 + header.len());
    bytes.extend_from_slice(NPY_MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&header_len.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    Ok(bytes)
}

/// An `.npy` file of known shape written a chunk of rows at a time, so an array larger than
/// memory can go to disk. It goes to `<path>.tmp` and is renamed into place by
/// [`NpyWriter::finish`] once every value has arrived; dropped before that (an error, a
/// panic), it removes the temporary file, so no partial array is ever left under `path`.
pub struct NpyWriter {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    expected: usize,
    written: usize,
}

impl NpyWriter {
    /// Start writing an f32 array of `shape` to `path`.
    pub fn create(path: &Path, shape: &[usize]) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| DataError::io(parent, e))?;
        }
        let tmp = tmp_path(path);
        let mut writer = NpyWriter {
            path: path.to_path_buf(),
            file: Some(std::io::BufWriter::new(
                std::fs::File::create(&tmp).map_err(|e| DataError::io(&tmp, e))?,
            )),
            tmp,
            expected: shape.iter().product(),
            written: 0,
        };
        let head = preamble(path, shape)?;
        writer.write(&head)?;
        Ok(writer)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| npy_err(&self.path, "written after finish"))?;
        file.write_all(bytes)
            .map_err(|e| DataError::io(&self.tmp, e))
    }

    /// Append values in row-major order.
    pub fn append(&mut self, values: &[f32]) -> Result<()> {
        if self.written + values.len() > self.expected {
            return Err(npy_err(
                &self.path,
                format!(
                    "{} values for an array of {}",
                    self.written + values.len(),
                    self.expected
                ),
            ));
        }
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.write(&bytes)?;
        self.written += values.len();
        Ok(())
    }

    /// Check that every value arrived, sync, and rename into place.
    pub fn finish(mut self) -> Result<()> {
        if self.written != self.expected {
            return Err(npy_err(
                &self.path,
                format!("{} values of {} written", self.written, self.expected),
            ));
        }
        let file = self
            .file
            .take()
            .ok_or_else(|| npy_err(&self.path, "finished twice"))?;
        let file = file
            .into_inner()
            .map_err(|e| DataError::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| DataError::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&self.tmp);
            DataError::io(&self.path, e)
        })
    }
}

impl Drop for NpyWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            // Unfinished: leave nothing behind (best effort; the error that caused it is
            // what the caller reports).
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The fields of a header dictionary this reader understands.
#[derive(Debug, Default)]
struct Header {
    descr: Option<String>,
    fortran_order: Option<bool>,
    shape: Option<Vec<usize>>,
}

/// A cursor over the header's Python literal.
struct Literal<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Literal<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `token` (after whitespace) if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> std::result::Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at `{}`", self.rest()))
        }
    }

    /// A quoted string (no escapes: NumPy headers contain none).
    fn string(&mut self) -> std::result::Result<&'a str, String> {
        self.skip_ws();
        let quote = match self.rest().chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(format!("expected a string at `{}`", self.rest())),
        };
        self.pos += 1;
        let len = self.rest().find(quote).ok_or("unterminated string")?;
        let s = &self.rest()[..len];
        self.pos += len + 1;
        Ok(s)
    }

    /// A tuple of non-negative integers such as `()`, `(3,)` or `(2, 3)`.
    fn tuple(&mut self) -> std::result::Result<Vec<usize>, String> {
        self.expect("(")?;
        let mut dims = Vec::new();
        while !self.eat(")") {
            self.skip_ws();
            let digits = self.rest().len()
                - self
                    .rest()
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            let dim = self.rest()[..digits]
                .parse()
                .map_err(|_| format!("expected a dimension at `{}`", self.rest()))?;
            dims.push(dim);
            self.pos += digits;
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(dims)
    }

    fn parse_header(&mut self) -> std::result::Result<Header, String> {
        let mut header = Header::default();
        self.expect("{")?;
        while !self.eat("}") {
            match self.string()? {
                "descr" => {
                    self.expect(":")?;
                    header.descr = Some(self.string()?.to_string());
                }
                "fortran_order" => {
                    self.expect(":")?;
                    header.fortran_order = Some(if self.eat("True") {
                        true
                    } else {
                        self.expect("False")?;
                        false
                    });
                }
                "shape" => {
                    self.expect(":")?;
                    header.shape = Some(self.tuple()?);
                }
                other => return Err(format!("unexpected key `{other}`")),
            }
            if !self.eat(",") {
                self.expect("}")?;
                break;
            }
        }
        Ok(header)
    }
}

/// Reads an `.npy` file of `'<f4'` (or `'<f8'`, narrowed) in C order with at least one axis.
pub fn read_npy(path: &Path) -> Result<Array> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if !bytes.starts_with(NPY_MAGIC) {
        return Err(npy_err(path, "not an .npy file (bad magic)"));
    }
    let major = bytes.get(NPY_MAGIC.len()).copied().unwrap_or(0);
    let len_bytes = match major {
        1 => 2,
        2 | 3 => 4,
        v => return Err(npy_err(path, format!("unsupported format version {v}"))),
    };
    let len_field = bytes
        .get(PREAMBLE_LEN..PREAMBLE_LEN + len_bytes)
        .ok_or_else(|| npy_err(path, "truncated preamble"))?;
    let header_len = len_field
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    let data_start = PREAMBLE_LEN + len_bytes + header_len;
    let header_bytes = bytes
        .get(PREAMBLE_LEN + len_bytes..data_start)
        .ok_or_else(|| {
            npy_err(
                path,
                format!("truncated header (declares {header_len} bytes)"),
            )
        })?;
    let text =
        std::str::from_utf8(header_bytes).map_err(|_| npy_err(path, "header is not text"))?;
    let header = Literal { text, pos: 0 }
        .parse_header()
        .map_err(|e| npy_err(path, format!("bad header `{}`: {e}", text.trim_end())))?;

    let descr = header
        .descr
        .ok_or_else(|| npy_err(path, "header lacks 'descr'"))?;
    if header.fortran_order != Some(false) {
        return Err(npy_err(
            path,
            "only C-order arrays are supported ('fortran_order': False)",
        ));
    }
    let shape = header
        .shape
        .ok_or_else(|| npy_err(path, "header lacks 'shape'"))?;
    if shape.is_empty() {
        return Err(npy_err(
            path,
            "0-d arrays are not supported: an Array needs an example axis",
        ));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| npy_err(path, format!("shape {shape:?} overflows")))?;
    let item = match descr.as_str() {
        "<f4" => F32_BYTES,
        "<f8" => F64_BYTES,
        other => {
            return Err(npy_err(
                path,
                format!("dtype '{other}' unsupported; need '<f4' or '<f8'"),
            ));
        }
    };
    let data = &bytes[data_start..];
    let expected = count
        .checked_mul(item)
        .ok_or_else(|| npy_err(path, "size overflows"))?;
    if data.len() != expected {
        return Err(npy_err(
            path,
            format!(
                "shape {shape:?} needs {expected} data bytes, file has {}",
                data.len()
            ),
        ));
    }
    let values = if item == F32_BYTES {
        data.chunks_exact(F32_BYTES)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        data.chunks_exact(F64_BYTES)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32)
            .collect()
    };
    Array::new(shape, values)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod writer_tests {
    use super::*;

    /// Chunks written through `NpyWriter` read back as the same array `write_npy` writes, byte
    /// for byte; an unfinished or overfull writer leaves nothing under the path.
    #[test]
    fn streamed_arrays_equal_whole_ones_and_unfinished_ones_vanish() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<f32> = (0..60).map(|i| i as f32 * 0.25 - 3.0).collect();
        let whole = dir.path().join("whole.npy");
        write_npy(&whole, &Array::new(vec![5, 3, 4], values.clone()).unwrap()).unwrap();
        let streamed = dir.path().join("streamed.npy");
        let mut w = NpyWriter::create(&streamed, &[5, 3, 4]).unwrap();
        for chunk in values.chunks(25) {
            w.append(chunk).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&streamed).unwrap()
        );
        assert_eq!(read_npy(&streamed).unwrap().values, values);

        let short = dir.path().join("short.npy");
        let mut w = NpyWriter::create(&short, &[5, 3, 4]).unwrap();
        w.append(&values[..10]).unwrap();
        assert!(w.finish().is_err());
        let dropped = dir.path().join("dropped.npy");
        let mut w = NpyWriter::create(&dropped, &[2]).unwrap();
        assert!(w.append(&[1.0, 2.0, 3.0]).is_err());
        drop(w);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            left.iter().all(|n| n == "whole.npy" || n == "streamed.npy"),
            "{left:?}"
        );
    }
}
