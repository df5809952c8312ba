//! SiLU / swish (Ramachandran et al. 2017; Elfwing et al. 2018) as one op with a hand-written
//! backward: `silu_fast(x)` = burn's `silu(x)`.
//! ```text
//! y = x·σ(x),   ∂L/∂x = ∂L/∂y · σ(x)·(1 + x·(1 − σ(x)))
//! ```
//! burn composes SiLU from a sigmoid and a product, each a separate autodiff node whose
//! backward runs libm's scalar `expf` and several elementwise passes (~20× an addition on the
//! flex backend); EfficientNet applies it after almost every convolution. Here the forward and
//! the backward are one parallel pass each over host memory with [`crate::fastmath::sigmoid`],
//! which vectorises. The fast path needs an f32 tensor on the flex backend (with or without
//! autodiff); anything else is burn's `silu`.
//!
//! # Shapes
//! any `[…]` → the same shape.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::{
    BalancedCheckpointing, CheckpointStrategy, NoCheckpointing,
};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, DispatchKindConversion, DispatchTensor, Flex};
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::activation::silu;
use rayon::prelude::*;

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

#[derive(Debug)]
struct SiluBackward;

impl Backward<Flex, 1> for SiluBackward {
    type State = FlexTensor;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Flex>(&ops.node);
        let x = ops.state;
        let dx = backward_values(&flex_values(&x), &flex_values(&dy));
        if let [Some(node)] = ops.parents {
            grads.register::<Flex>(node.id, tensor(dx, &x));
        }
    }
}

fn on_autodiff<C, const D: usize>(x: &Tensor<D>) -> Option<Tensor<D>>
where
    C: CheckpointStrategy,
    DispatchTensor: DispatchKindConversion<Autodiff<Flex, C>>,
{
    type Ad<C> = Autodiff<Flex, C>;
    let xa = x.clone().try_into_primitive::<Ad<C>>().ok()?;
    crate::conv::record();
    let (xp, xn) = xa.into_parts();
    let y = tensor(forward_values(&flex_values(&xp)), &xp);
    let out = match SiluBackward.prepare::<C>([xn]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(xp, y),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Some(Tensor::from_primitive::<Ad<C>>(out))
}

fn on_flex<const D: usize>(x: &Tensor<D>) -> Option<Tensor<D>> {
    let xp = x.clone().try_into_primitive::<Flex>().ok()?;
    crate::conv::record();
    let y = tensor(forward_values(&flex_values(&xp)), &xp);
    Some(Tensor::from_primitive::<Flex>(y))
}

/// `x·σ(x)`, fused where possible (module docs).
///
/// # Shapes
/// any `[…]` → the same shape.
pub fn silu_fast<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if !crate::conv::is_fast() || x.dtype() != DType::F32 {
        return silu(x);
    }
    on_autodiff::<NoCheckpointing, D>(&x)
        .or_else(|| on_autodiff::<BalancedCheckpointing, D>(&x))
        .or_else(|| on_flex(&x))
        .unwrap_or_else(|| silu(x))
}
