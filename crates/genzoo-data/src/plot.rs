//! Plots: 2D histograms and heat maps (no text), and learning curves with tick values and a
//! legend (the 3×5 font of [`crate::glyphs`]), as PNG.
//!
//! All three share one convention for 2D data: the window `[−r, r]²` maps onto the image with
//! `x` growing rightwards and `y` growing upwards, so row 0 is the largest `y`:
//! ```text
//! column = ⌊(x + r) / 2r · res⌋,   row = ⌊(r − y) / 2r · res⌋
//! ```
//! Histograms are shown as `log(1 + count) / log(1 + max count)` so that sparse tails stay
//! visible next to dense modes; heat maps are normalised to their min..max; both use
//! [`viridis`]. Curves whose values are all positive and span at least [`LOG_Y_RATIO`] are drawn
//! on a logarithmic y axis (a loss falling from 0.5 to 0.02 would otherwise be a flat line after
//! the first steps); the tick labels give the values either way.

use std::path::Path;

use crate::array::Array;
use crate::colormap::viridis;
use crate::error::{DataError, Result};
use crate::glyphs::{format_significant, text_height, text_pixels, text_width};
use crate::image::{PixelFormat, write_png};

/// Background of curve plots.
const WHITE: [u8; 3] = [255, 255, 255];
/// Plot frame.
const FRAME_GREY: [u8; 3] = [190, 190, 190];
/// Grid lines and the `y = 0` line: lighter than the frame.
const GRID_GREY: [u8; 3] = [232, 232, 232];
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
/// Grid divisions per axis of a curve plot.
const GRID_DIVISIONS: usize = 4;
/// Smallest side of a curve plot that leaves room for a margin and a plot area.
const MIN_CURVE_SIDE: usize = 16;
/// Margin around the plot area, as a fraction of the smaller side.
const MARGIN_FRACTION: f64 = 0.05;
/// Vertical head-room above and below the data, as a fraction of its span.
const Y_HEADROOM: f64 = 0.05;
/// Tick labels and legend.
const TEXT_GREY: [u8; 3] = [90, 90, 90];
/// Curve plots with a smaller side than this get no text (no room for it).
const MIN_TEXT_SIDE: usize = 60;
/// Curve plots with at least this smaller side draw text at scale 2 (6×10 pixel glyphs).
const LARGE_TEXT_SIDE: usize = 300;
/// Pixels between a label and what it labels.
const LABEL_PAD: usize = 4;
/// Length in pixels of a series' colour sample in the legend.
const LEGEND_SWATCH: usize = 14;
/// Significant digits of tick labels.
const TICK_DIGITS: usize = 3;
/// Positive values spanning at least this ratio (max/min) are plotted on a log y axis.
pub const LOG_Y_RATIO: f64 = 10.0;

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

    /// `text` with its top-left corner at `(x, y)` (rounded to pixels), glyphs `scale`× size.
    fn text(&mut self, text: &str, x: f64, y: f64, scale: usize, rgb: [u8; 3]) {
        for (px, py) in text_pixels(text, x.round() as i64, y.round() as i64, scale) {
            self.set(px, py, rgb);
        }
    }
}

/// `(min, max)` of the finite values; `(∞, −∞)` when there are none.
fn finite_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
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

/// Saves a line plot of learning curves: each series is `(name, [(x, y), …])`, drawn in
/// matplotlib's `tab10` order; non-finite points break the line. Axes are a light frame, a light grid
/// and the `y = 0` line where it is in view (linear axis); the grid lines carry their values and
/// a legend above the frame names the series (plots smaller than [`MIN_TEXT_SIDE`] draw no
/// text). The y axis is logarithmic when the values are positive and span [`LOG_Y_RATIO`] (the
/// legend then ends with "log y"). `size` is `(width, height)` in pixels.
pub fn save_curve(
    path: &Path,
    series: &[(&str, Vec<(f64, f64)>)],
    size: (usize, usize),
) -> Result<()> {
    save_curve_with(path, series, size, CurveOptions::default())
}

/// Choices [`save_curve`] does not make by itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct CurveOptions {
    /// A logarithmic x axis (for sweeps over orders of magnitude, such as sampler steps);
    /// points with `x ≤ 0` are then left out. The legend ends with "log x".
    pub log_x: bool,
}

