//! SiLU / swish (Ramachandran et al. 2017; Elfwing et al. 2018) as one op with a hand-written
//! backward: `silu_fast(x)` = burn's `silu(x)`.
//! ```text
//! y = x·σ(x),   ∂L/∂x = ∂L/∂y · σ(x)·(1 + x·(1 − σ(x)))
//! ```
//! burn composes SiLU from a sigmoid and a product, each a separate autodiff node whose
//! backward runs libm's scalar `expf` and several elementwise passes (many times an addition's
//! cost on the flex backend; docs/history/speed.md, "Figures formerly quoted in code comments
//! (moved 2026-12-05)"); EfficientNet applies it after almost every convolution. Here the
//! forward and the backward are one parallel pass each over host memory with
//! [`crate::fastmath::sigmoid`], which vectorises. The fast path needs an f32 tensor on the flex
//! backend (with or without autodiff); anything else is burn's `silu`.
//!
//! # Shapes
//! any `[…]` → the same shape.

use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::activation::silu;

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::fastmath;
use crate::host::{map_values, zip_values};

/// SiLU as a [`FlexOp`] with one parent; the backward keeps the input.
struct Silu;

impl Forward<1> for Silu {
    fn forward(&mut self, [x]: [FlexTensor; 1]) -> FlexTensor {
        map_values(&x, |v| v * fastmath::sigmoid(v))
    }
}

impl FlexOp<1> for Silu {
    type State = FlexTensor;

    fn forward_keep(&mut self, [x]: [FlexTensor; 1]) -> (FlexTensor, FlexTensor) {
        (self.forward([x.clone()]), x)
    }

    fn backward(x: FlexTensor, dy: FlexTensor, _: [bool; 1]) -> [Option<FlexTensor>; 1] {
        [Some(zip_values(&x, &dy, |v, g| g * fastmath::silu_grad(v)))]
    }
}

/// `x·σ(x)`, fused where possible (module docs).
///
/// # Shapes
/// any `[…]` → the same shape.
// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn silu_fast<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    differentiable(&mut Silu, [(&x).into()]).unwrap_or_else(|| silu(x))
}
