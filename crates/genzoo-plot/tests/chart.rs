//! Charts drawn to pixels: series in their palette colours, log axes that space decades
//! evenly, text present, the legend kept off the data, bad requests refused.
#![allow(clippy::unwrap_used)]

use genzoo_plot::{Axis, Chart, PALETTE, PlotError, Series};

const SIZE: (u32, u32) = (480, 320);

fn chart(series: Vec<Series>, x: Axis, y: Axis) -> Chart {
    Chart {
        title: String::new(),
        x,
        y,
        series,
        markers: false,
    }
}

fn pixel(rgb: &[u8], x: u32, y: u32) -> [u8; 3] {
    let at = 3 * (y * SIZE.0 + x) as usize;
    [rgb[at], rgb[at + 1], rgb[at + 2]]
}

fn colour(i: usize) -> [u8; 3] {
    let (r, g, b) = PALETTE[i];
    [r, g, b]
}

/// Mean rows of the first series at 20%, 50% and 80% of its horizontal extent, in the plot
/// (left two thirds: the legend column is right of it).
fn curve_rows(rgb: &[u8]) -> (f64, f64, f64) {
    let blue = colour(0);
    let in_plot = |x: u32| {
        let rows: Vec<u32> = (0..SIZE.1).filter(|&y| pixel(rgb, x, y) == blue).collect();
        (!rows.is_empty()).then(|| rows.iter().sum::<u32>() as f64 / rows.len() as f64)
    };
    let cols: Vec<u32> = (0..SIZE.0 * 2 / 3)
        .filter(|&x| in_plot(x).is_some())
        .collect();
    let (lo, hi) = (cols[0], cols[cols.len() - 1]);
    let at = |frac: f64| in_plot(lo + ((hi - lo) as f64 * frac) as u32).expect("a column");
    (at(0.2), at(0.5), at(0.8))
}

#[test]
fn series_are_drawn_in_palette_colours_on_white_with_text() {
    let train: Vec<(f64, f64)> = (0..50)
        .map(|t| (t as f64, 1.0 / (1.0 + t as f64)))
        .collect();
    let valid: Vec<(f64, f64)> = (0..50)
        .map(|t| (t as f64, 0.2 + 0.5 / (1.0 + t as f64)))
        .collect();
    let broken = vec![(0.0, 0.5), (1.0, f64::NAN), (2.0, 0.4)];
    let c = chart(
        vec![
            Series::new("train", train),
            Series::new("valid", valid),
            Series::new("broken", broken),
        ],
        Axis::linear("step"),
        Axis::linear("loss"),
    );
    let rgb = c.rgb(SIZE).unwrap();
    assert_eq!(rgb.len(), 3 * (SIZE.0 * SIZE.1) as usize);
    assert_eq!(pixel(&rgb, 0, 0), [255, 255, 255]);
    let has = |want: [u8; 3]| rgb.chunks_exact(3).any(|p| p == want);
    assert!(has(colour(0)) && has(colour(1)) && has(colour(2)));
    // Text: dark pixels left of the plot (the y tick labels and title).
    let dark = (0..SIZE.1)
        .flat_map(|y| (0..60).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&rgb, x, y).iter().all(|&v| v < 100))
        .count();
    assert!(dark > 50, "{dark} dark pixels: the axis text is missing");
}

#[test]
fn the_legend_sits_right_of_the_data() {
    // A line across the full width at the top, where an inside legend would sit.
    let pts: Vec<(f64, f64)> = (0..=100).map(|x| (x as f64, 1.0)).collect();
    let low = vec![(0.0, 0.0), (100.0, 0.0)];
    let c = chart(
        vec![
            Series::new("a very long series name", pts),
            Series::new("b", low),
        ],
        Axis::linear("x"),
        Axis::linear("y"),
    );
    let rgb = c.rgb(SIZE).unwrap();
    let blue_cols: Vec<u32> = (0..SIZE.0)
        .filter(|&x| (0..SIZE.1).any(|y| pixel(&rgb, x, y) == colour(0)))
        .collect();
    // Two blocks of columns: the line, then (after a gap) the legend's sample.
    let gap = blue_cols.windows(2).find(|w| w[1] > w[0] + 1);
    let (line_end, legend_start) = gap.map(|w| (w[0], w[1])).expect("line and legend apart");
    assert!(legend_start > line_end + 5, "the legend touches the line");
}

