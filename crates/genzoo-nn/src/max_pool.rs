//! 2D max pooling, optionally after a ReLU, as one op with a hand-written backward, behind
//! burn's `MaxPool2d` module: `pool.forward_fast(x)` = `pool.forward(x)`,
//! `pool.forward_relu_fast(x)` = `pool.forward(relu(x))`.
//! ```text
//! y[b,c,i,j] = max_{p<kh, q<kw} x[b,c, i·sh + p, j·sw + q]          (first maximum in row-major
//! a[b,c,i,j] = argmax of the same window                              window order; NaN wins)
//! ∂L/∂x[b,c,a] += ∂L/∂y[b,c,i,j]      for every window whose argmax is a
//! ```
//! With the ReLU first, `max(relu(x)) = relu(max(x))`, so the op pools `x` and clamps the
//! result; the gradient reaches the argmax only where the maximum is positive — what burn's
//! composition gives, since `relu'(v) = 0` for `v ≤ 0`.
//!
//! Why: flex runs 2D pooling as its generic 3D kernel (a bounds computation per window and tap,
//! 64-bit indices, then a cast), which was ~17% of the MNIST feature net's training step; the
//! separate ReLU is another pass over the full-resolution map each way. Here the forward is
//! one pass over `x` with plane-local 32-bit argmax indices, and the backward one scatter per
//! `[b, c]` plane (planes in parallel, so no two tasks write the same value even when windows
//! overlap).
//!
//! The fast path covers no padding, no dilation and floor rounding — the forms genzoo's nets
//! use — on f32 flex tensors (with or without autodiff); anything else is burn's.
//!
//! # Shapes
//! `[B, C, H, W]` → `[B, C, (H − kh)/sh + 1, (W − kw)/sw + 1]`.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::{
    BalancedCheckpointing, CheckpointStrategy, NoCheckpointing,
};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, DispatchKindConversion, DispatchTensor, Flex};
use burn::nn::PaddingConfig2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::{DType, Shape};
use rayon::prelude::*;

use crate::host::{flex_tensor as tensor, flex_values as values};

/// Argmax marker of a window whose gradient is dropped (the ReLU clamped its maximum).
const NONE: u32 = u32::MAX;

/// Geometry of one call.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    /// Input side `[H, W]`.
    input: [usize; 2],
    /// Output side `[OH, OW]`.
    output: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
}

impl Geometry {
    /// The fast path's geometry for `pool` on `[B, C, H, W]`, or `None` when it does not
    /// apply (padding, dilation, ceil mode, a window larger than the map, a zero stride, or
    /// planes too large for 32-bit indices).
    fn of(pool: &MaxPool2d, dims: [usize; 4]) -> Option<Self> {
        let [_, _, h, w] = dims;
        let (kernel, stride) = (pool.kernel_size, pool.stride);
        let plain = matches!(
            pool.padding,
            PaddingConfig2d::Valid | PaddingConfig2d::Explicit(0, 0, 0, 0)
        );
        let fits = kernel[0] >= 1 && kernel[1] >= 1 && kernel[0] <= h && kernel[1] <= w;
        if !plain
            || pool.dilation != [1, 1]
            || pool.ceil_mode
            || !fits
            || stride.contains(&0)
            || h * w >= NONE as usize
        {
            return None;
        }
        let output = [
            (h - kernel[0]) / stride[0] + 1,
            (w - kernel[1]) / stride[1] + 1,
        ];
        Some(Geometry {
            input: [h, w],
            output,
            kernel,
            stride,
        })
    }

    fn plane_in(&self) -> usize {
        self.input[0] * self.input[1]
    }

    fn plane_out(&self) -> usize {
        self.output[0] * self.output[1]
    }
}

/// Pooled values and plane-local argmax indices ([`NONE`] where `relu` clamped the maximum).
fn forward_values(x: &[f32], g: Geometry, relu: bool) -> (Vec<f32>, Vec<u32>) {
    let planes = x.len() / g.plane_in();
    let mut y = vec![0f32; planes * g.plane_out()];
    let mut arg = vec![0u32; planes * g.plane_out()];
    let [_, w] = g.input;
    let [oh, ow] = g.output;
    y.par_chunks_mut(g.plane_out())
        .zip(arg.par_chunks_mut(g.plane_out()))
        .zip(x.par_chunks(g.plane_in()))
        .for_each(|((yp, ap), xp)| {
            for i in 0..oh {
                for j in 0..ow {
                    let (r0, c0) = (i * g.stride[0], j * g.stride[1]);
                    let mut best = xp[r0 * w + c0];
                    let mut at = r0 * w + c0;
                    for p in 0..g.kernel[0] {
                        let row = (r0 + p) * w + c0;
                        for (q, &v) in xp[row..row + g.kernel[1]].iter().enumerate() {
                            // Strictly greater keeps the first maximum; NaN always wins (so the
                            // last NaN), as burn's and PyTorch's pools do.
                            if v > best || v.is_nan() {
                                best = v;
                                at = row + q;
                            }
                        }
                    }
                    let o = i * ow + j;
                    if relu && !(best > 0.0 || best.is_nan()) {
                        yp[o] = 0.0;
                        ap[o] = NONE;
                    } else {
                        yp[o] = best;
                        ap[o] = at as u32;
                    }
                }
            }
        });
    (y, arg)
}

