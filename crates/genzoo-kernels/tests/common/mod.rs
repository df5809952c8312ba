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

/// An elementwise op's fast path against its reference on an autodiff device: the value, and
/// the gradient of Σ f(x)·r with respect to x, each to [`TOL`]; the fast op must be counted as
/// taken.
#[allow(dead_code)] // used by the elementwise ops' tests only
pub fn assert_elementwise_matches(
    x0: &Tensor<4>,
    r: &Tensor<4>,
    fast: impl Fn(Tensor<4>) -> Tensor<4>,
    reference: impl Fn(Tensor<4>) -> Tensor<4>,
) {
    let run = |f: &dyn Fn(Tensor<4>) -> Tensor<4>| {
        let x = x0.clone().require_grad();
        let y = f(x.clone());
        let grads = (y.clone() * r.clone()).sum().backward();
        (y.inner(), x.grad(&grads).expect("x grad"))
    };
    let (y0, g0) = run(&reference);
    let recorded = genzoo_kernels::fast_ops_recorded();
    let (y1, g1) = run(&fast);
    assert!(genzoo_kernels::fast_ops_recorded() > recorded, "not taken");
    assert_close("value", y1, y0);
    assert_close("∂x", g1, g0);
}
