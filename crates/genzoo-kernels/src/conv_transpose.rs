//! A 2-D transposed convolution whose gradients go through genzoo's convolution paths, behind
//! burn's `ConvTranspose2d` module (same parameters, same checkpoint keys):
//! `deconv.forward_fast(x)`.
//!
//! For `y = conv_transpose(x, w)` with stride s and padding p (`w: [C_in, C_out, kh, kw]`):
//! ```text
//! y[b, o, s·i + u − p, s·j + v − p] += x[b, c, i, j] · w[c, o, u, v]
//! ∂L/∂x = conv2d(∂L/∂y, w; stride s, padding p)                  ([B, C_out, ·] → [B, C_in, H, W])
//! ∂L/∂w[c, o, u, v] = Σ_{b,i,j} x[b, c, i, j] · ∂L/∂y[b, o, s·i + u − p, s·j + v − p]
//! ∂L/∂bias[o] = Σ_{b,h,v} ∂L/∂y[b, o, h, v]
//! ```
//! The input gradient is a strided convolution of `∂L/∂y`, and the weight gradient is that
//! convolution's weight gradient with `x` in the place of its output gradient; both take
//! [`crate::folded`]'s batch-folded products where they apply (`C_out·kh·kw ≥ 64`), which
//! burn's backward, calling flex's per-example `conv2d`, cannot. The forward stays flex's
//! `conv_transpose2d` (its folded product measured slower: `examples/strided_conv_gap.rs`;
//! BENCHMARKS.md, "Speed: genzoo against PyTorch on the CPU (issue 7)").
//!
//! Why: the conv VAE's decoder. Its first transposed layer (64→32, 7×7 → 14×14, batch 100) has
//! the shapes of the encoder's second convolution, where the folded paths made the forward and
//! the weight gradient markedly faster (timings: docs/history/speed.md, "The bias gradient,
//! BatchNorm's backward, strided and transposed convolutions batch-folded (2026-12-04, fifth
//! session, AMD EPYC Zen 4)").
//!
//! The fast path needs groups = 1, no dilation and no output padding, on f32 flex tensors
//! (with or without autodiff); anything else is burn's `conv_transpose2d`.
//!
//! # Shapes
//! `x: [B, C_in, H, W]`, `w: [C_in, C_out, kh, kw]`, `bias: [C_out]` →
//! `[B, C_out, (H − 1)·s − 2p + kh, (W − 1)·s − 2p + kw]`.

use burn::backend::flex::FlexTensor;
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Flex, TensorMetadata};
use burn::nn::conv::ConvTranspose2d;
use burn::prelude::*;
use burn::tensor::DType;
use burn::tensor::module::conv_transpose2d;
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};

use crate::conv::{FlexConvOp, bias_grad, forward_flex, run};

/// Whether the fast path handles these options (module docs).
fn supported(options: &ConvTransposeOptions<2>) -> bool {
    options.groups == 1
        && options.dilation == [1, 1]
        && options.padding_out == [0, 0]
        && options.stride.iter().all(|&s| s >= 1)
}

/// The convolution whose transpose this is: same stride and padding.
fn as_conv(options: &ConvTransposeOptions<2>) -> ConvOptions<2> {
    ConvOptions::new(options.stride, options.padding, options.dilation, 1)
}

/// The transposed convolution as a [`FlexConvOp`]: flex's forward, the gradients of the module
/// docs.
struct ConvTranspose;

impl FlexConvOp for ConvTranspose {
    type Options = ConvTransposeOptions<2>;

    fn forward(
        x: FlexTensor,
        w: FlexTensor,
        bias: Option<FlexTensor>,
        options: ConvTransposeOptions<2>,
    ) -> FlexTensor {
        Flex::conv_transpose2d(x, w, bias, options)
    }

    /// # Shapes
    /// `x: [B, C_in, H, W]`, `w: [C_in, C_out, kh, kw]`, `dy: [B, C_out, Ho, Wo]`.
    fn backward_parts(
        x: FlexTensor,
        w: FlexTensor,
        dy: FlexTensor,
        options: &ConvTransposeOptions<2>,
        need: [bool; 3],
    ) -> [Option<FloatTensor<Flex>>; 3] {
        let conv = as_conv(options);
        let db = need[2].then(|| bias_grad(&dy));
        let dw = need[1].then(|| {
            if x.dtype() == DType::F32 && crate::folded::applies(&dy, &w, &conv) {
                // The convolution of dy by w has output x's shape; x is its output gradient.
                crate::folded::weight_grad(&dy, &x, w.shape().dims(), &conv)
            } else {
                Flex::conv_transpose2d_weight_backward(
                    x.clone(),
                    w.clone(),
                    dy.clone(),
                    options.clone(),
                )
            }
        });
        let dx = need[0].then(|| forward_flex(dy, w, None, conv));
        [dx, dw, db]
    }
}

/// `conv_transpose2d(x, w, bias, options)` with genzoo's gradient paths where they apply
/// (module docs); burn's op otherwise. Inference runs flex's forward either way.
///
/// # Shapes
/// `x: [B, C_in, H, W]`, `w: [C_in, C_out, kh, kw]`, `bias: [C_out]` → `[B, C_out, Ho, Wo]`.
pub fn conv_transpose2d_fast(
    x: Tensor<4>,
    w: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvTransposeOptions<2>,
) -> Tensor<4> {
    if supported(&options)
        && let Some(y) = run::<ConvTranspose>(&x, &w, bias.as_ref(), options.clone())
    {
        return y;
    }
    conv_transpose2d(x, w, bias, options)
}

/// [`conv_transpose2d_fast`] for burn's `ConvTranspose2d` module.
pub trait ConvTranspose2dFast {
    /// The module's forward with genzoo's gradient paths.
    ///
    /// # Shapes
    /// `[B, C_in, H, W]` → `[B, C_out, Ho, Wo]`.
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4>;
}

impl ConvTranspose2dFast for ConvTranspose2d {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        let options = ConvTransposeOptions::new(
            self.stride,
            self.padding,
            self.padding_out,
            self.dilation,
            self.groups,
        );
        conv_transpose2d_fast(
            x,
            self.weight.val(),
            self.bias.as_ref().map(|b| b.val()),
            options,
        )
    }
}
