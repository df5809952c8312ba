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
/// a legend above the frame names the series (plots with a side below `MIN_TEXT_SIDE`, 60
/// pixels, draw no text). The y axis is logarithmic when the values are positive and span [`LOG_Y_RATIO`] (the
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
    let window = Window::new(series, options);
    let y_labels = window.tick_labels(window.y0, window.y1, |t| window.y_value(t));
    let x_labels = window.tick_labels(window.x0, window.x1, |t| window.x_value(t));
    let layout = Layout::new(size, &y_labels);
    let mut canvas = Canvas {
        width,
        height,
        data: WHITE.repeat(width * height),
    };
    canvas.grid_and_frame(&layout, &window);
    if layout.with_text {
        canvas.ticks(&layout, &y_labels, &x_labels);
        canvas.legend(&layout, &window, series);
    }
    canvas.series(&layout, &window, series);
    write_png(path, width, height, PixelFormat::Rgb, &canvas.data)
}

/// What a curve plot shows on each axis: the plotted coordinate (log10 of the value on a log
/// axis, the value otherwise) and its range.
struct Window {
    log_x: bool,
    log_y: bool,
    /// Plotted x range.
    x0: f64,
    x1: f64,
    /// Plotted y range, with [`Y_HEADROOM`] above and below the data.
    y0: f64,
    y1: f64,
}

impl Window {
    /// The window of `series`: log y when the values are positive and span [`LOG_Y_RATIO`].
    fn new(series: &[(&str, Vec<(f64, f64)>)], options: CurveOptions) -> Self {
        let all = || series.iter().flat_map(|(_, pts)| pts.iter());
        let (lo, hi) = finite_range(all().map(|p| p.1));
        let mut w = Window {
            log_x: options.log_x,
            log_y: lo > 0.0 && hi / lo >= LOG_Y_RATIO,
            x0: 0.0,
            x1: 1.0,
            y0: 0.0,
            y1: 1.0,
        };
        (w.x0, w.x1) = bounds(all().map(|p| w.tx(p.0)));
        let (y0, y1) = bounds(all().map(|p| w.ty(p.1)));
        let headroom = Y_HEADROOM * (y1 - y0);
        (w.y0, w.y1) = (y0 - headroom, y1 + headroom);
        w
    }

    /// Plotted x (non-finite for x ≤ 0 on a log axis, so such points are left out).
    fn tx(&self, x: f64) -> f64 {
        if self.log_x { x.log10() } else { x }
    }

    /// Plotted y.
    fn ty(&self, y: f64) -> f64 {
        if self.log_y { y.log10() } else { y }
    }

    /// The value at plotted x `t`, for tick labels.
    fn x_value(&self, t: f64) -> f64 {
        if self.log_x { 10f64.powf(t) } else { t }
    }

    /// The value at plotted y `t`, for tick labels.
    fn y_value(&self, t: f64) -> f64 {
        if self.log_y { 10f64.powf(t) } else { t }
    }

    /// Labels of the [`GRID_DIVISIONS`] + 1 grid lines from plotted `a` to `b`.
    fn tick_labels(&self, a: f64, b: f64, value: impl Fn(f64) -> f64) -> Vec<String> {
        (0..=GRID_DIVISIONS)
            .map(|k| a + (b - a) * k as f64 / GRID_DIVISIONS as f64)
            .map(|t| format_significant(value(t), TICK_DIGITS))
            .collect()
    }

    /// "log x", "log y", both or nothing, for the legend's end.
    fn scale_note(&self) -> &'static str {
        match (self.log_x, self.log_y) {
            (true, true) => "log x and y",
            (true, false) => "log x",
            (false, true) => "log y",
            (false, false) => "",
        }
    }
}

