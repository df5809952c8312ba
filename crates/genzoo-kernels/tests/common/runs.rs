//! One forward + backward of a layer through autodiff, compared between its fast path and
//! burn's (the conv and transposed-conv tests; included with `#[path]` by those that use it).

use burn::prelude::*;

use crate::common::assert_close;

/// What one run gives: the output, `∂x` (when the input needs a gradient), `∂w`, `∂bias` (when
/// the layer has one).
pub type Run = (Tensor<4>, Option<Tensor<4>>, Tensor<4>, Option<Tensor<1>>);

/// The fast run equals the reference in value and every gradient (to [`crate::common::TOL`]),
/// and has a gradient exactly where the reference has one.
pub fn assert_runs_close(case: usize, fast: Run, reference: Run) {
    let (y1, gx1, gw1, gb1) = fast;
    let (y0, gx0, gw0, gb0) = reference;
    assert_close(&format!("case {case} value"), y1, y0);
    assert_close(&format!("case {case} ∂w"), gw1, gw0);
    assert_eq!(gx0.is_some(), gx1.is_some(), "case {case}: ∂x presence");
    if let (Some(a), Some(r)) = (gx1, gx0) {
        assert_close(&format!("case {case} ∂x"), a, r);
    }
    assert_eq!(gb0.is_some(), gb1.is_some(), "case {case}: ∂b presence");
    if let (Some(a), Some(r)) = (gb1, gb0) {
        assert_close(&format!("case {case} ∂b"), a, r);
    }
}
