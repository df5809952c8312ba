//! The IDX format of LeCun et al.'s MNIST distribution, raw or gzipped.
//!
//! ```text
//! offset  type    value
//! 0       u32 BE  magic = 0x0000_08DD   (0x08: unsigned bytes; DD: number of dimensions)
//! 4       u32 BE  size of dimension 0   (number of examples)
//! ...     u32 BE  size of dimension DD-1
//! 4+4*DD  u8[]    data, row-major (last dimension fastest)
//! ```
//! Images use magic `0x00000803` (n, rows, cols); labels use `0x00000801` (n).
//! Reference: <http://yann.lecun.com/exdb/mnist/> ("FILE FORMATS FOR THE MNIST DATABASE").
//!
//! Whether a file is gzipped is decided by its first two bytes (`1f 8b`), never by its name.
//! Reading is strict: a wrong magic, a short file and trailing bytes are distinct errors.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::error::{DataError, Result};
use crate::fsutil::write_atomic;

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;
/// The two bytes every gzip member starts with (RFC 1952, section 2.3.1).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Bytes in the magic number and in each dimension size.
const WORD_BYTES: usize = 4;

/// A stack of greyscale images, `n × rows × cols` bytes in row-major order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// Number of images.
    pub n: usize,
    /// Height of each image in pixels.
    pub rows: usize,
    /// Width of each image in pixels.
    pub cols: usize,
    /// Pixel intensities 0..=255; image `i` is `pixels[i*rows*cols .. (i+1)*rows*cols]`.
    pub pixels: Vec<u8>,
}

impl Images {
    /// Builds an image stack, checking that `pixels.len() == n * rows * cols`.
    pub fn new(n: usize, rows: usize, cols: usize, pixels: Vec<u8>) -> Result<Self> {
        let expected = n
            .checked_mul(rows)
            .and_then(|v| v.checked_mul(cols))
            .ok_or_else(|| DataError::InvalidArgument(format!("{n}x{rows}x{cols} overflows")))?;
        if pixels.len() != expected {
            return Err(DataError::InvalidArgument(format!(
                "{n}x{rows}x{cols} images need {expected} pixels, got {}",
                pixels.len()
            )));
        }
        Ok(Self {
            n,
            rows,
            cols,
            pixels,
        })
    }

