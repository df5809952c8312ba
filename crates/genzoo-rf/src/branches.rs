//! Merging branches (Inception modules, residual shortcuts) and checking their alignment.
//!
//! Each path from the input to a merge gives the merged units its own `(r, j, P)`. Following
//! Araujo et al. 2019 (Distill, "Computing Receptive Fields of Convolutional Neural Networks",
//! section on arbitrary computation graphs) and google-research/receptive_field, the merge takes
//! the largest receptive field over its inputs, per axis. That is only the whole story when the
//! paths are *aligned*: equal jumps and equal centres `c = (r − 1)/2 − P`, so every path's
//! receptive field is centred on the same input pixel. The reference implementation refuses
//! misaligned graphs; we keep going and report each misalignment, with the union of unit 0's
//! receptive fields over the paths, `[min(−P_i), max(r_i − 1 − P_i)]`, which is what the merged
//! unit actually sees when the jumps agree.

use super::axis::AxisRf;

/// A merge whose input paths disagree on jump or centre along one axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Misalignment {
    /// The merge node.
    pub merge: String,
    /// 0 for height, 1 for width.
    pub axis: usize,
    /// Each input (node name) with its receptive field.
    pub inputs: Vec<(String, AxisRf)>,
}

impl Misalignment {
    /// True when the jumps differ (the merged units then mix different grids).
    pub fn jumps_differ(&self) -> bool {
        self.inputs
            .iter()
            .any(|(_, r)| r.jump != self.inputs[0].1.jump)
    }

    /// First and last input pixel unit 0 sees over all paths (before clipping).
    pub fn union_span(&self) -> (i64, i64) {
        self.inputs
            .iter()
            .map(|(_, r)| r.span(0))
            .fold((i64::MAX, i64::MIN), |(a, b), (x, y)| (a.min(x), b.max(y)))
    }
}

/// Two receptive fields are aligned when their jumps and centres agree (compared on twice the
/// centre, an integer, so the test is exact).
pub fn aligned(a: &AxisRf, b: &AxisRf) -> bool {
    let twice_centre = |r: &AxisRf| r.rf as i64 - 1 - 2 * r.padding;
    a.jump == b.jump && twice_centre(a) == twice_centre(b)
}

/// The merged receptive field along one axis: the input with the largest `r` (the first one
/// on ties), and the misalignment, if any, among `inputs` (name, receptive field).
pub fn merge_axis(
    merge: &str,
    axis: usize,
    inputs: &[(String, AxisRf)],
) -> (AxisRf, Option<Misalignment>) {
    let widest = inputs
        .iter()
        .map(|(_, r)| *r)
        .reduce(|best, r| if r.rf > best.rf { r } else { best })
        .unwrap_or(AxisRf::input(0));
    let misaligned = inputs.iter().any(|(_, r)| !aligned(r, &inputs[0].1));
    let issue = misaligned.then(|| Misalignment {
        merge: merge.to_string(),
        axis,
        inputs: inputs.to_vec(),
    });
    (widest, issue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rf(rf: usize, jump: usize, padding: i64) -> AxisRf {
        AxisRf {
            size: 10,
            jump,
            rf,
            padding,
        }
    }

    /// A residual block: the 3×3-conv path (r 5, P 2) and the identity shortcut (r 3, P 1)
    /// are both centred on pixel 0: aligned, and the merge keeps r = 5.
    #[test]
    fn residual_block_is_aligned() {
        let paths = [
            ("body".into(), rf(5, 1, 2)),
            ("shortcut".into(), rf(3, 1, 1)),
        ];
        let (m, issue) = merge_axis("add", 0, &paths);
        assert_eq!(m, rf(5, 1, 2));
        assert!(issue.is_none());
    }

    /// A 2×2 stride-2 path (centre 0.5) against a 1×1 stride-2 path (centre 0): misaligned;
    /// unit 0 sees pixels 0..1 through the first and 0 through the second.
    #[test]
    fn even_kernel_against_pointwise_is_misaligned() {
        let paths = [("even".into(), rf(2, 2, 0)), ("point".into(), rf(1, 2, 0))];
        let (m, issue) = merge_axis("add", 1, &paths);
        assert_eq!(m.rf, 2);
        let issue = issue.expect("misaligned");
        assert_eq!(issue.axis, 1);
        assert!(!issue.jumps_differ());
        assert_eq!(issue.union_span(), (0, 1));
    }

    /// Paths with different jumps are misaligned even when unit 0's centres agree.
    #[test]
    fn different_jumps_are_misaligned() {
        let paths = [("a".into(), rf(3, 2, 1)), ("b".into(), rf(3, 4, 1))];
        let issue = merge_axis("m", 0, &paths).1.expect("misaligned");
        assert!(issue.jumps_differ());
    }
}