/// `∂L/∂x`: each output's gradient added at its window's argmax, plane by plane.
fn backward_values(dy: &[f32], arg: &[u32], g: Geometry) -> Vec<f32> {
    let planes = dy.len() / g.plane_out();
    let mut dx = vec![0f32; planes * g.plane_in()];
    dx.par_chunks_mut(g.plane_in())
        .zip(
            dy.par_chunks(g.plane_out())
                .zip(arg.par_chunks(g.plane_out())),
        )
        .for_each(|(dxp, (dyp, ap))| {
            for (&d, &a) in dyp.iter().zip(ap) {
                if a != NONE {
                    dxp[a as usize] += d;
                }
            }
        });
    dx
}

/// `[B, C, OH, OW]` for input dims `[B, C, H, W]`.
fn output_shape(dims: &[usize], g: Geometry) -> Shape {
    Shape::from(vec![dims[0], dims[1], g.output[0], g.output[1]])
}

/// What the backward keeps: the argmax indices, the geometry and the input's shape.
#[derive(Clone, Debug)]
struct State {
    arg: Vec<u32>,
    geometry: Geometry,
    input: Shape,
}

#[derive(Debug)]
struct MaxPoolBackward;

impl Backward<Flex, 1> for MaxPoolBackward {
    type State = State;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Flex>(&ops.node);
        let s = ops.state;
        let dx = backward_values(&values(&dy), &s.arg, s.geometry);
        if let [Some(node)] = ops.parents {
            grads.register::<Flex>(node.id, tensor(dx, s.input));
        }
    }
}

fn on_autodiff<C>(x: &Tensor<4>, g: Geometry, relu: bool) -> Option<Tensor<4>>
where
    C: CheckpointStrategy,
    DispatchTensor: DispatchKindConversion<Autodiff<Flex, C>>,
{
    type Ad<C> = Autodiff<Flex, C>;
    let xa = x.clone().try_into_primitive::<Ad<C>>().ok()?;
    crate::conv::record();
    let (xp, xn) = xa.into_parts();
    let input = xp.layout().shape().clone();
    let (y, arg) = forward_values(&values(&xp), g, relu);
    let y = tensor(y, output_shape(input.as_slice(), g));
    let out = match MaxPoolBackward
        .prepare::<C>([xn])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(
            State {
                arg,
                geometry: g,
                input,
            },
            y,
        ),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Some(Tensor::from_primitive::<Ad<C>>(out))
}

fn on_flex(x: &Tensor<4>, g: Geometry, relu: bool) -> Option<Tensor<4>> {
    let xp = x.clone().try_into_primitive::<Flex>().ok()?;
    crate::conv::record();
    let (y, _) = forward_values(&values(&xp), g, relu);
    let shape = output_shape(xp.layout().shape().as_slice(), g);
    Some(Tensor::from_primitive::<Flex>(tensor(y, shape)))
}

fn fused(pool: &MaxPool2d, x: &Tensor<4>, relu: bool) -> Option<Tensor<4>> {
    if !crate::conv::is_fast() || x.dtype() != DType::F32 {
        return None;
    }
    let g = Geometry::of(pool, x.dims())?;
    on_autodiff::<NoCheckpointing>(x, g, relu)
        .or_else(|| on_autodiff::<BalancedCheckpointing>(x, g, relu))
        .or_else(|| on_flex(x, g, relu))
}

/// Fast forwards of burn's `MaxPool2d` (module docs).
pub trait MaxPoolFast {
    /// The module's forward, fused where possible.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, OH, OW]`.
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4>;

    /// `self.forward(relu(x))` as one op where possible.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, OH, OW]`.
    fn forward_relu_fast(&self, x: Tensor<4>) -> Tensor<4>;
}

impl MaxPoolFast for MaxPool2d {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, false).unwrap_or_else(|| self.forward(x))
    }

    fn forward_relu_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, true).unwrap_or_else(|| self.forward(relu(x)))
    }
}
