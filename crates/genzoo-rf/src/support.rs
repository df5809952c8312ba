//! Exactly which input pixels can influence one unit: the structural support of its gradient.
//!
//! Where the recurrences give the receptive field of a unit far from the border, this walks the
//! graph backwards from one unit and marks, layer by layer, every position a kernel tap of a
//! marked unit lands on, dropping taps that fall in the padding. It is exact for every node
//! kind, at the border too, and handles what the recurrences cannot:
//! - clipping: a unit near the border sees fewer pixels, and padding at an inner layer hides
//!   pixels the outer recurrence would count;
//! - dilation: the support has holes, its extent is still `r`;
//! - transposed convolutions (output `o = i·s + m·d − p` for input `i`, tap `m`), whose
//!   support depends on the phase of `o` modulo the stride;
//! - misaligned merges: the union over the paths.
//!
//! Height and width are tracked separately. Window layers act on each axis independently, so
//! the per-axis marks are exactly the projections of the 2-D support onto rows and columns
//! (a union of branches stays a union of projections): the extents, the quantity the gradient
//! probe measures, are exact.

use super::RfError;
use super::graph::{NodeId, Op, RfNet};
use super::layer::Resolved;

/// Input positions that can influence a unit, per axis (height then width).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    /// `axes[a][x]`: input position `x` along axis `a` can influence the unit.
    pub axes: [Vec<bool>; 2],
}

impl Support {
    /// First and last influencing position along `axis`, or `None` when nothing does.
    pub fn extent(&self, axis: usize) -> Option<(usize, usize)> {
        let marks = &self.axes[axis];
        let first = marks.iter().position(|&m| m)?;
        let last = marks.iter().rposition(|&m| m)?;
        Some((first, last))
    }

    /// [`extent`](Self::extent) of both axes.
    pub fn extents(&self) -> [Option<(usize, usize)>; 2] {
        [self.extent(0), self.extent(1)]
    }
}

/// The support of unit `[row, column]` of node `node` of `net` on an input of `[height, width]`.
pub fn support(
    net: &RfNet,
    input: [usize; 2],
    node: NodeId,
    unit: [usize; 2],
) -> Result<Support, RfError> {
    let shapes = net.shapes(input)?;
    let nodes = net.nodes();
    let target = shapes
        .get(node.index())
        .ok_or_else(|| RfError::Graph(format!("node {} is not in `{}`", node.index(), net.name)))?;
    let size = [target[0].output, target[1].output];
    if unit[0] >= size[0] || unit[1] >= size[1] {
        return Err(RfError::UnitOutOfRange {
            layer: nodes[node.index()].name.clone(),
            unit,
            size,
        });
    }
    let mut marks: Vec<Option<[Vec<bool>; 2]>> = vec![None; nodes.len()];
    marks[node.index()] = Some([0, 1].map(|a| {
        let mut m = vec![false; size[a]];
        m[unit[a]] = true;
        m
    }));
    for i in (1..=node.index()).rev() {
        let Some(out) = marks[i].take() else { continue };
        for id in &nodes[i].inputs {
            let r = &shapes[i];
            let back: [Vec<bool>; 2] = match &nodes[i].op {
                Op::Input | Op::Merge => out.clone(),
                Op::Layer(_, w) => [0, 1].map(|a| {
                    let (k, s, d) = (w.axes[a].kernel, w.axes[a].stride, w.axes[a].dilation);
                    window_back(&out[a], &r[a], k, s, d)
                }),
                Op::Transposed { window, .. } => [0, 1].map(|a| {
                    let w = &window.axes[a];
                    transposed_back(&out[a], &r[a], w.kernel, w.stride, w.dilation)
                }),
            };
            let slot = marks[id.index()].get_or_insert_with(|| {
                let s = &shapes[id.index()];
                [vec![false; s[0].output], vec![false; s[1].output]]
            });
            for (dst, src) in slot.iter_mut().zip(back) {
                dst.iter_mut().zip(src).for_each(|(d, s)| *d |= s);
            }
        }
    }
    let axes = marks[0]
        .take()
        .unwrap_or_else(|| [vec![false; input[0]], vec![false; input[1]]]);
    Ok(Support { axes })
}

/// Input positions under the taps of marked outputs of a window layer: output `o` reads
/// `o·s + m·d − p_b` for `m < k`.
fn window_back(out: &[bool], r: &Resolved, k: usize, s: usize, d: usize) -> Vec<bool> {
    let mut marks = vec![false; r.input];
    for o in (0..out.len()).filter(|&o| out[o]) {
        for m in 0..k {
            if let Some(x) = (o * s + m * d).checked_sub(r.pad_begin)
                && x < r.input
            {
                marks[x] = true;
            }
        }
    }
    marks
}

/// Input positions feeding marked outputs of a transposed convolution: input `i` reaches
/// output `i·s + m·d − p_b`, so output `o` reads `i = (o + p_b − m·d)/s` where that is a whole
/// number in range.
fn transposed_back(out: &[bool], r: &Resolved, k: usize, s: usize, d: usize) -> Vec<bool> {
    let mut marks = vec![false; r.input];
    for o in (0..out.len()).filter(|&o| out[o]) {
        for m in 0..k {
            if let Some(t) = (o + r.pad_begin).checked_sub(m * d)
                && t % s == 0
                && t / s < r.input
            {
                marks[t / s] = true;
            }
        }
    }
    marks
}
