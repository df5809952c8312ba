//! A network as the receptive-field arithmetic sees it: a directed acyclic graph of window
//! layers (convolution, pooling, explicit padding), transposed convolutions and merges
//! (addition or concatenation, which are the same here), from one input image.
//!
//! Nodes are stored in the order they were added and every node's inputs come before it, so
//! the order is topological. Channel counts, activations and normalisation do not move
//! receptive fields and are not represented.

use super::RfError;
use super::layer::{Padding, Resolved, Window};

/// A node of an [`RfNet`], valid only for the net that returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) usize);

impl NodeId {
    /// Position in [`RfNet::nodes`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// What a window layer computes (the geometry is the same for all three).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// A convolution (ordinary, depthwise or grouped).
    Conv,
    /// Max or average pooling.
    Pool,
    /// Explicit padding (a 1×1 window, stride 1).
    Pad,
}

/// What a node computes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// The input image.
    Input,
    /// A sliding window.
    Layer(LayerKind, Window),
    /// A transposed (fractionally strided) convolution with explicit padding, plus
    /// `output_padding` positions at the end of each axis.
    Transposed {
        /// Kernel, stride, dilation and padding of the convolution it transposes.
        window: Window,
        /// Extra output positions at the end, `[height, width]`.
        output_padding: [usize; 2],
    },
    /// Addition or concatenation of same-sized inputs.
    Merge,
}

impl Op {
    /// A short name for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Layer(LayerKind::Conv, _) => "conv",
            Op::Layer(LayerKind::Pool, _) => "pool",
            Op::Layer(LayerKind::Pad, _) => "pad",
            Op::Transposed { .. } => "deconv",
            Op::Merge => "merge",
        }
    }
}

/// One node: its name (unique within the net), what it computes, and its inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Name, e.g. `Mixed_5b/Branch_1/Conv2d_0b_5x5`.
    pub name: String,
    /// What it computes.
    pub op: Op,
    /// Nodes it reads (one, or several for a merge).
    pub inputs: Vec<NodeId>,
}

/// A layer of a chain, as [`ConvGeometry`](super::ConvGeometry) implementations list them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RfLayer {
    /// Name (the module's field name, e.g. `conv1`).
    pub name: String,
    /// What it computes (not [`Op::Input`] or [`Op::Merge`]).
    pub op: Op,
}

/// A network graph from one input image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RfNet {
    /// Name shown in reports.
    pub name: String,
    nodes: Vec<Node>,
}

/// Name of the input node every net starts with.
pub const INPUT_NAME: &str = "input";

impl RfNet {
    /// A net holding only its input node.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            nodes: vec![Node {
                name: INPUT_NAME.into(),
                op: Op::Input,
                inputs: Vec::new(),
            }],
        }
    }

    /// A chain of layers, each reading the previous one.
    pub fn chain(name: impl Into<String>, layers: Vec<RfLayer>) -> Self {
        let mut net = Self::new(name);
        for l in layers {
            let from = net.last();
            net.push(l.name, l.op, vec![from]);
        }
        net
    }

    /// The input node.
    pub fn input(&self) -> NodeId {
        NodeId(0)
    }

    /// The node added last (the net's output by convention).
    pub fn last(&self) -> NodeId {
        NodeId(self.nodes.len() - 1)
    }

    /// Every node, in topological order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The id of every node, in the order of [`nodes`](Self::nodes).
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..self.nodes.len()).map(NodeId)
    }

    /// The node called `name`.
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name).map(NodeId)
    }

    /// Add a node reading `inputs`.
    pub fn push(&mut self, name: impl Into<String>, op: Op, inputs: Vec<NodeId>) -> NodeId {
        self.nodes.push(Node {
            name: name.into(),
            op,
            inputs,
        });
        self.last()
    }

    /// A convolution reading `from`.
    pub fn conv(&mut self, name: impl Into<String>, from: NodeId, w: Window) -> NodeId {
        self.push(name, Op::Layer(LayerKind::Conv, w), vec![from])
    }

    /// A pooling layer reading `from`.
    pub fn pool(&mut self, name: impl Into<String>, from: NodeId, w: Window) -> NodeId {
        self.push(name, Op::Layer(LayerKind::Pool, w), vec![from])
    }

    /// Explicit padding of `from`, `[height, width]`.
    pub fn pad(&mut self, name: impl Into<String>, from: NodeId, pad: [Padding; 2]) -> NodeId {
        let mut w = Window::square(1, 1, Padding::VALID);
        w.axes[0].padding = pad[0];
        w.axes[1].padding = pad[1];
        self.push(name, Op::Layer(LayerKind::Pad, w), vec![from])
    }

    /// A merge (sum or concatenation) of `inputs`.
    pub fn merge(&mut self, name: impl Into<String>, inputs: &[NodeId]) -> NodeId {
        self.push(name, Op::Merge, inputs.to_vec())
    }

    /// Per node and axis, the padding applied and the output size, for an input image of
    /// `[height, width]`. Fails on a zero kernel/stride/dilation, a window larger than its
    /// padded input, a merge of differently sized maps, or a malformed graph.
    pub fn shapes(&self, input: [usize; 2]) -> Result<Vec<[Resolved; 2]>, RfError> {
        let mut out: Vec<[Resolved; 2]> = Vec::with_capacity(self.nodes.len());
        for (i, node) in self.nodes.iter().enumerate() {
            let inputs: Vec<[usize; 2]> = node
                .inputs
                .iter()
                .map(|id| match out.get(id.0) {
                    Some(r) if id.0 < i => Ok([r[0].output, r[1].output]),
                    _ => Err(RfError::Graph(format!(
                        "`{}` reads node {} which does not come before it",
                        node.name, id.0
                    ))),
                })
                .collect::<Result<_, _>>()?;
            let arity_ok = match node.op {
                Op::Input => inputs.is_empty(),
                Op::Merge => !inputs.is_empty(),
                _ => inputs.len() == 1,
            };
            if !arity_ok {
                return Err(RfError::Graph(format!(
                    "`{}` ({}) has {} inputs",
                    node.name,
                    node.op.label(),
                    inputs.len()
                )));
            }
            let resolved = match &node.op {
                Op::Input => input.map(identity),
                Op::Merge => {
                    if inputs.iter().any(|s| *s != inputs[0]) {
                        return Err(RfError::MergeSizes {
                            layer: node.name.clone(),
                            sizes: inputs,
                        });
                    }
                    inputs[0].map(identity)
                }
                Op::Layer(_, w) => [
                    w.axes[0].resolve(inputs[0][0], &node.name)?,
                    w.axes[1].resolve(inputs[0][1], &node.name)?,
                ],
                Op::Transposed {
                    window,
                    output_padding,
                } => [
                    window.axes[0].resolve_transposed(
                        inputs[0][0],
                        output_padding[0],
                        &node.name,
                    )?,
                    window.axes[1].resolve_transposed(
                        inputs[0][1],
                        output_padding[1],
                        &node.name,
                    )?,
                ],
            };
            out.push(resolved);
        }
        Ok(out)
    }
}

/// A node that passes `n` positions through unchanged.
fn identity(n: usize) -> Resolved {
    Resolved {
        input: n,
        pad_begin: 0,
        pad_end: 0,
        output: n,
    }
}
