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

use std::path::Path;

use crate::array::Array;
use crate::error::{DataError, Result};
use crate::fsutil::write_atomic;

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
    let header = header_text(&a.shape);
    let header_len = u16::try_from(header.len()).map_err(|_| {
        npy_err(
            path,
            format!("shape {:?} makes a v1.0 header too long", a.shape),
        )
    })?;
    let mut bytes =
        Vec::with_capacity(PREAMBLE_LEN + 2 + header.len() + a.values.len() * F32_BYTES);
    bytes.extend_from_slice(NPY_MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&header_len.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in &a.values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    write_atomic(path, &bytes)
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
