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

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::host::{map_values, zip_values};

/// LeakyReLU with slope `α` as a [`FlexOp`] with one parent; the backward keeps the input.
struct LeakyRelu {
    slope: f32,
}

impl Forward<1> for LeakyRelu {
    fn forward(&mut self, [x]: [FlexTensor; 1]) -> FlexTensor {
        let slope = self.slope;
        map_values(&x, |v| if v < 0.0 { slope * v } else { v })
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
        [Some(zip_values(&x, &dy, |v, g| {
            if v < 0.0 { slope * g } else { g }
        }))]
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
