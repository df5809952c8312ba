//! The per-layer analysis of a network: for every node and axis, output size, jump,
//! receptive-field size, centre of unit 0 and effective padding (see [`axis`](super::axis) for
//! the recurrences), plus every misaligned merge (see [`branches`](super::branches)).

use super::RfError;
use super::axis::AxisRf;
use super::branches::{Misalignment, merge_axis};
use super::graph::{NodeId, Op, RfNet};

/// One node of the analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct RfRow {
    /// Node name.
    pub name: String,
    /// What the node computes.
    pub op: Op,
    /// Height then width.
    pub axes: [AxisRf; 2],
}

impl RfRow {
    /// True when height and width have the same size, jump, receptive field and padding.
    pub fn square(&self) -> bool {
        self.axes[0] == self.axes[1]
    }
}

/// The analysis of a whole net for one input size.
#[derive(Clone, Debug, PartialEq)]
pub struct RfReport {
    /// The net's name.
    pub net: String,
    /// Input `[height, width]`.
    pub input: [usize; 2],
    /// One row per node, in the net's (topological) order, the input first.
    pub rows: Vec<RfRow>,
    /// Merges whose input paths disagree on jump or centre.
    pub misalignments: Vec<Misalignment>,
}

impl RfReport {
    /// The row of the node called `name`.
    pub fn row(&self, name: &str) -> Option<&RfRow> {
        self.rows.iter().find(|r| r.name == name)
    }

    /// The last row (the net's output by convention).
    pub fn output(&self) -> &RfRow {
        // `analyse` always emits the input row, so `rows` is never empty.
        &self.rows[self.rows.len() - 1]
    }

    /// True when every row is the same along height and width.
    pub fn square(&self) -> bool {
        self.rows.iter().all(RfRow::square)
    }
}

/// Analyse `net` for an input image of `[height, width]` pixels.
///
/// Transposed convolutions are refused: an up-sampling layer's receptive field depends on the
/// phase of the output unit, which the recurrences cannot express; use
/// [`support()`](super::support()) for those nets.
pub fn analyse(net: &RfNet, input: [usize; 2]) -> Result<RfReport, RfError> {
    if input.contains(&0) {
        return Err(RfError::Graph(format!("input size {input:?} is empty")));
    }
    let shapes = net.shapes(input)?;
    let mut rows: Vec<RfRow> = Vec::with_capacity(net.nodes().len());
    let mut misalignments = Vec::new();
    for (i, node) in net.nodes().iter().enumerate() {
        let of = |id: &NodeId| rows[id.index()].axes;
        let axes = match &node.op {
            Op::Input => input.map(AxisRf::input),
            Op::Layer(_, w) => {
                let prev = of(&node.inputs[0]);
                [0, 1].map(|a| prev[a].through(&w.axes[a], &shapes[i][a]))
            }
            Op::Transposed { .. } => {
                return Err(RfError::Transposed {
                    layer: node.name.clone(),
                });
            }
            Op::Merge => {
                let mut merged = [AxisRf::input(0); 2];
                for (axis, slot) in merged.iter_mut().enumerate() {
                    let paths: Vec<(String, AxisRf)> = node
                        .inputs
                        .iter()
                        .map(|id| (net.nodes()[id.index()].name.clone(), of(id)[axis]))
                        .collect();
                    let (rf, issue) = merge_axis(&node.name, axis, &paths);
                    *slot = rf;
                    misalignments.extend(issue);
                }
                merged
            }
        };
        rows.push(RfRow {
            name: node.name.clone(),
            op: node.op.clone(),
            axes,
        });
    }
    Ok(RfReport {
        net: net.name.clone(),
        input,
        rows,
        misalignments,
    })
}
