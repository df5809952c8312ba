//! Charts: lines of `(x, y)` points with axis titles, ticks at round values and a legend beside
//! the plot (never over the data), drawn by [plotters](https://docs.rs/plotters) as SVG (the
//! HTML report) or PNG (a run folder's `curves.png`).
//!
//! Text is laid out with DejaVu Sans, embedded in the crate (`assets/`, Bitstream Vera
//! licence), so a PNG looks the same on every machine and no system font library is needed;
//! an SVG names the font and lets the browser draw it.
//!
//! Scales: an axis is logarithmic when asked ([`Axis::log`]) or, for [`Scale::Auto`], when its
//! values are all positive and span at least [`LOG_RATIO`] (a loss falling from 0.5 to 0.02
//! would otherwise be a flat line after the first steps); the axis title then says "log scale".
//! Points that are not finite (or not positive on a log axis) break a line instead of ending it.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use genzoo_data::plot::finite_range;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

/// DejaVu Sans (Bitstream Vera licence: `assets/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// The family name the charts ask for.
const FONT_FAMILY: &str = "sans-serif";

/// Values spanning at least this ratio are drawn on a log axis under [`Scale::Auto`].
pub const LOG_RATIO: f64 = 10.0;

/// Series colours in order (matplotlib's `tab10`), reused cyclically.
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// What can go wrong drawing a chart.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The request itself is unusable (too small, nothing to draw).
    #[error("{0}")]
    Invalid(String),
    /// plotters failed.
    #[error("drawing the chart: {0}")]
    Draw(String),
    /// Writing the file failed.
    #[error(transparent)]
    Data(#[from] genzoo_data::DataError),
}

/// A linear or logarithmic axis, or one chosen from the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// Logarithmic when the values are positive and span [`LOG_RATIO`].
    #[default]
    Auto,
    /// Linear.
    Linear,
    /// Logarithmic (non-positive values are left out).
    Log,
}

/// One axis: its title (with units) and scale.
#[derive(Clone, Debug, Default)]
pub struct Axis {
    /// Title under (x) or beside (y) the axis, e.g. "training step".
    pub title: String,
    /// Linear, logarithmic or chosen from the data.
    pub scale: Scale,
}

impl Axis {
    /// A linear axis.
    pub fn linear(title: &str) -> Self {
        Axis {
            title: title.into(),
            scale: Scale::Linear,
        }
    }
    /// A logarithmic axis.
    pub fn log(title: &str) -> Self {
        Axis {
            title: title.into(),
            scale: Scale::Log,
        }
    }
    /// An axis that turns logarithmic when its values span a decade.
    pub fn auto(title: &str) -> Self {
        Axis {
            title: title.into(),
            scale: Scale::Auto,
        }
    }
}

/// A named line.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// Points in drawing order.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series from a name and points.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// A line chart.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// Caption above the plot (may be empty).
    pub title: String,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
    /// The lines, coloured in [`PALETTE`] order.
    pub series: Vec<Series>,
    /// Mark every point with a dot (for sweeps of a few points).
    pub markers: bool,
}

/// Smallest chart side that leaves room for the text, pixels.
pub const MIN_SIDE: u32 = 120;

