//! PNG input: one image per file, or a folder of them, as intensities in `[0, 1]`.
//!
//! Every PNG colour type and bit depth is decoded to 8 bits (palettes expanded, 16-bit
//! stripped) and converted to one grey channel `g`:
//! ```text
//! grey          g = v
//! grey + alpha  g = v · a / 255                          (composited over black)
//! RGB           g = 0.299 R + 0.587 G + 0.114 B          (ITU-R BT.601 luma, as PIL's "L")
//! RGB + alpha   g = luma · a / 255
//! ```
//! and the intensity is `g / 255`. A folder yields its `*.png` files in name order, as
//! `[n, 1, h, w]`; every image must have the size of the first.

use std::path::{Path, PathBuf};

use crate::array::Array;
use crate::error::{DataError, Result};

/// Largest byte value.
const BYTE_MAX: f32 = 255.0;
/// BT.601 luma weights of red, green and blue.
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

fn png_err(path: &Path, detail: impl Into<String>) -> DataError {
    DataError::Png {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}

/// One PNG as grey intensities: `(height, width, values)`, row-major, top row first.
pub fn read_png_grey(path: &Path) -> Result<(usize, usize, Vec<f32>)> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|e| png_err(path, e.to_string()))?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| png_err(path, "image too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| png_err(path, e.to_string()))?;
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let luma = |p: &[u8]| -> f32 {
        match p.len() {
            1 | 2 => f32::from(p[0]),
            _ => LUMA.iter().zip(p).map(|(k, &v)| k * f32::from(v)).sum(),
        }
    };
    let mut values = Vec::with_capacity(w * h);
    for row in buf.chunks(info.line_size).take(h) {
        for p in row[..w * channels].chunks_exact(channels) {
            let alpha = match channels {
                2 => f32::from(p[1]) / BYTE_MAX,
                4 => f32::from(p[3]) / BYTE_MAX,
                _ => 1.0,
            };
            values.push((luma(p) * alpha / BYTE_MAX).clamp(0.0, 1.0));
        }
    }
    Ok((h, w, values))
}

/// The `*.png` files of `dir`, sorted by name.
pub fn png_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| DataError::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| DataError::io(dir, e))?.path();
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Every PNG of `dir` as `[n, 1, h, w]` intensities; refuses an empty folder and mixed sizes.
pub fn read_png_folder(dir: &Path) -> Result<Array> {
    let files = png_files(dir)?;
    let Some(first) = files.first() else {
        return Err(DataError::InvalidArgument(format!(
            "{} holds no .png files",
            dir.display()
        )));
    };
    let (h, w, mut values) = read_png_grey(first)?;
    for path in &files[1..] {
        let (hh, ww, v) = read_png_grey(path)?;
        if (hh, ww) != (h, w) {
            return Err(png_err(
                path,
                format!(
                    "is {hh}×{ww}, but {} is {h}×{w}: a folder's images must share one size",
                    first.display()
                ),
            ));
        }
        values.extend(v);
    }
    Array::new(vec![files.len(), 1, h, w], values)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::image::{PixelFormat, write_png};

    #[test]
    fn grey_and_rgb_pngs_read_back_as_intensities() {
        let dir = tempfile::tempdir().unwrap();
        write_png(
            &dir.path().join("b.png"),
            3,
            2,
            PixelFormat::Grey,
            &[0, 51, 255, 102, 0, 0],
        )
        .unwrap();
        // Pure red, green, blue, white: luma 0.299, 0.587, 0.114, 1.
        let rgb = [
            255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0,
        ];
        write_png(&dir.path().join("a.png"), 3, 2, PixelFormat::Rgb, &rgb).unwrap();
        let a = read_png_folder(dir.path()).unwrap();
        assert_eq!(a.shape, vec![2, 1, 2, 3]);
        let expect = [
            0.299, 0.587, 0.114, 1.0, 0.0, 0.0, 0.0, 0.2, 1.0, 0.4, 0.0, 0.0,
        ];
        for (v, e) in a.values.iter().zip(expect) {
            assert!((v - e).abs() < 1e-6, "{:?}", a.values);
        }
        write_png(&dir.path().join("c.png"), 2, 2, PixelFormat::Grey, &[0; 4]).unwrap();
        let e = read_png_folder(dir.path()).unwrap_err().to_string();
        assert!(e.contains("c.png") && e.contains("share one size"), "{e}");
        let empty = tempfile::tempdir().unwrap();
        assert!(read_png_folder(empty.path()).is_err());
    }
}
