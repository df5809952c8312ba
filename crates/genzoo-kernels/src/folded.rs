//! Strided convolution as one matrix product with the batch folded in (im2col over the whole
//! batch), forward:
//! ```text
//! X̃[(c,p,q), (b,i,j)] = x_p[b, c, s·i + p, s·j + q]        (x_p: x zero-padded)
//! Y[o, (b,i,j)]        = Σ_{(c,p,q)} W[o, (c,p,q)] · X̃[(c,p,q), (b,i,j)]
//! y[b, o, i, j]        = Y[o, (b,i,j)] + bias[o]
//! ```
//! and the weight gradient from the same X̃:
//! ```text
//! ∂L/∂W[o, (c,p,q)] = Σ_{(b,i,j)} ∂L/∂y[b, o, i, j] · X̃[(c,p,q), (b,i,j)]
//! ```
//! computed as `(X̃ · ∂L/∂Yᵀ)ᵀ` (`[C·kh·kw, N] × [N, O]`: gemm was slower on the
//! `[O, N] × [N, C·kh·kw]` order, with the long inner dimension on the transposed view).
//!
//! Why: flex's `conv2d` runs im2col and one gemm per example, so every call repacks the weight
//! and multiplies `[O, C·kh·kw]` by a matrix only `Ho·Wo` wide (49 columns for the conv VAE's
//! 32→64 4×4 stride-2 layer at batch 100). One product over the whole batch is markedly faster
//! there, in the forward and in the weight gradient, as it is on the U-Net's stride-2 layers
//! (`cargo run --release -p genzoo-kernels --example strided_conv_gap` and `--example
//! weight_grad_paths`; timings: docs/history/speed.md, "The bias gradient, BatchNorm's
//! backward, strided and transposed convolutions batch-folded (2026-12-04, fifth session, AMD
//! EPYC Zen 4)"). The input gradient stays [`crate::conv::backward_parts`]'s.
//!
//! Used for groups = 1, no dilation, stride > 1 and at least [`MIN_TAPS`] rows in X̃ (the conv
//! VAE's first layer, one input channel, gains nothing: its product has 16 rows).
//!
//! # Shapes
//! `x: [B, C, H, W]`, `w: [O, C, kh, kw]`, `bias: [O]` → `[B, O, Ho, Wo]`; X̃: `[C·kh·kw, B·Ho·Wo]`.

use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{DType, Shape};
use rayon::prelude::*;

use crate::host::{flex_tensor, flex_values};

/// The fewest rows of X̃ (`C·kh·kw`) for which the folded product wins; below it flex's
/// per-example path is as fast (1→32 4×4: 16 rows, the same time either way;
/// docs/history/speed.md, "Figures formerly quoted in code comments (moved 2026-12-05)").
pub const MIN_TAPS: usize = 64;

/// Whether [`conv2d`] takes this layer.
pub fn applies(x: &FlexTensor, w: &FlexTensor, options: &ConvOptions<2>) -> bool {
    let [_, c, kh, kw] = w.shape().dims();
    x.dtype() == DType::F32
        && w.dtype() == DType::F32
        && options.groups == 1
        && options.dilation == [1, 1]
        && options.stride.iter().all(|&s| s >= 1)
        && options.stride != [1, 1]
        && c * kh * kw >= MIN_TAPS
        && output_side(x, w, options).is_some_and(|[ho, wo]| ho * wo > 0)
}

/// `[Ho, Wo]`, or `None` when the kernel does not fit the padded input.
fn output_side(x: &FlexTensor, w: &FlexTensor, options: &ConvOptions<2>) -> Option<[usize; 2]> {
    let [_, _, h, wd] = x.shape().dims();
    let [_, _, kh, kw] = w.shape().dims();
    let [(pt, pb), (pl, pr)] = options.padding;
    let [sh, sw] = options.stride;
    let (hp, wp) = (h + pt + pb, wd + pl + pr);
    (kh <= hp && kw <= wp).then(|| [(hp - kh) / sh + 1, (wp - kw) / sw + 1])
}

