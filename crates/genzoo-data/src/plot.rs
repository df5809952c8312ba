//! Pictures of 2-D data without text: histograms, heat maps, paths and labelled points, as
//! PNG. (Charts with axes and legends are `genzoo-plot`'s, drawn by plotters.)
//!
//! All share one convention for 2D data: the window `[−r, r]²` maps onto the image with
//! `x` growing rightwards and `y` growing upwards, so row 0 is the largest `y`:
//! ```text
//! column = ⌊(x + r) / 2r · res⌋,   row = ⌊(r − y) / 2r · res⌋
//! ```
//! Histograms are shown as `log(1 + count) / log(1 + max count)` so that sparse tails stay
//! visible next to dense modes; heat maps are normalised to their min..max; both use
//! [`viridis`].

use std::path::Path;

use crate::array::Array;
use crate::colormap::viridis;
use crate::error::{DataError, Result};
use crate::image::{PixelFormat, write_png};

/// Series colours, in order (matplotlib's `tab10`), reused cyclically.
const PALETTE: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];
/// The colour-mapped grid as RGB bytes.
fn colour(t: &[f64]) -> Vec<u8> {
    t.iter().flat_map(|&v| viridis(v)).collect()
}

/// Centres of a `res × res` grid over `[−range, range]²`, row-major with row 0 at the top
/// (largest `y`): the order [`save_heatmap`] expects. Each entry is `(x, y)`.
pub fn density_grid(range: f64, res: usize) -> Vec<(f64, f64)> {
    let cell = 2.0 * range / res as f64;
    (0..res)
        .flat_map(|row| {
            let y = range - (row as f64 + 0.5) * cell;
            (0..res).map(move |col| (-range + (col as f64 + 0.5) * cell, y))
        })
        .collect()
}

/// Saves `values` (row-major `height × width`, row 0 at the top) as a viridis heat map
/// normalised to the finite values' min..max; non-finite values get the bottom colour.
pub fn save_heatmap(path: &Path, values: &[f64], width: usize, height: usize) -> Result<()> {
    if values.len() != width.saturating_mul(height) {
        return Err(DataError::InvalidArgument(format!(
            "heat map of {width}x{height} needs {} values, got {}",
            width.saturating_mul(height),
            values.len()
        )));
    }
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = hi - lo;
    let t: Vec<f64> = values
        .iter()
        .map(|&v| {
            if v.is_finite() && span > 0.0 {
                (v - lo) / span
            } else {
                0.0
            }
        })
        .collect();
    write_png(path, width, height, PixelFormat::Rgb, &colour(&t))
}

