//! A network described in TOML: a list of layers, each reading the previous one unless it
//! names its input, and merges of named branches.
//!
//! ```toml
//! name = "tiny"
//! input = 64                  # default input size: one number, or [height, width]
//!
//! [[layer]]
//! name = "conv1"
//! op = "conv"                 # conv | pool | pad | merge
//! k = 7                       # kernel: k or [kh, kw]
//! s = 2                       # stride (default 1): s or [sh, sw]
//! p = 3                       # padding (default 0): p, [ph, pw], "same", "valid",
//!                             #   or { top = 1, bottom = 2, left = 1, right = 2 }
//! # d = 1                     # dilation (default 1), conv and pool
//! # ceil = false              # round output sizes up (Caffe pools)
//!
//! [[layer]]
//! name = "shortcut"
//! op = "pool"
//! input = "conv1"             # default: the previous layer; "input" is the image
//! k = 1
//! s = 2
//!
//! [[layer]]
//! name = "add"
//! op = "merge"
//! inputs = ["conv2", "shortcut"]
//! ```

use serde::Deserialize;

use super::RfError;
use super::graph::{INPUT_NAME, LayerKind, NodeId, Op, RfNet};
use super::layer::{AxisWindow, Padding, Window};

/// A net read from TOML, with the input size the file suggests.
#[derive(Clone, Debug, PartialEq)]
pub struct Described {
    /// The graph.
    pub net: RfNet,
    /// `input = …` of the file, `[height, width]`.
    pub input: Option<[usize; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NetSpec {
    name: Option<String>,
    input: Option<PerAxis>,
    layer: Vec<LayerSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerSpec {
    name: String,
    op: OpSpec,
    k: Option<PerAxis>,
    s: Option<PerAxis>,
    d: Option<PerAxis>,
    p: Option<PadSpec>,
    ceil: Option<bool>,
    input: Option<String>,
    inputs: Option<Vec<String>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum OpSpec {
    Conv,
    Pool,
    Pad,
    Merge,
}

/// One value for both axes or `[height, width]`.
#[derive(Clone, Copy, Deserialize)]
#[serde(untagged)]
enum PerAxis {
    Both(usize),
    Each([usize; 2]),
}

impl PerAxis {
    fn axes(self) -> [usize; 2] {
        match self {
            PerAxis::Both(v) => [v, v],
            PerAxis::Each(v) => v,
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(untagged)]
enum PadSpec {
    Both(usize),
    Each([usize; 2]),
    Word(String),
    Sides(Sides),
}

#[derive(Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sides {
    top: usize,
    bottom: usize,
    left: usize,
    right: usize,
}

impl PadSpec {
    fn axes(&self, layer: &str) -> Result<[Padding; 2], RfError> {
        Ok(match self {
            PadSpec::Both(p) => [Padding::symmetric(*p); 2],
            PadSpec::Each(p) => p.map(Padding::symmetric),
            PadSpec::Word(w) if w == "same" => [Padding::Same; 2],
            PadSpec::Word(w) if w == "valid" => [Padding::VALID; 2],
            PadSpec::Word(w) => {
                return Err(bad(
                    layer,
                    format!(
                        "padding {w:?}: use a number, [h, w], \"same\", \"valid\" or {{top, bottom, left, right}}"
                    ),
                ));
            }
            PadSpec::Sides(s) => [
                Padding::Explicit {
                    begin: s.top,
                    end: s.bottom,
                },
                Padding::Explicit {
                    begin: s.left,
                    end: s.right,
                },
            ],
        })
    }
}

fn bad(layer: &str, detail: String) -> RfError {
    RfError::Parse(format!("layer `{layer}`: {detail}"))
}

/// Parse a TOML description.
pub fn parse(text: &str) -> Result<Described, RfError> {
    let spec: NetSpec = ::toml::from_str(text).map_err(|e| RfError::Parse(e.to_string()))?;
    if spec.layer.is_empty() {
        return Err(RfError::Parse("no [[layer]] in the description".into()));
    }
    let mut net = RfNet::new(spec.name.unwrap_or_else(|| "described".into()));
    for l in &spec.layer {
        if l.name == INPUT_NAME {
            return Err(bad(&l.name, format!("`{INPUT_NAME}` names the image")));
        }
        if net.find(&l.name).is_some() {
            return Err(RfError::DuplicateName(l.name.clone()));
        }
        let lookup = |name: &String| {
            net.find(name).ok_or_else(|| RfError::UnknownInput {
                layer: l.name.clone(),
                input: name.clone(),
            })
        };
        let inputs: Vec<NodeId> = match (&l.input, &l.inputs) {
            (Some(_), Some(_)) => {
                return Err(bad(&l.name, "give `input` or `inputs`, not both".into()));
            }
            (Some(one), None) => vec![lookup(one)?],
            (None, Some(many)) => many.iter().map(lookup).collect::<Result<_, _>>()?,
            (None, None) => vec![net.last()],
        };
        let op = match l.op {
            OpSpec::Merge => {
                if l.k.is_some() || l.s.is_some() || l.d.is_some() || l.p.is_some() {
                    return Err(bad(&l.name, "a merge has no k, s, d or p".into()));
                }
                if inputs.len() < 2 {
                    return Err(bad(
                        &l.name,
                        "a merge needs `inputs = [..]` with 2 or more".into(),
                    ));
                }
                Op::Merge
            }
            OpSpec::Pad => {
                if l.k.is_some() || l.s.is_some() || l.d.is_some() {
                    return Err(bad(&l.name, "a pad layer takes only p".into()));
                }
                let Some(p) = &l.p else {
                    return Err(bad(&l.name, "a pad layer needs p".into()));
                };
                let mut w = Window::square(1, 1, Padding::VALID);
                let pads = p.axes(&l.name)?;
                w.axes[0].padding = pads[0];
                w.axes[1].padding = pads[1];
                Op::Layer(LayerKind::Pad, w)
            }
            kind @ (OpSpec::Conv | OpSpec::Pool) => {
                let Some(k) = l.k else {
                    return Err(bad(&l.name, "needs a kernel size k".into()));
                };
                let (k, s) = (k.axes(), l.s.map_or([1, 1], PerAxis::axes));
                let d = l.d.map_or([1, 1], PerAxis::axes);
                let p =
                    l.p.as_ref()
                        .map_or(Ok([Padding::VALID; 2]), |p| p.axes(&l.name))?;
                let axes = [0, 1].map(|a| AxisWindow {
                    kernel: k[a],
                    stride: s[a],
                    dilation: d[a],
                    padding: p[a],
                    ceil_mode: l.ceil.unwrap_or(false),
                });
                for a in &axes {
                    a.validate(&l.name)?;
                }
                let kind = match kind {
                    OpSpec::Pool => LayerKind::Pool,
                    _ => LayerKind::Conv,
                };
                Op::Layer(kind, Window { axes })
            }
        };
        if l.op != OpSpec::Merge && inputs.len() != 1 {
            return Err(bad(&l.name, "only a merge reads several inputs".into()));
        }
        net.push(l.name.clone(), op, inputs);
    }
    Ok(Described {
        net,
        input: spec.input.map(PerAxis::axes),
    })
}
