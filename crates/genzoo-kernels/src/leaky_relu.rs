//! LeakyReLU (Maas et al. 2013) as one op with a hand-written backward:
//! `leaky_relu_fast(x, α)` = burn's `leaky_relu(x, α)`.
//! ```text
//! y = x (x ≥ 0),  α·x (x < 0);      ∂L/∂x = ∂L/∂y · (1 if x ≥ 0 else α)
//! ```
//! (at x = 0 the gradient is 1, as burn's op takes it; PyTorch's takes α there).
//! burn composes it from a comparison, a mask and a select, each an autodiff node with its own
//! pass and allocation; on the flex backend that made one LeakyReLU over DCGAN's
//! `[64, 64, 14, 14]` activation cost as much as the 4×4 convolution before it
//! (`cargo run --release -p genzoo-models --example dcgan_parts`). Here forward and backward
//! are one parallel pass each over host memory. The fast path needs an f32 tensor on the flex
//! backend (with or without autodiff); anything else is burn's `leaky_relu`.
//!
//! # Shapes
//! any `[…]` → the same shape.

use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::activation::leaky_relu;
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::host::{flex_tensor, flex_values};

/// Values per parallel task: large enough that rayon's split costs nothing against the pass.
const CHUNK: usize = 1 << 14;

fn forward_values(x: &[f32], slope: f32) -> Vec<f32> {
    let mut y = vec![0f32; x.len()];
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(yc, xc)| {
            for (o, &v) in yc.iter_mut().zip(xc) {
                *o = if v < 0.0 { slope * v } else { v };
            }
        });
    y
}

fn backward_values(x: &[f32], dy: &[f32], slope: f32) -> Vec<f32> {
    let mut dx = vec![0f32; x.len()];
    dx.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK).zip(dy.par_chunks(CHUNK)))
        .for_each(|(dc, (xc, gc))| {
            for ((o, &v), &g) in dc.iter_mut().zip(xc).zip(gc) {
                *o = if v < 0.0 { slope * g } else { g };
            }
        });
    dx
}

fn tensor(values: Vec<f32>, like: &FlexTensor) -> FlexTensor {
    flex_tensor(values, like.layout().shape().clone())
}

/// LeakyReLU with slope `α` as a [`FlexOp`] with one parent; the backward keeps the input.
struct LeakyRelu {
    slope: f32,
}

impl Forward<1> for LeakyRelu {
    fn forward(&mut self, [x]: [FlexTensor; 1]) -> FlexTensor {
        tensor(forward_values(&flex_values(&x), self.slope), &x)
    }
}

impl FlexOp<1> for LeakyRelu {
    type State = (FlexTensor, f32);

    fn forward_keep(&mut self, [x]: [FlexTensor; 1]) -> (FlexTensor, (FlexTensor, f32)) {
        (self.forward([x.clone()]), (x, self.slope))
    }

    fn backward(
        (x, slope): (FlexTensor, f32),
        dy: FlexTensor,
        _: [bool; 1],
    ) -> [Option<FlexTensor>; 1] {
        [Some(tensor(
            backward_values(&flex_values(&x), &flex_values(&dy), slope),
            &x,
        ))]
    }
}

/// `max(x, 0) + α·min(x, 0)`, fused where possible (module docs).
///
/// # Shapes
/// any `[…]` → the same shape.
// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn leaky_relu_fast<const D: usize>(x: Tensor<D>, slope: f64) -> Tensor<D> {
    differentiable(
        &mut LeakyRelu {
            slope: slope as f32,
        },
        [(&x).into()],
    )
    .unwrap_or_else(|| leaky_relu(x, slope))
}