#[test]
fn values_spanning_decades_get_a_log_axis() {
    // y = 10^(2x/100): a straight line on a log axis, so equal steps in x are equal steps in
    // rows.
    let pts: Vec<(f64, f64)> = (0..=100)
        .map(|x| (x as f64, 10f64.powf(2.0 * x as f64 / 100.0)))
        .collect();
    let c = chart(
        vec![Series::new("loss", pts)],
        Axis::linear("step"),
        Axis::auto("loss"),
    );
    let (a, b, cc) = curve_rows(&c.rgb(SIZE).unwrap());
    assert!(
        ((b - a) - (cc - b)).abs() <= 2.0,
        "rows {a}, {b}, {cc} are not evenly spaced: the y axis is not logarithmic"
    );
    // Within one decade it stays linear: a convex curve rises faster at the right.
    let pts: Vec<(f64, f64)> = (0..=100)
        .map(|x| (x as f64, 10.0 + (x as f64 / 100.0).powi(2) * 50.0))
        .collect();
    let c = chart(
        vec![Series::new("loss", pts)],
        Axis::linear("step"),
        Axis::auto("loss"),
    );
    let (a, b, cc) = curve_rows(&c.rgb(SIZE).unwrap());
    assert!((a - b) < (b - cc) - 5.0, "rows {a}, {b}, {cc}");
}

#[test]
fn a_log_x_axis_spaces_decades_evenly_and_drops_non_positive_x() {
    let pts: Vec<(f64, f64)> = (0..=100)
        .map(|k| {
            let x = 10f64.powf(2.0 * k as f64 / 100.0);
            (x, x.log10())
        })
        .collect();
    let c = chart(
        vec![Series::new("fid", pts.clone())],
        Axis::log("steps"),
        Axis::linear("fid"),
    );
    let (a, b, cc) = curve_rows(&c.rgb(SIZE).unwrap());
    assert!(((a - b) - (b - cc)).abs() <= 2.0, "rows {a}, {b}, {cc}");
    let c = chart(
        vec![Series::new("fid", pts)],
        Axis::linear("steps"),
        Axis::linear("fid"),
    );
    let (a, b, cc) = curve_rows(&c.rgb(SIZE).unwrap());
    assert!((a - b) > (b - cc) + 5.0, "rows {a}, {b}, {cc}");
    let with_zero = vec![(0.0, 1.0), (10.0, 2.0), (100.0, 3.0)];
    let c = chart(
        vec![Series::new("fid", with_zero)],
        Axis::log("steps"),
        Axis::linear("fid"),
    );
    c.rgb(SIZE).unwrap();
}

#[test]
fn svg_names_the_axes_and_series() {
    let c = Chart {
        title: "run".into(),
        ..chart(
            vec![Series::new("train loss", vec![(0.0, 1.0), (10.0, 0.5)])],
            Axis::linear("training step"),
            Axis::linear("loss (nats)"),
        )
    };
    let svg = c.svg(SIZE).unwrap();
    assert!(svg.starts_with("<svg"));
    for text in ["training step", "loss (nats)", "train loss", "run"] {
        assert!(svg.contains(text), "the SVG lacks {text:?}");
    }
}

#[test]
fn bad_requests_are_refused() {
    let one = vec![Series::new("a", vec![(0.0, 1.0)])];
    let c = chart(one, Axis::linear("x"), Axis::linear("y"));
    assert!(matches!(c.rgb((40, 40)), Err(PlotError::Invalid(_))));
    let empty = chart(vec![], Axis::linear("x"), Axis::linear("y"));
    assert!(matches!(empty.svg(SIZE), Err(PlotError::Invalid(_))));
    // Nothing drawable (all NaN) still draws empty axes rather than failing.
    let nan = chart(
        vec![Series::new("a", vec![(f64::NAN, f64::NAN)])],
        Axis::auto("x"),
        Axis::auto("y"),
    );
    nan.rgb(SIZE).unwrap();
}