impl Chart {
    /// The chart as an SVG document of `size` = (width, height) pixels.
    pub fn svg(&self, size: (u32, u32)) -> Result<String, PlotError> {
        self.validate(size)?;
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| PlotError::Draw(e.to_string()))?;
        }
        Ok(out)
    }

    /// The chart as RGB pixels, row-major, `3 · width · height` bytes.
    pub fn rgb(&self, size: (u32, u32)) -> Result<Vec<u8>, PlotError> {
        self.validate(size)?;
        let mut buf = vec![255u8; 3 * size.0 as usize * size.1 as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| PlotError::Draw(e.to_string()))?;
        }
        Ok(buf)
    }

    /// Write the chart as a PNG (atomically: a complete file or none).
    pub fn save_png(&self, path: &Path, size: (u32, u32)) -> Result<(), PlotError> {
        let rgb = self.rgb(size)?;
        genzoo_data::write_png(
            path,
            size.0 as usize,
            size.1 as usize,
            genzoo_data::PixelFormat::Rgb,
            &rgb,
        )?;
        Ok(())
    }

    fn validate(&self, size: (u32, u32)) -> Result<(), PlotError> {
        if size.0 < MIN_SIDE || size.1 < MIN_SIDE {
            return Err(PlotError::Invalid(format!(
                "a chart needs at least {MIN_SIDE}x{MIN_SIDE} pixels, got {}x{}",
                size.0, size.1
            )));
        }
        if self.series.is_empty() {
            return Err(PlotError::Invalid(
                "a chart needs at least one series".into(),
            ));
        }
        Ok(())
    }

    /// Whether each axis is logarithmic for this data.
    pub fn log_axes(&self) -> (bool, bool) {
        let decide = |scale: Scale, values: Vec<f64>| match scale {
            Scale::Linear => false,
            Scale::Log => true,
            Scale::Auto => {
                let (lo, hi) = finite_range(values.iter().copied());
                lo > 0.0 && hi / lo >= LOG_RATIO
            }
        };
        let xs = self.points().map(|p| p.0).collect();
        let ys = self.points().map(|p| p.1).collect();
        (decide(self.x.scale, xs), decide(self.y.scale, ys))
    }

    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.series.iter().flat_map(|s| s.points.iter().copied())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        font();
        root.fill(&WHITE).map_err(draw_err)?;
        let (log_x, log_y) = self.log_axes();
        let pts: Vec<(f64, f64)> = self
            .points()
            .filter(|&p| drawable(p, log_x, log_y))
            .collect();
        // Markers would be cut in half at the edges: sweeps get room on x too.
        let x = padded(pts.iter().map(|p| p.0), log_x, self.markers);
        let y = padded(pts.iter().map(|p| p.1), log_y, true);
        let titles = (
            axis_title(&self.x.title, log_x),
            axis_title(&self.y.title, log_y),
        );
        // Four coordinate types: plotters' log and linear ranges are distinct types.
        let log = |r: Range<f64>| {
            let ticks = log_ticks(r.start, r.end);
            r.log_scale().with_key_points(ticks)
        };
        let logs = (log_x, log_y);
        match logs {
            (false, false) => self.draw_in(root, x, y, &titles, logs),
            (true, false) => self.draw_in(root, log(x), y, &titles, logs),
            (false, true) => self.draw_in(root, x, log(y), &titles, logs),
            (true, true) => self.draw_in(root, log(x), log(y), &titles, logs),
        }
    }

    fn draw_in<DB, X, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        x: X,
        y: Y,
        titles: &(String, String),
        (log_x, log_y): (bool, bool),
    ) -> Result<(), PlotError>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let (w, _) = root.dim_in_pixel();
        // The legend gets its own column right of the plot, as wide as the longest name.
        let longest = self
            .series
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0) as u32;
        let legend_w = (40 + 8 * longest).min(w / 3);
        let (plot, legend) = root.split_horizontally(w - legend_w);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, (FONT_FAMILY, 16))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x, y)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(titles.0.as_str())
            .y_desc(titles.1.as_str())
            .label_style((FONT_FAMILY, 12))
            .axis_desc_style((FONT_FAMILY, 13))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .x_labels(8)
            .y_labels(8)
            // Grid lines only at the labelled ticks: plotters' minor lines crowd a log axis.
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()
            .map_err(draw_err)?;
        for (i, s) in self.series.iter().enumerate() {
            let (r, g, b) = PALETTE[i % PALETTE.len()];
            let colour = RGBColor(r, g, b);
            for run in finite_runs(&s.points, log_x, log_y) {
                chart
                    .draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(2)))
                    .map_err(draw_err)?;
                if self.markers {
                    chart
                        .draw_series(
                            run.iter()
                                .map(|&p| Circle::new(p, 3, colour.filled()))
                                .collect::<Vec<_>>(),
                        )
                        .map_err(draw_err)?;
                }
            }
            let top = 30 + 20 * i as i32;
            legend
                .draw(&PathElement::new(
                    vec![(6, top), (26, top)],
                    colour.stroke_width(3),
                ))
                .map_err(draw_err)?;
            legend
                .draw(&Text::new(
                    s.name.clone(),
                    (32, top - 7),
                    (FONT_FAMILY, 12).into_font(),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Register the embedded font with plotters once per process.
fn font() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // The bytes are a valid TrueType file compiled in; a failure would show as missing
        // text, which the tests catch.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT);
    });
}

fn axis_title(title: &str, log: bool) -> String {
    match (title.is_empty(), log) {
        (true, true) => "(log scale)".into(),
        (false, true) => format!("{title} (log scale)"),
        (_, false) => title.to_string(),
    }
}