/// Saves a 2D histogram of `points` (`[n, 2]`) over `[−range, range]²` in `size_px × size_px`
/// bins, log-scaled; points outside the window or not finite are left out.
pub fn save_scatter(path: &Path, points: &Array, range: f64, size_px: usize) -> Result<()> {
    if points.shape.len() != 2 || points.example_size() != 2 {
        return Err(DataError::InvalidArgument(format!(
            "save_scatter needs [n, 2] points, got shape {:?}",
            points.shape
        )));
    }
    if !(range.is_finite() && range > 0.0) || size_px == 0 {
        return Err(DataError::InvalidArgument(format!(
            "save_scatter needs range > 0 and size_px > 0, got {range} and {size_px}"
        )));
    }
    let mut counts = vec![0u32; size_px * size_px];
    let scale = size_px as f64 / (2.0 * range);
    for p in points.values.chunks_exact(2) {
        let (x, y) = (f64::from(p[0]), f64::from(p[1]));
        let (col, row) = ((x + range) * scale, (range - y) * scale);
        // Also rejects NaN, for which every comparison is false.
        if (0.0..size_px as f64).contains(&col) && (0.0..size_px as f64).contains(&row) {
            counts[row as usize * size_px + col as usize] += 1;
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let denominator = f64::from(max).ln_1p().max(f64::MIN_POSITIVE);
    let t: Vec<f64> = counts
        .iter()
        .map(|&c| f64::from(c).ln_1p() / denominator)
        .collect();
    write_png(path, size_px, size_px, PixelFormat::Rgb, &colour(&t))
}

/// Saves paths in the plane (each `[(x, y), …]` from its start to its end) over
/// `[−range, range]²` on white, each segment coloured by its position along the path (viridis:
/// dark purple at the start, yellow at the end), with a black dot at each start. The picture of
/// a flow's trajectories from noise to data.
pub fn save_paths(
    path: &Path,
    paths: &[Vec<(f64, f64)>],
    range: f64,
    size_px: usize,
) -> Result<()> {
    if !(range.is_finite() && range > 0.0) || size_px == 0 {
        return Err(DataError::InvalidArgument(format!(
            "save_paths needs range > 0 and size_px > 0, got {range} and {size_px}"
        )));
    }
    let mut canvas = Canvas {
        width: size_px,
        height: size_px,
        data: vec![255; size_px * size_px * 3],
    };
    let scale = size_px as f64 / (2.0 * range);
    let px = |(x, y): (f64, f64)| ((x + range) * scale, (range - y) * scale);
    for p in paths {
        let n = p.len().saturating_sub(1).max(1);
        for (k, w) in p.windows(2).enumerate() {
            if !(w[0].0.is_finite()
                && w[0].1.is_finite()
                && w[1].0.is_finite()
                && w[1].1.is_finite())
            {
                continue;
            }
            let c = viridis(k as f64 / n as f64);
            canvas.line(px(w[0]), px(w[1]), c, 1);
        }
        if let Some(&start) = p.first()
            && start.0.is_finite()
            && start.1.is_finite()
        {
            let (x, y) = px(start);
            canvas.line((x - 1.0, y - 1.0), (x - 1.0, y - 1.0), [0, 0, 0], 3);
        }
    }
    write_png(path, size_px, size_px, PixelFormat::Rgb, &canvas.data)
}

/// Saves labelled points `[(x, y, class)]` as dots on white, coloured by class (matplotlib's
/// `tab10`, cyclic), the window fitted to the points with a 5% margin: a 2-D projection of
/// features coloured by label.
pub fn save_labelled_points(path: &Path, points: &[(f64, f64, u8)], size_px: usize) -> Result<()> {
    if size_px < 8 {
        return Err(DataError::InvalidArgument(format!(
            "save_labelled_points needs size_px >= 8, got {size_px}"
        )));
    }
    let (x0, x1) = bounds(points.iter().map(|p| p.0));
    let (y0, y1) = bounds(points.iter().map(|p| p.1));
    let (mx, my) = (0.05 * (x1 - x0), 0.05 * (y1 - y0));
    let (x0, x1, y0, y1) = (x0 - mx, x1 + mx, y0 - my, y1 + my);
    let mut canvas = Canvas {
        width: size_px,
        height: size_px,
        data: vec![255; size_px * size_px * 3],
    };
    let side = (size_px - 1) as f64;
    for &(x, y, c) in points {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let px = (x - x0) / (x1 - x0) * side;
        let py = (y1 - y) / (y1 - y0) * side;
        let colour = PALETTE[usize::from(c) % PALETTE.len()];
        canvas.line((px, py), (px, py), colour, 2);
    }
    write_png(path, size_px, size_px, PixelFormat::Rgb, &canvas.data)
}

/// An RGB canvas for line plots.
struct Canvas {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Canvas {
    fn set(&mut self, x: i64, y: i64, rgb: [u8; 3]) {
        if (0..self.width as i64).contains(&x) && (0..self.height as i64).contains(&y) {
            let at = (y as usize * self.width + x as usize) * 3;
            self.data[at..at + 3].copy_from_slice(&rgb);
        }
    }

    /// A line from `a` to `b` (pixel coordinates), `thick` pixels wide, by uniform stepping
    /// along the longer axis (a DDA: every column or row it crosses gets a pixel).
    fn line(&mut self, a: (f64, f64), b: (f64, f64), rgb: [u8; 3], thick: i64) {
        let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0) as i64;
        for k in 0..=steps {
            let s = k as f64 / steps as f64;
            let (x, y) = (
                (a.0 + s * (b.0 - a.0)).round() as i64,
                (a.1 + s * (b.1 - a.1)).round() as i64,
            );
            for dy in 0..thick {
                for dx in 0..thick {
                    self.set(x + dx, y + dy, rgb);
                }
            }
        }
    }
}

/// `(min, max)` of the finite values; `(∞, −∞)` when there are none (also the charts' of
/// `genzoo-plot`).
pub fn finite_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// `(min, max)` of the finite values, widened when empty or degenerate.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = finite_range(values);
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        let pad = 0.5 * lo.abs().max(1.0);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}