    /// Number of pixels in one image.
    pub fn image_size(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i`.
    ///
    /// # Panics
    /// If `i >= self.n`.
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.image_size();
        &self.pixels[i * size..(i + 1) * size]
    }

    /// Images `start..end` as a new stack.
    ///
    /// # Panics
    /// If `start > end` or `end > self.n`.
    pub fn slice(&self, start: usize, end: usize) -> Images {
        assert!(
            start <= end && end <= self.n,
            "slice {start}..{end} of {} images",
            self.n
        );
        let size = self.image_size();
        Images {
            n: end - start,
            rows: self.rows,
            cols: self.cols,
            pixels: self.pixels[start * size..end * size].to_vec(),
        }
    }
}

/// Reads a file whole, transparently decompressing it when it starts with [`GZIP_MAGIC`].
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    // MultiGzDecoder rather than GzDecoder: it rejects garbage after the first member instead
    // of silently ignoring it, and accepts legitimately concatenated members.
    let mut out = Vec::with_capacity(raw.len() * 4);
    MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    Ok(out)
}

/// Parses and validates an IDX header; returns the dimension sizes and the data bytes.
fn parse_idx<'a>(path: &Path, bytes: &'a [u8], magic: u32) -> Result<(Vec<usize>, &'a [u8])> {
    let ndims = (magic & 0xff) as usize;
    let header_len = WORD_BYTES * (1 + ndims);
    let truncated = |expected: usize| DataError::Truncated {
        path: path.to_path_buf(),
        expected_bytes: expected as u64,
        found_bytes: bytes.len() as u64,
    };
    let word = |i: usize| -> Option<u32> {
        let b = bytes.get(i * WORD_BYTES..(i + 1) * WORD_BYTES)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let found = word(0).ok_or_else(|| truncated(header_len))?;
    if found != magic {
        return Err(DataError::BadMagic {
            path: path.to_path_buf(),
            expected: magic,
            found,
        });
    }
    let dims: Vec<usize> = (1..=ndims)
        .map(|i| word(i).map(|d| d as usize))
        .collect::<Option<_>>()
        .ok_or_else(|| truncated(header_len))?;
    let data_len = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .and_then(|n| n.checked_add(header_len))
        .ok_or_else(|| DataError::BadDims {
            path: path.to_path_buf(),
            detail: format!("declared dimensions {dims:?} overflow"),
        })?;
    match bytes.len().cmp(&data_len) {
        std::cmp::Ordering::Less => Err(truncated(data_len)),
        std::cmp::Ordering::Greater => Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            expected_bytes: data_len as u64,
            found_bytes: bytes.len() as u64,
        }),
        std::cmp::Ordering::Equal => Ok((dims, &bytes[header_len..])),
    }
}

/// Reads an IDX image file (magic `0x00000803`), raw or gzipped.
pub fn read_idx_images(path: &Path) -> Result<Images> {
    let bytes = read_maybe_gz(path)?;
    let (dims, data) = parse_idx(path, &bytes, IDX_IMAGES_MAGIC)?;
    Ok(Images {
        n: dims[0],
        rows: dims[1],
        cols: dims[2],
        pixels: data.to_vec(),
    })
}

/// Reads an IDX label file (magic `0x00000801`), raw or gzipped. Label values are not checked
/// here; see [`crate::mnist::read_labelled`] for the 0..=9 check.
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>> {
    let bytes = read_maybe_gz(path)?;
    let (_, data) = parse_idx(path, &bytes, IDX_LABELS_MAGIC)?;
    Ok(data.to_vec())
}

/// Serialises an IDX header and payload, gzipping when asked, and writes it atomically.
fn write_idx(path: &Path, magic: u32, dims: &[usize], data: &[u8], gzip: bool) -> Result<()> {
    let mut bytes = Vec::with_capacity(WORD_BYTES * (1 + dims.len()) + data.len());
    bytes.extend_from_slice(&magic.to_be_bytes());
    for &d in dims {
        let d = u32::try_from(d).map_err(|_| {
            DataError::InvalidArgument(format!("IDX dimension {d} does not fit in a u32"))
        })?;
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    if gzip {
        // flate2 writes mtime 0 in the gzip header, so the output is byte-for-byte reproducible.
        let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::default());
        let gz_err = |e: std::io::Error| DataError::Gzip {
            path: PathBuf::from(path),
            detail: e.to_string(),
        };
        enc.write_all(&bytes).map_err(gz_err)?;
        bytes = enc.finish().map_err(gz_err)?;
    }
    write_atomic(path, &bytes)
}

/// Writes an IDX image file (magic `0x00000803`), gzipped when `gzip` is true.
pub fn write_idx_images(path: &Path, images: &Images, gzip: bool) -> Result<()> {
    if images.pixels.len() != images.n * images.rows * images.cols {
        return Err(DataError::InvalidArgument(format!(
            "{}x{}x{} images but {} pixels",
            images.n,
            images.rows,
            images.cols,
            images.pixels.len()
        )));
    }
    let dims = [images.n, images.rows, images.cols];
    write_idx(path, IDX_IMAGES_MAGIC, &dims, &images.pixels, gzip)
}

/// Writes an IDX label file (magic `0x00000801`), gzipped when `gzip` is true.
pub fn write_idx_labels(path: &Path, labels: &[u8], gzip: bool) -> Result<()> {
    write_idx(path, IDX_LABELS_MAGIC, &[labels.len()], labels, gzip)
}
