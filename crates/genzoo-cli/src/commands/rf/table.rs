//! Fixed-width tables of `genzoo rf`: per-layer receptive fields, supports of up-sampling
//! nets, and gradient-probe results.

use std::fmt::Write as _;

use genzoo_rf::{
    AxisRf, AxisWindow, Node, Op, Padding, ProbeReport, RfNet, RfReport, Support, Window,
};

/// Longest layer name shown in full; longer names keep their end.
const NAME_WIDTH: usize = 44;

/// What the columns mean, printed under the tables.
pub const LEGEND: &str = "size: output units; jump: input pixels between adjacent units \
(effective stride); rf: receptive-field size; start: centre of unit 0 in input pixels; \
pad: effective padding P = (rf - 1)/2 - start, so unit u sees input pixels \
u*jump - P .. u*jump - P + rf - 1. Two numbers HxW where height and width differ.";

/// `a` when both axes agree, else `hxw`.
fn per_axis<T: PartialEq + std::fmt::Display>(h: T, w: T) -> String {
    if h == w {
        h.to_string()
    } else {
        format!("{h}x{w}")
    }
}

fn half(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Width of the name column: the longest name, within `[5, NAME_WIDTH]`.
fn name_width(net: &RfNet) -> usize {
    let longest = net.nodes().iter().map(|n| n.name.chars().count()).max();
    longest.unwrap_or(0).clamp("layer".len(), NAME_WIDTH)
}

fn name(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= NAME_WIDTH {
        n.to_string()
    } else {
        let tail: String = chars[chars.len() - (NAME_WIDTH - 1)..].iter().collect();
        format!("…{tail}")
    }
}

fn padding(a: &AxisWindow) -> String {
    match a.padding {
        Padding::Same => "same".into(),
        Padding::Explicit { begin: 0, end: 0 } => "valid".into(),
        Padding::Explicit { begin, end } if begin == end => format!("p{begin}"),
        Padding::Explicit { begin, end } => format!("p{begin},{end}"),
    }
}

fn window(w: &Window) -> String {
    let [h, v] = &w.axes;
    let mut s = format!(
        "{}x{} s{}",
        h.kernel,
        v.kernel,
        per_axis(h.stride, v.stride)
    );
    if h.dilation != 1 || v.dilation != 1 {
        let _ = write!(s, " d{}", per_axis(h.dilation, v.dilation));
    }
    let _ = write!(s, " {}", per_axis(padding(h), padding(v)));
    if h.ceil_mode {
        s.push_str(" ceil");
    }
    s
}

/// What a node computes, in a few characters.
pub fn describe(node: &Node) -> String {
    match &node.op {
        Op::Input => String::new(),
        Op::Layer(_, w) => window(w),
        Op::Transposed {
            window: w,
            output_padding: [0, 0],
        } => window(w),
        Op::Transposed {
            window: w,
            output_padding,
        } => format!(
            "{} +{}",
            window(w),
            per_axis(output_padding[0], output_padding[1])
        ),
        Op::Merge => format!("{} inputs", node.inputs.len()),
    }
}

/// The per-layer table of a net the recurrences describe.
pub fn layers(net: &RfNet, report: &RfReport) -> String {
    let nw = name_width(net);
    let mut out = format!(
        "{:<w$}  {:<6} {:<20} {:>9} {:>7} {:>9} {:>11} {:>9}\n",
        "layer",
        "op",
        "window",
        "size",
        "jump",
        "rf",
        "start",
        "pad",
        w = nw
    );
    for (node, row) in net.nodes().iter().zip(&report.rows) {
        let [h, w]: [AxisRf; 2] = row.axes;
        let _ = writeln!(
            out,
            "{:<nw$}  {:<6} {:<20} {:>9} {:>7} {:>9} {:>11} {:>9}",
            name(&node.name),
            node.op.label(),
            describe(node),
            per_axis(h.size, w.size),
            per_axis(h.jump, w.jump),
            per_axis(h.rf, w.rf),
            per_axis(half(h.start()), half(w.start())),
            per_axis(h.padding, w.padding),
        );
    }
    if report.misalignments.is_empty() {
        let merges = net.nodes().iter().filter(|n| n.op == Op::Merge).count();
        if merges > 0 {
            let _ = writeln!(out, "all {merges} merges aligned (equal jumps and centres)");
        }
    }
    for m in &report.misalignments {
        let axis = ["height", "width"][m.axis];
        let paths: Vec<String> = m
            .inputs
            .iter()
            .map(|(n, r)| {
                format!(
                    "{n}: jump {} centre {} rf {}",
                    r.jump,
                    half(r.start()),
                    r.rf
                )
            })
            .collect();
        let (a, b) = m.union_span();
        let _ = writeln!(
            out,
            "misaligned merge `{}` ({axis}){}: {}; unit 0 sees pixels {a}..{b} over all paths",
            m.merge,
            if m.jumps_differ() {
                ", jumps differ"
            } else {
                ""
            },
            paths.join("; ")
        );
    }
    out
}

/// One node of a net with transposed convolutions.
pub struct SupportRow {
    /// Output `[height, width]`.
    pub size: [usize; 2],
    /// Per axis, the fewest and most input units one output unit depends on (it varies with
    /// the unit's phase).
    pub units: [(usize, usize); 2],
}

/// For nets with transposed convolutions: per layer, the output size and how many input units
/// an output unit depends on.
pub fn supports(net: &RfNet, rows: &[SupportRow]) -> String {
    let nw = name_width(net);
    let mut out = format!(
        "{:<w$}  {:<6} {:<20} {:>9} {:>16}\n",
        "layer",
        "op",
        "window",
        "size",
        "input units",
        w = nw
    );
    for (node, SupportRow { size, units }) in net.nodes().iter().zip(rows) {
        let _ = writeln!(
            out,
            "{:<nw$}  {:<6} {:<20} {:>9} {:>16}",
            name(&node.name),
            node.op.label(),
            describe(node),
            per_axis(size[0], size[1]),
            per_axis(range(units[0]), range(units[1])),
        );
    }
    out
}

fn range((lo, hi): (usize, usize)) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}..{hi}")
    }
}

fn extent(e: Option<(usize, usize)>) -> String {
    e.map_or("none".into(), |(a, b)| format!("{a}..{b}"))
}

fn both(s: &Support) -> String {
    format!("{}, {}", extent(s.extent(0)), extent(s.extent(1)))
}

/// One line per probed unit: measured extents, exact support, analytic field, verdict.
pub fn probe(report: &ProbeReport) -> String {
    let mut out = format!(
        "{:<10} {:<22} {:<22} {:<24} agree\n",
        "unit", "measured (rows, cols)", "exact support", "computed rf (unclipped)"
    );
    for u in &report.units {
        let analytic = u
            .analytic
            .map_or("-".into(), |[(a, b), (c, d)]| format!("{a}..{b}, {c}..{d}"));
        let verdict = match (u.agrees(), u.interior()) {
            (true, true) => "yes (= rf)",
            (true, false) => "yes",
            (false, _) => "NO",
        };
        let _ = writeln!(
            out,
            "{:<10} {:<22} {:<22} {:<24} {verdict}",
            format!("({},{})", u.unit[0], u.unit[1]),
            both(&u.measured),
            both(&u.expected),
            analytic
        );
    }
    out
}
