//! PNG output: image grids in the manner of `torchvision.utils.make_grid` / `save_image`.
//!
//! A grid of `n` images `[n, c, h, w]` with `k = min(ncols, n)` columns and `⌈n/k⌉` rows is
//! ```text
//! width  = k·(w + padding) + padding,   height = ⌈n/k⌉·(h + padding) + padding
//! ```
//! with image `i` at row `⌊i/k⌋`, column `i mod k`, on a black background; values in `[0, 1]`
//! become bytes as `clamp(⌊255·v + 0.5⌋, 0, 255)`, as `save_image` does. One channel is written
//! as greyscale, three as RGB. The plots (scatter, heat map, curves) live in [`crate::plot`]
//! and are re-exported here.

use std::path::Path;

use crate::array::Array;
use crate::error::{DataError, Result};
use crate::fsutil::write_atomic;
pub use crate::plot::{density_grid, save_heatmap, save_scatter};

/// Largest byte value, the scale of `[0, 1]` values.
const BYTE_MAX: f32 = 255.0;

/// Pixel layout of an 8-bit image to encode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// One byte per pixel.
    Grey,
    /// Three bytes per pixel (red, green, blue).
    Rgb,
}

impl PixelFormat {
    /// Bytes per pixel.
    pub fn channels(self) -> usize {
        match self {
            PixelFormat::Grey => 1,
            PixelFormat::Rgb => 3,
        }
    }
}

fn png_err(path: &Path, detail: impl Into<String>) -> DataError {
    DataError::Png {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// Encodes 8-bit pixels (row-major, top row first) as a PNG and writes it atomically.
pub fn write_png(
    path: &Path,
    width: usize,
    height: usize,
    format: PixelFormat,
    data: &[u8],
) -> Result<()> {
    let expected = width
        .checked_mul(height)
        .and_then(|p| p.checked_mul(format.channels()))
        .ok_or_else(|| png_err(path, format!("{width}x{height} overflows")))?;
    if data.len() != expected || width == 0 || height == 0 {
        return Err(png_err(
            path,
            format!(
                "{width}x{height} {format:?} image needs {expected} > 0 bytes, got {}",
                data.len()
            ),
        ));
    }
    let to_u32 =
        |v: usize| u32::try_from(v).map_err(|_| png_err(path, format!("dimension {v} too large")));
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, to_u32(width)?, to_u32(height)?);
    encoder.set_color(match format {
        PixelFormat::Grey => png::ColorType::Grayscale,
        PixelFormat::Rgb => png::ColorType::Rgb,
    });
    encoder.set_depth(png::BitDepth::Eight);
    let encode = || -> std::result::Result<(), png::EncodingError> {
        let mut writer = encoder.write_header()?;
        writer.write_image_data(data)?;
        writer.finish()
    };
    encode().map_err(|e| png_err(path, e.to_string()))?;
    write_atomic(path, &bytes)
}

/// `v ∈ [0, 1]` as a byte, rounding half up and clamping; NaN becomes 0.
fn to_byte(v: f32) -> u8 {
    // `as u8` saturates and maps NaN to 0.
    (v * BYTE_MAX + 0.5).clamp(0.0, BYTE_MAX) as u8
}

/// Saves images `[n, c, h, w]` (`c` ∈ {1, 3}, values in `[0, 1]`, clamped) as a grid of
/// `ncols` columns separated by `padding` black pixels.
pub fn save_grid(path: &Path, images: &Array, ncols: usize, padding: usize) -> Result<()> {
    let &[n, c, h, w] = images.shape.as_slice() else {
        return Err(DataError::InvalidArgument(format!(
            "save_grid needs [n, c, h, w] images, got shape {:?}",
            images.shape
        )));
    };
    let format = match c {
        1 => PixelFormat::Grey,
        3 => PixelFormat::Rgb,
        _ => {
            return Err(DataError::InvalidArgument(format!(
                "save_grid needs 1 or 3 channels, got {c}"
            )));
        }
    };
    if n == 0 || ncols == 0 || h == 0 || w == 0 {
        return Err(DataError::InvalidArgument(format!(
            "save_grid needs at least one non-empty image and column (n={n}, ncols={ncols}, {h}x{w})"
        )));
    }
    let cols = ncols.min(n);
    let rows = n.div_ceil(cols);
    let width = cols * (w + padding) + padding;
    let height = rows * (h + padding) + padding;
    let mut data = vec![0u8; width * height * c];
    for i in 0..n {
        let top = (i / cols) * (h + padding) + padding;
        let left = (i % cols) * (w + padding) + padding;
        let image = images.row(i);
        for y in 0..h {
            for x in 0..w {
                let out = ((top + y) * width + left + x) * c;
                for ch in 0..c {
                    // Input is planar (channel-major), PNG is interleaved.
                    data[out + ch] = to_byte(image[(ch * h + y) * w + x]);
                }
            }
        }
    }
    write_png(path, width, height, format, &data)
}