/// [`save_curve`] with [`CurveOptions`].
pub fn save_curve_with(
    path: &Path,
    series: &[(&str, Vec<(f64, f64)>)],
    size: (usize, usize),
    options: CurveOptions,
) -> Result<()> {
    let (width, height) = size;
    if width < MIN_CURVE_SIDE || height < MIN_CURVE_SIDE {
        return Err(DataError::InvalidArgument(format!(
            "curve plot must be at least {MIN_CURVE_SIDE}x{MIN_CURVE_SIDE}, got {width}x{height}"
        )));
    }
    let all = || series.iter().flat_map(|(_, pts)| pts.iter());
    let (lo, hi) = finite_range(all().map(|p| p.1));
    let log_y = lo > 0.0 && hi / lo >= LOG_Y_RATIO;
    // Plotted y: log10 of the value on a log axis, the value otherwise.
    let ty = |y: f64| if log_y { y.log10() } else { y };
    // Plotted x: log10 of the value on a log axis (non-finite for x ≤ 0, so left out).
    let log_x = options.log_x;
    let tx = |x: f64| if log_x { x.log10() } else { x };
    let (x0, x1) = bounds(all().map(|p| tx(p.0)));
    let (y0, y1) = bounds(all().map(|p| ty(p.1)));
    let headroom = Y_HEADROOM * (y1 - y0);
    let (y0, y1) = (y0 - headroom, y1 + headroom);
    // The value at plotted height `t`, for the tick labels.
    let value_at = |t: f64| if log_y { 10f64.powf(t) } else { t };

    let side = width.min(height);
    let scale = if side >= LARGE_TEXT_SIDE { 2 } else { 1 };
    let with_text = side >= MIN_TEXT_SIDE;
    let divisions = |a: f64, b: f64| {
        (0..=GRID_DIVISIONS).map(move |k| a + (b - a) * k as f64 / GRID_DIVISIONS as f64)
    };
    let y_labels: Vec<String> = divisions(y0, y1)
        .map(|t| format_significant(value_at(t), TICK_DIGITS))
        .collect();
    let x_labels: Vec<String> = divisions(x0, x1)
        .map(|t| format_significant(if log_x { 10f64.powf(t) } else { t }, TICK_DIGITS))
        .collect();

    let margin = ((side as f64) * MARGIN_FRACTION).ceil().max(2.0);
    let line_h = (text_height(scale) + 2 * LABEL_PAD) as f64;
    let label_w = y_labels
        .iter()
        .map(|l| text_width(l, scale))
        .max()
        .unwrap_or(0) as f64;
    let (left, top, bottom_room) = if with_text {
        (
            margin + label_w + LABEL_PAD as f64,
            margin + line_h,
            margin + line_h,
        )
    } else {
        (margin, margin, margin)
    };
    let (right, bottom) = (
        width as f64 - 1.0 - margin,
        (height as f64 - 1.0 - bottom_room).max(top + 1.0),
    );
    let right = right.max(left + 1.0);
    let to_px = |x: f64, t: f64| {
        (
            left + (x - x0) / (x1 - x0) * (right - left),
            top + (y1 - t) / (y1 - y0) * (bottom - top),
        )
    };

    let mut canvas = Canvas {
        width,
        height,
        data: WHITE.repeat(width * height),
    };
    for k in 1..GRID_DIVISIONS {
        let s = k as f64 / GRID_DIVISIONS as f64;
        let gx = left + s * (right - left);
        let gy = top + s * (bottom - top);
        canvas.line((gx, top), (gx, bottom), GRID_GREY, 1);
        canvas.line((left, gy), (right, gy), GRID_GREY, 1);
    }
    if !log_y && y0 < 0.0 && 0.0 < y1 {
        let (_, zy) = to_px(x0, 0.0);
        canvas.line((left, zy), (right, zy), FRAME_GREY, 1);
    }
    for (a, b) in [
        ((left, top), (right, top)),
        ((right, top), (right, bottom)),
        ((left, bottom), (right, bottom)),
        ((left, top), (left, bottom)),
    ] {
        canvas.line(a, b, FRAME_GREY, 1);
    }
    if with_text {
        let half_h = (text_height(scale) / 2) as f64;
        // y ticks: right-aligned left of the frame, centred on their grid line (bottom to top).
        for (k, label) in y_labels.iter().enumerate() {
            let gy = bottom - (bottom - top) * k as f64 / GRID_DIVISIONS as f64;
            let x = left - LABEL_PAD as f64 - text_width(label, scale) as f64;
            canvas.text(label, x, gy - half_h, scale, TEXT_GREY);
        }
        // x ticks: below the frame, centred on their grid line, kept inside the image.
        for (k, label) in x_labels.iter().enumerate() {
            let gx = left + (right - left) * k as f64 / GRID_DIVISIONS as f64;
            let w = text_width(label, scale) as f64;
            let x = (gx - w / 2.0).clamp(0.0, (width as f64 - w).max(0.0));
            canvas.text(label, x, bottom + LABEL_PAD as f64, scale, TEXT_GREY);
        }
        // Legend: a colour swatch and the name of each series, left to right above the frame.
        let mut x = left;
        let y = top - line_h + LABEL_PAD as f64;
        for (k, (name, _)) in series.iter().enumerate() {
            let rgb = PALETTE[k % PALETTE.len()];
            let sw = (LEGEND_SWATCH * scale) as f64;
            canvas.line((x, y + half_h - 1.0), (x + sw, y + half_h - 1.0), rgb, 2);
            x += sw + LABEL_PAD as f64;
            canvas.text(name, x, y, scale, TEXT_GREY);
            x += (text_width(name, scale) + 3 * LABEL_PAD * scale) as f64;
        }
        let scale_note = match (log_x, log_y) {
            (true, true) => "log x and y",
            (true, false) => "log x",
            (false, true) => "log y",
            (false, false) => "",
        };
        let w = text_width(scale_note, scale) as f64;
        canvas.text(scale_note, right - w, y, scale, TEXT_GREY);
    }

    for (k, (_, pts)) in series.iter().enumerate() {
        let rgb = PALETTE[k % PALETTE.len()];
        let finite = |p: &&(f64, f64)| tx(p.0).is_finite() && ty(p.1).is_finite();
        for pair in pts.windows(2) {
            if finite(&&pair[0]) && finite(&&pair[1]) {
                canvas.line(
                    to_px(tx(pair[0].0), ty(pair[0].1)),
                    to_px(tx(pair[1].0), ty(pair[1].1)),
                    rgb,
                    2,
                );
            }
        }
        // A series of a single point still shows, as a dot.
        if let [only] = pts.as_slice()
            && finite(&only)
        {
            let p = to_px(tx(only.0), ty(only.1));
            canvas.line(p, p, rgb, 2);
        }
    }
    write_png(path, width, height, PixelFormat::Rgb, &canvas.data)
}