/// The drawn range of `values`: a little wider than the data (linear: 5% each side on y, none
/// on x; log: a factor), and never empty.
fn padded(values: impl Iterator<Item = f64>, log: bool, pad: bool) -> Range<f64> {
    let (lo, hi) = finite_range(values);
    if lo > hi {
        return if log { 1.0..10.0 } else { 0.0..1.0 };
    }
    if log {
        let (lo, hi) = if lo == hi {
            (lo / 2.0, hi * 2.0)
        } else {
            (lo, hi)
        };
        let f = if pad { (hi / lo).powf(0.05) } else { 1.0 };
        return lo / f..hi * f;
    }
    if lo == hi {
        let d = 0.5 * lo.abs().max(1.0);
        return lo - d..hi + d;
    }
    let d = if pad { 0.05 * (hi - lo) } else { 0.0 };
    lo - d..hi + d
}

/// Whether a point can be placed: finite, and positive on a log axis.
fn drawable(p: (f64, f64), log_x: bool, log_y: bool) -> bool {
    p.0.is_finite() && p.1.is_finite() && (!log_x || p.0 > 0.0) && (!log_y || p.1 > 0.0)
}

/// Consecutive drawable points: a non-finite point (or a non-positive one on a log axis) ends
/// a run.
fn finite_runs(points: &[(f64, f64)], log_x: bool, log_y: bool) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for &p in points {
        match (drawable(p, log_x, log_y), runs.last_mut()) {
            (true, Some(run)) => run.push(p),
            (false, Some(run)) if !run.is_empty() => runs.push(Vec::new()),
            _ => {}
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// Ticks of a log axis over `[lo, hi]` (`0 < lo < hi`): the powers of ten inside, with 2 and 5
/// times them when that leaves fewer than four, and every 1..9 times them when still fewer.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |ms: &[f64]| -> Vec<f64> {
        (k0..=k1)
            .flat_map(|k| ms.iter().map(move |m| m * 10f64.powi(k)))
            .filter(|v| (lo..=hi).contains(v))
            .collect()
    };
    for ms in [
        &[1.0][..],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ] {
        let t = within(ms);
        if t.len() >= 4 {
            return t;
        }
    }
    within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// A tick label: at most four significant digits, no trailing zeros, thousands grouped,
/// scientific notation beyond 10⁶ or below 10⁻³.
pub fn tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.2e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{e}");
    }
    let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    group_thousands(&s)
}

/// `12345` → `12,345` (digits grouped in threes).
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A formatted number with its integer part grouped in threes when it has five digits or more.
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let Ok(n) = int.parse::<u64>() else {
        return s.to_string();
    };
    if int.len() <= 4 {
        return s.to_string();
    }
    match frac {
        Some(f) => format!("{sign}{}.{f}", thousands(n)),
        None => format!("{sign}{}", thousands(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_as_round_numbers() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(20.0), "20");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(2500.0), "2500");
        assert_eq!(tick(20000.0), "20,000");
        assert_eq!(tick(-15000.0), "-15,000");
        assert_eq!(tick(1.5e-5), "1.5e-5");
        assert_eq!(tick(3e7), "3e7");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn log_ticks_are_round_and_not_too_few() {
        assert_eq!(
            log_ticks(1.0, 10000.0),
            vec![1.0, 10.0, 100.0, 1000.0, 10000.0]
        );
        assert_eq!(log_ticks(8.0, 300.0), vec![10.0, 20.0, 50.0, 100.0, 200.0]);
        assert_eq!(log_ticks(22.0, 31.0), vec![30.0]);
        assert_eq!(
            log_ticks(20.0, 80.0),
            vec![20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
        );
    }

    #[test]
    fn runs_break_at_bad_points() {
        let p = [
            (1.0, 1.0),
            (2.0, f64::NAN),
            (3.0, 2.0),
            (4.0, 3.0),
            (5.0, -1.0),
        ];
        assert_eq!(finite_runs(&p, false, false).len(), 2);
        let log = finite_runs(&p, false, true);
        assert_eq!(log, vec![vec![(1.0, 1.0)], vec![(3.0, 2.0), (4.0, 3.0)]]);
    }

    #[test]
    fn auto_scale_turns_logarithmic_over_a_decade() {
        let chart = |ys: &[f64]| Chart {
            x: Axis::auto("step"),
            y: Axis::auto("loss"),
            series: vec![Series::new(
                "a",
                ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect(),
            )],
            ..Chart::default()
        };
        assert_eq!(chart(&[0.5, 0.02]).log_axes(), (false, true));
        assert_eq!(chart(&[0.5, 0.2]).log_axes(), (false, false));
        assert_eq!(chart(&[0.5, -0.02]).log_axes(), (false, false));
    }
}