/// Where things go on a curve plot, in pixels: the plot area inside a margin, with room on the
/// left for the y tick labels and above and below for the legend and the x tick labels.
struct Layout {
    width: usize,
    /// Glyph scale of the text.
    scale: usize,
    /// Whether the plot is large enough for text ([`MIN_TEXT_SIDE`]).
    with_text: bool,
    /// Height of a line of text with its padding.
    line_h: f64,
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Layout {
    /// The layout of a `(width, height)` plot whose y ticks read `y_labels`.
    fn new((width, height): (usize, usize), y_labels: &[String]) -> Self {
        let side = width.min(height);
        let scale = if side >= LARGE_TEXT_SIDE { 2 } else { 1 };
        let with_text = side >= MIN_TEXT_SIDE;
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
        Layout {
            width,
            scale,
            with_text,
            line_h,
            left,
            top,
            right: right.max(left + 1.0),
            bottom,
        }
    }

    /// Pixel coordinates of plotted `(x, t)`.
    fn to_px(&self, w: &Window, x: f64, t: f64) -> (f64, f64) {
        (
            self.left + (x - w.x0) / (w.x1 - w.x0) * (self.right - self.left),
            self.top + (w.y1 - t) / (w.y1 - w.y0) * (self.bottom - self.top),
        )
    }
}

impl Canvas {
    /// The inner grid lines, the `y = 0` line where it is in view (linear axis), the frame.
    fn grid_and_frame(&mut self, l: &Layout, w: &Window) {
        for k in 1..GRID_DIVISIONS {
            let s = k as f64 / GRID_DIVISIONS as f64;
            let gx = l.left + s * (l.right - l.left);
            let gy = l.top + s * (l.bottom - l.top);
            self.line((gx, l.top), (gx, l.bottom), GRID_GREY, 1);
            self.line((l.left, gy), (l.right, gy), GRID_GREY, 1);
        }
        if !w.log_y && w.y0 < 0.0 && 0.0 < w.y1 {
            let (_, zy) = l.to_px(w, w.x0, 0.0);
            self.line((l.left, zy), (l.right, zy), FRAME_GREY, 1);
        }
        for (a, b) in [
            ((l.left, l.top), (l.right, l.top)),
            ((l.right, l.top), (l.right, l.bottom)),
            ((l.left, l.bottom), (l.right, l.bottom)),
            ((l.left, l.top), (l.left, l.bottom)),
        ] {
            self.line(a, b, FRAME_GREY, 1);
        }
    }

    /// The tick labels: y right-aligned left of the frame and centred on their grid line
    /// (bottom to top); x below the frame, centred on their grid line, kept inside the image.
    fn ticks(&mut self, l: &Layout, y_labels: &[String], x_labels: &[String]) {
        let scale = l.scale;
        let half_h = (text_height(scale) / 2) as f64;
        for (k, label) in y_labels.iter().enumerate() {
            let gy = l.bottom - (l.bottom - l.top) * k as f64 / GRID_DIVISIONS as f64;
            let x = l.left - LABEL_PAD as f64 - text_width(label, scale) as f64;
            self.text(label, x, gy - half_h, scale, TEXT_GREY);
        }
        for (k, label) in x_labels.iter().enumerate() {
            let gx = l.left + (l.right - l.left) * k as f64 / GRID_DIVISIONS as f64;
            let w = text_width(label, scale) as f64;
            let x = (gx - w / 2.0).clamp(0.0, (l.width as f64 - w).max(0.0));
            self.text(label, x, l.bottom + LABEL_PAD as f64, scale, TEXT_GREY);
        }
    }

    /// A colour swatch and the name of each series, left to right above the frame, and the
    /// axes' scale at the right end.
    fn legend(&mut self, l: &Layout, w: &Window, series: &[(&str, Vec<(f64, f64)>)]) {
        let scale = l.scale;
        let half_h = (text_height(scale) / 2) as f64;
        let mut x = l.left;
        let y = l.top - l.line_h + LABEL_PAD as f64;
        for (k, (name, _)) in series.iter().enumerate() {
            let rgb = PALETTE[k % PALETTE.len()];
            let sw = (LEGEND_SWATCH * scale) as f64;
            self.line((x, y + half_h - 1.0), (x + sw, y + half_h - 1.0), rgb, 2);
            x += sw + LABEL_PAD as f64;
            self.text(name, x, y, scale, TEXT_GREY);
            x += (text_width(name, scale) + 3 * LABEL_PAD * scale) as f64;
        }
        let note = w.scale_note();
        let note_w = text_width(note, scale) as f64;
        self.text(note, l.right - note_w, y, scale, TEXT_GREY);
    }

    /// Each series as a 2-pixel line in its palette colour, broken at non-finite points; a
    /// series of a single point as a dot.
    fn series(&mut self, l: &Layout, w: &Window, series: &[(&str, Vec<(f64, f64)>)]) {
        let px = |p: &(f64, f64)| l.to_px(w, w.tx(p.0), w.ty(p.1));
        let finite = |p: &(f64, f64)| w.tx(p.0).is_finite() && w.ty(p.1).is_finite();
        for (k, (_, pts)) in series.iter().enumerate() {
            let rgb = PALETTE[k % PALETTE.len()];
            for pair in pts.windows(2) {
                if finite(&pair[0]) && finite(&pair[1]) {
                    self.line(px(&pair[0]), px(&pair[1]), rgb, 2);
                }
            }
            if let [only] = pts.as_slice()
                && finite(only)
            {
                let p = px(only);
                self.line(p, p, rgb, 2);
            }
        }
    }
}