/// X̃ of the module docs, `[C·kh·kw, B·Ho·Wo]` row-major, rows filled in parallel.
fn columns(
    x: &FlexTensor,
    [kh, kw]: [usize; 2],
    [ho, wo]: [usize; 2],
    options: &ConvOptions<2>,
) -> Vec<f32> {
    let [b, c, h, wd] = x.shape().dims();
    let [(pt, _), (pl, _)] = options.padding;
    let [sh, sw] = options.stride;
    let plane_out = ho * wo;
    let n = b * plane_out;
    let xs = flex_values(x);
    let mut cols = vec![0f32; c * kh * kw * n];
    cols.par_chunks_mut(n).enumerate().for_each(|(row, dst)| {
        let (ch, p, q) = (row / (kh * kw), row / kw % kh, row % kw);
        for (bi, image) in dst.chunks_exact_mut(plane_out).enumerate() {
            let src = &xs[(bi * c + ch) * h * wd..][..h * wd];
            for (i, out_row) in image.chunks_exact_mut(wo).enumerate() {
                // Input row s·i + p − pt; rows in the padding stay zero.
                let Some(r) = (sh * i + p).checked_sub(pt).filter(|&r| r < h) else {
                    continue;
                };
                let line = &src[r * wd..][..wd];
                for (j, v) in out_row.iter_mut().enumerate() {
                    if let Some(col) = (sw * j + q).checked_sub(pl).filter(|&col| col < wd) {
                        *v = line[col];
                    }
                }
            }
        }
    });
    cols
}

/// The forward (module docs). Requires [`applies`].
pub fn conv2d(
    x: &FlexTensor,
    w: &FlexTensor,
    bias: Option<&FlexTensor>,
    options: &ConvOptions<2>,
) -> FlexTensor {
    let [b, _, _, _] = x.shape().dims();
    let [o, c, kh, kw] = w.shape().dims();
    let [ho, wo] = output_side(x, w, options).unwrap_or([0, 0]);
    let (taps, plane_out) = (c * kh * kw, ho * wo);
    let n = b * plane_out;
    let cols = columns(x, [kh, kw], [ho, wo], options);
    let cols = flex_tensor(cols, [taps, n]);
    let wm = Flex::float_reshape(w.clone(), Shape::new([o, taps])); // [O, C·kh·kw]
    let ym = Flex::float_matmul(wm, cols); // [O, B·Ho·Wo]
    let yv = flex_values(&ym);
    let bias = bias.map(flex_values);
    // [O, B, Ho·Wo] → [B, O, Ho·Wo] with the bias added, planes in parallel.
    let mut y = vec![0f32; b * o * plane_out];
    y.par_chunks_mut(plane_out)
        .enumerate()
        .for_each(|(plane, dst)| {
            let (bi, oc) = (plane / o, plane % o);
            let src = &yv[(oc * b + bi) * plane_out..][..plane_out];
            let add = bias.as_ref().map_or(0.0, |v| v[oc]);
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = s + add;
            }
        });
    flex_tensor(y, [b, o, ho, wo])
}

/// `∂L/∂W = ∂L/∂Y · X̃ᵀ`, with `∂L/∂Y[o, (b,i,j)] = ∂L/∂y[b, o, i, j]` (module docs): one
/// `[O, B·Ho·Wo] × [B·Ho·Wo, C·kh·kw]` product. Requires [`applies`] for `x` and a weight of
/// `w_shape`.
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, Ho, Wo]` → `[O, C, kh, kw]`.
pub fn weight_grad(
    x: &FlexTensor,
    dy: &FlexTensor,
    w_shape: [usize; 4],
    options: &ConvOptions<2>,
) -> FlexTensor {
    let [o, c, kh, kw] = w_shape;
    let [b, _, ho, wo] = dy.shape().dims();
    let (taps, plane_out) = (c * kh * kw, ho * wo);
    let n = b * plane_out;
    let cols = flex_tensor(columns(x, [kh, kw], [ho, wo], options), [taps, n]);
    let dys = flex_values(dy);
    // [B, O, Ho·Wo] → [O, B, Ho·Wo], planes in parallel.
    let mut g = vec![0f32; o * n];
    g.par_chunks_mut(plane_out)
        .enumerate()
        .for_each(|(plane, dst)| {
            let (oc, bi) = (plane / b, plane % b);
            dst.copy_from_slice(&dys[(bi * o + oc) * plane_out..][..plane_out]);
        });
    let g = flex_tensor(g, [o, n]);
    let dwt = Flex::float_matmul(cols, Flex::float_swap_dims(g, 0, 1)); // [C·kh·kw, O]
    let dw = Flex::float_swap_dims(dwt, 0, 1); // [O, C·kh·kw], a view
    Flex::float_reshape(dw, Shape::new([o, c, kh, kw]))
}
