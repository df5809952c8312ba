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
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::fastmath;
use crate::host::{flex_tensor, flex_values};

/// Values per parallel task: large enough that rayon's split costs nothing against the pass.
const CHUNK: usize = 1 << 14;

fn forward_values(x: &[f32]) -> Vec<f32> {
    let mut y = vec![0f32; x.len()];
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(yc, xc)| {
            for (o, &v) in yc.iter_mut().zip(xc) {
                *o = v * fastmath::sigmoid(v);
            }
        });
    y
}

fn backward_values(x: &[f32], dy: &[f32]) -> Vec<f32> {
    let mut dx = vec![0f32; x.len()];
    dx.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK).zip(dy.par_chunks(CHUNK)))
        .for_each(|(dc, (xc, gc))| {
            for ((o, &v), &g) in dc.iter_mut().zip(xc).zip(gc) {
                *o = g * fastmath::silu_grad(v);
            }
        });
    dx
}

fn tensor(values: Vec<f32>, like: &FlexTensor) -> FlexTensor {
    flex_tensor(values, like.layout().shape().clone())
}

/// SiLU as a [`FlexOp`] with one parent; the backward keeps the input.
struct Silu;

impl Forward<1> for Silu {
    fn forward(&mut self, [x]: [FlexTensor; 1]) -> FlexTensor {
        tensor(forward_values(&flex_values(&x)), &x)
    }
}

impl FlexOp<1> for Silu {
    type State = FlexTensor;

    fn forward_keep(&mut self, [x]: [FlexTensor; 1]) -> (FlexTensor, FlexTensor) {
        (self.forward([x.clone()]), x)
    }

    fn backward(x: FlexTensor, dy: FlexTensor, _: [bool; 1]) -> [Option<FlexTensor>; 1] {
        [Some(tensor(
            backward_values(&flex_values(&x), &flex_values(&dy)),
            &x,
        ))]
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
