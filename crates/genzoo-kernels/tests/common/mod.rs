//! Helpers shared by the fast-layer tests (conv, group norm).

use burn::prelude::*;

/// Largest tolerated |fast − reference| / max |reference|.
pub const TOL: f32 = 1e-5;

/// The fast path equals the reference to [`TOL`], relative to the reference's largest value.
pub fn assert_close<const D: usize>(what: &str, fast: Tensor<D>, reference: Tensor<D>) {
    assert_eq!(fast.dims(), reference.dims(), "{what}: shapes");
    let scale = reference
        .clone()
        .abs()
        .max()
        .into_scalar::<f32>()
        .max(f32::MIN_POSITIVE);
    let err = (fast - reference).abs().max().into_scalar::<f32>() / scale;
    assert!(err <= TOL, "{what}: relative error {err:e}");
}
