//! A 2-D convolution whose weight gradient is a few batched matrix products (and whose 3×3
//! stride-1 layers run Winograd's algorithm), behind burn's `Conv2d` module (same parameters,
//! same checkpoint keys): `conv.forward_fast(x)`.
//!
//! For `y = conv(x, w)` with stride 1 (stride s below), padding p and a `kh×kw` kernel,
//! ```text
//! ∂L/∂w[o, c, i, j] = Σ_{b, h, v} ∂L/∂y[b, o, h, v] · x_pad[b, c, h + i, v + j]
//! ```
//! Flatten each padded example to `X_b[c, q]`, `q = h·Wp + v` (`Wp = W + 2p`, `S = Hp·Wp`
//! positions), and put `∂L/∂y` on the same grid, `G_b[o, q]` (zero where `h ≥ Ho` or `v ≥ Wo`).
//! Kernel position (i, j) is then a shift of the grid by `i·Wp + j`:
//! `∂L/∂w[:, :, i, j] = Σ_b G_b · X_b[:, q + i·Wp + j]ᵀ`. The batch is folded into the inner
//! dimension (examples back to back, `[O, B·S] × [B·S, C]`, in a few chunks for the threads):
//! one product per kernel position over a strided view of X, no im2col buffer. (A product per
//! example and a sum over B made EfficientNet's training step much slower: its maps are 14×14
//! down to 1×1, so the B products are tiny; timings: docs/history/speed.md, "EfficientNet's
//! training step: the conv weight gradient with the batch folded (2026-12-03, Intel Xeon)".)
//! burn's default instead runs a convolution whose kernel is the output gradient, a flat
//! product at a fraction of the forward's rate on the CPU backend. The padding border costs
//! `(Hp·Wp)/(Ho·Wo) − 1` extra work (15% at 28×28).
//! With stride s, kernel row `i = s·i₁ + i₀` reads the rows `s·h + i₀` shifted by `i₁`: X is split
//! once into its s² phases (`x_pad[s·a + i₀, s·b + j₀]`, folded: one copy of x in all) and each kernel
//! position is a shift on its phase's grid, as above.
//!
//! 3×3 layers with stride 1 and padding 1 (most of the U-Net's work) go through Winograd's
//! F(2×2, 3×3) instead, in the forward, the input gradient and the weight gradient
//! ([`crate::winograd`]: 2.25× fewer multiply-adds, and faster than the paths here at the
//! U-Net's shapes; timings: docs/history/speed.md, "The U-Net's convolutions by Winograd's
//! algorithm; every family side by side (2026-12-04, Intel Xeon)" and "Figures formerly quoted
//! in code comments (moved 2026-12-05)"); pointwise layers get their weight gradient as one
//! product per example ([`backward_parts`]); strided layers with at least 64 taps (`C·kh·kw`)
//! run their forward and weight gradient as one product over the whole batch's im2col columns
//! ([`crate::folded`]), smaller strided layers keep burn's weight gradient, faster there than
//! the shifts ([`shifts_win`]). Other forwards and input gradients are flex's (`conv2d`,
//! `conv2d_x_backward`). The op reaches the backend through burn's extension API: an autodiff
//! tensor on the flex CPU backend is unwrapped to `Autodiff<Flex>`, where a custom [`Backward`]
//! holds the gradient, and a plain flex tensor (inference) to `Flex`. Any other case (other
//! backends, dilation, groups, asymmetric padding) is burn's `conv2d`, except depthwise layers
//! without bias, which go to [`crate::depthwise`]; every path is tested
//! equal to burn's to 1e-5 in value and gradient.
//!
//! # Shapes
//! `x: [B, C, H, W]`, `w: [O, C, kh, kw]`, `bias: [O]` → `[B, O, Ho, Wo]`.

use burn::backend::flex::FlexTensor;
use burn::backend::ops::{FloatTensorOps, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, TensorMetadata};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::prelude::*;
use burn::tensor::Slice;
use burn::tensor::module::conv2d;
use burn::tensor::ops::{ConvOptions, PadMode};
use burn::tensor::{DType, Shape};
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};

/// Whether [`weight_grad_shifts`] handles these options: no dilation, no groups, the same
/// padding before and after (any stride).
pub fn supported(options: &ConvOptions<2>) -> bool {
    options.stride.iter().all(|&s| s >= 1)
        && options.dilation == [1, 1]
        && options.groups == 1
        && options.padding.iter().all(|&(a, b)| a == b)
}

/// Chunks of the batch that [`weight_grad_shifts`] multiplies in parallel. Flex spreads a
/// batched matrix product over its threads by matrix once there are at least four, while gemm
/// splits a single product only along its outer dimensions (here O×C, small against the long
/// inner one, the folded batch), which leaves one core idle.
const FOLD_CHUNKS: usize = 4;

/// The largest divisor of `batch` not above [`FOLD_CHUNKS`].
fn fold_chunks(batch: usize) -> usize {
    (1..=FOLD_CHUNKS.min(batch.max(1)))
        .rev()
        .find(|p| batch.is_multiple_of(*p))
        .unwrap_or(1)
}

/// `∂L/∂w` from the input and the output gradient, one batched matrix product per kernel
/// position (module docs), on any backend `B`. Requires [`supported`] options.
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, Ho, Wo]` → `[O, C, kh, kw]`.
pub fn weight_grad_shifts<B: Backend>(
    x: FloatTensor<B>,
    dy: FloatTensor<B>,
    kernel: [usize; 2],
    options: &ConvOptions<2>,
) -> FloatTensor<B> {
    let [b, c, h, w] = x.shape().dims();
    let [_, o, ho, wo] = dy.shape().dims();
    let [kh, kw] = kernel;
    let [(ph, _), (pw, _)] = options.padding;
    let [sh, sw] = options.stride;
    // Kernel row i = sh·i1 + i0 reads phase i0 of the rows at offset i1 (likewise columns): the
    // phase grids are Hq×Wq with Hq = Ho + ⌈kh/sh⌉ − 1, and x is padded (or cut) to sh·Hq rows.
    let (i1max, j1max) = (kh.div_ceil(sh) - 1, kw.div_ceil(sw) - 1);
    let (hq, wq) = (ho + i1max, wo + j1max);
    let s = hq * wq; // grid positions per example and phase
    let zero = PadMode::Constant(0.0);
    let (rows, cols) = (sh * hq, sw * wq);
    let xp = B::float_pad(
        x,
        &[
            (0, 0),
            (0, 0),
            (ph, rows.saturating_sub(h + ph)),
            (pw, cols.saturating_sub(w + pw)),
        ],
        zero,
    );
    // The batch is folded into the contraction: chunk p holds examples p·m .. (p+1)·m back to
    // back, `L = m·S` grid positions, so one kernel position is one `[O, L] × [L, C]` product per
    // chunk instead of B small ones and a sum over B. A shifted window that runs into the next
    // example only meets zeros of G (see `n` below), so the shift stays exact across examples.
    let chunks = fold_chunks(b);
    let m = b / chunks; // examples per chunk
    let len = m * s; // grid positions per chunk
    let fold = |t: FloatTensor<B>, ch: usize| {
        let t = B::float_reshape(t, Shape::new([chunks, m, ch, s])); // [P, m, ch, S]
        let t = B::float_permute(t, &[0, 2, 1, 3]); // [P, ch, m, S]
        B::float_reshape(t, Shape::new([chunks, ch, len])) // [P, ch, m·S], a copy
    };
    let every = Slice::from(0..chunks);
    let chans = Slice::from(0..c);
    let phases: Vec<FloatTensor<B>> = (0..sh * sw)
        .map(|phase| {
            let (i0, j0) = (phase / sw, phase % sw);
            let v = B::float_slice(
                xp.clone(),
                &[
                    Slice::from(0..b),
                    chans,
                    Slice::new(i0 as isize, Some(rows as isize), sh as isize),
                    Slice::new(j0 as isize, Some(cols as isize), sw as isize),
                ],
            ); // [B, C, Hq, Wq]
            fold(v, c) // [P, C, L]
        })
        .collect();
    // G: the output gradient on the phase grid, zero outside the Ho×Wo corner.
    let g = B::float_pad(dy, &[(0, 0), (0, 0), (0, hq - ho), (0, wq - wo)], zero); // [B, O, Hq, Wq]
    let g = fold(g, o); // [P, O, L]
    // G is non-zero only at h < Ho, v < Wo, and there a shift by up to `i1max·Wq + j1max`
    // stays inside the example's own Hq×Wq grid; positions past `n` of the chunk hold zeros
    // only, so cutting them keeps every shifted window inside the chunk.
    let n = len - i1max * wq - j1max;
    let g = B::float_slice(g, &[every, Slice::from(0..o), Slice::from(0..n)]); // [P, O, n]
    let parts: Vec<FloatTensor<B>> = (0..kh * kw)
        .map(|ij| {
            let (i, j) = (ij / kw, ij % kw);
            let off = (i / sh) * wq + j / sw;
            let u = B::float_slice(
                phases[(i % sh) * sw + j % sw].clone(),
                &[every, chans, Slice::from(off..off + n)],
            ); // [P, C, n], a view
            let u = B::float_swap_dims(u, 1, 2); // [P, n, C]
            B::float_sum_dim(B::float_matmul(g.clone(), u), 0) // [1, O, C]
        })
        .collect();
    let dw = B::float_cat(parts, 0); // [kh·kw, O, C]
    let dw = B::float_reshape(dw, Shape::new([kh, kw, o, c])); // [kh, kw, O, C]
    B::float_permute(dw, &[2, 3, 0, 1]) // [O, C, kh, kw]
}

/// `∂L/∂w` of `conv2d(x, w, options)` for a kernel of size `kernel` (fast path where
/// [`supported`], burn's `conv2d_weight_backward` otherwise).
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, Ho, Wo]` → `[O, C, kh, kw]`.
pub fn weight_grad(
    x: Tensor<4>,
    dy: Tensor<4>,
    kernel: [usize; 2],
    options: ConvOptions<2>,
) -> Tensor<4> {
    if supported(&options) {
        let out =
            weight_grad_shifts::<Dispatch>(x.into_dispatch(), dy.into_dispatch(), kernel, &options);
        return Tensor::from_dispatch(out);
    }
    let [_, c, _, _] = x.dims();
    let [_, o, _, _] = dy.dims();
    let w = Tensor::<4>::zeros([o, c, kernel[0], kernel[1]], &x.device());
    burn::tensor::module::conv2d_weight_backward(x, w, dy, options)
}

/// Whether [`crate::winograd`] computes this convolution and its weight gradient (f32, 3×3,
/// stride 1, padding 1; see [`crate::winograd::applies`]).
fn winograd_applies(x: &FlexTensor, w: &FlexTensor, options: &ConvOptions<2>) -> bool {
    let [_, c, _, _] = x.shape().dims();
    x.dtype() == DType::F32
        && w.dtype() == DType::F32
        && crate::winograd::applies(c, w.shape().dims(), options)
}

/// The forward on flex: Winograd where it applies, one batch-folded product for strided layers
/// ([`crate::folded`]), flex's im2col convolution otherwise.
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [O, C, kh, kw]`, `bias: [O]` → `[B, O, Ho, Wo]`.
pub fn forward_flex(
    x: FlexTensor,
    w: FlexTensor,
    bias: Option<FlexTensor>,
    options: ConvOptions<2>,
) -> FlexTensor {
    if winograd_applies(&x, &w, &options) {
        crate::winograd::conv3x3(&x, &w, bias.as_ref())
    } else if crate::folded::applies(&x, &w, &options) {
        crate::folded::conv2d(&x, &w, bias.as_ref(), &options)
    } else {
        Flex::conv2d(x, w, bias, options)
    }
}

/// A 1×1 kernel with stride 1 and no padding (the U-Net's channel-changing skips).
fn pointwise(kh: usize, kw: usize, options: &ConvOptions<2>) -> bool {
    [kh, kw] == [1, 1]
        && options.stride == [1, 1]
        && options.padding == [(0, 0), (0, 0)]
        && options.dilation == [1, 1]
        && options.groups == 1
}

/// `∂L/∂w` of a pointwise convolution: `Σ_b ∂L/∂Y_b · X_bᵀ`, one `[O, H·W] × [H·W, C]` product
/// per example on the tensors as they lie (flex spreads the batch over its threads), then a sum
/// over the batch. The folded products of [`weight_grad_shifts`] first copy x and ∂L/∂y into
/// chunks, which made them several times slower at the U-Net's 28×28 skips (rates:
/// docs/history/speed.md, "The U-Net's convolutions by Winograd's algorithm; every family side
/// by side (2026-12-04, Intel Xeon)" and "Figures formerly quoted in code comments (moved
/// 2026-12-05)").
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, H, W]` → `[O, C, 1, 1]`.
fn weight_grad_1x1(x: FlexTensor, dy: FlexTensor) -> FlexTensor {
    let [b, c, h, w] = x.shape().dims();
    let o = dy.shape().dims::<4>()[1];
    let x = Flex::float_reshape(x, Shape::new([b, c, h * w])); // [B, C, HW]
    let dy = Flex::float_reshape(dy, Shape::new([b, o, h * w])); // [B, O, HW]
    let xt = Flex::float_swap_dims(x, 1, 2); // [B, HW, C], a view
    let per = Flex::float_matmul(dy, xt); // [B, O, C]
    let dw = Flex::float_sum_dim(per, 0); // [1, O, C]
    Flex::float_reshape(dw, Shape::new([o, c, 1, 1]))
}

/// Whether [`weight_grad_shifts`] is the faster weight gradient: for stride 1, not for strided
/// layers. With stride s the shifts run kh·kw products on phase grids s² times smaller, each
/// paying the copy of its strided view, while burn's product (kernel = ∂L/∂y) shrinks with the
/// output. Per layer, `∂L/∂w` alone (`cargo run --release -p genzoo-kernels --example
/// weight_grad_paths`), the shifts lose to burn on the conv VAE's 4×4 stride-2 layers, about tie
/// on the U-Net's 3×3 stride-2 down-sampling and win on a 3×3 stride-1 layer (timings:
/// docs/history/speed.md, "Strided convolutions keep burn's weight gradient; the conv VAE's
/// profile (2026-12-04, third session, Intel Xeon)" and "Figures formerly quoted in code
/// comments (moved 2026-12-05)").
fn shifts_win(options: &ConvOptions<2>) -> bool {
    options.stride == [1, 1]
}

/// `∂L/∂bias[o] = Σ_{b, h, w} ∂L/∂y[b, o, h, w]` in one host pass: images in parallel, each
/// `[b, o]` plane summed in eight f32 lanes (vectorised), planes added up in f64. flex's three
/// `sum_dim`s, used before, wrote an intermediate tensor each and were slower on every layer of
/// the feature net, a small share of its step (`examples/bias_grad_speed.rs`; timings:
/// docs/history/speed.md, "The bias gradient, BatchNorm's backward, strided and transposed
/// convolutions batch-folded (2026-12-04, fifth session, AMD EPYC Zen 4)" and "Figures formerly
/// quoted in code comments (moved 2026-12-05)").
///
/// # Shapes
/// `dy: [B, O, Ho, Wo]` → `[O]`.
pub(crate) fn bias_grad(dy: &FlexTensor) -> FlexTensor {
    let [_, o, ho, wo] = dy.shape().dims();
    let plane = ho * wo;
    let values = crate::host::flex_values(dy);
    let sums = if o * plane == 0 {
        vec![0f64; o]
    } else {
        values
            .par_chunks(o * plane)
            .map(|image| {
                image
                    .chunks_exact(plane)
                    .map(|p| f64::from(crate::fastmath::lanes(p, |v| v)))
                    .collect::<Vec<f64>>()
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(&b).for_each(|(p, q)| *p += q);
                a
            })
            .unwrap_or_else(|| vec![0f64; o])
    };
    crate::host::flex_tensor(sums.into_iter().map(|v| v as f32).collect(), [o])
}

/// Gradients of the convolution on flex for the parents that need one, `(x, w, bias)`: the
/// input gradient by Winograd (3×3, stride 1, padding 1, ≥ 8 input channels) or flex's
/// transposed convolution, the weight gradient by Winograd, one product per example for
/// pointwise layers, [`weight_grad_shifts`] for stride 1 ([`shifts_win`]), one batch-folded
/// product for strided layers with enough taps ([`crate::folded`]), burn's otherwise.
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [O, C, kh, kw]`, `dy: [B, O, Ho, Wo]` → `[∂x, ∂w, ∂bias]`.
pub fn backward_parts(
    x: FloatTensor<Flex>,
    w: FloatTensor<Flex>,
    dy: FloatTensor<Flex>,
    options: &ConvOptions<2>,
    need: [bool; 3],
) -> [Option<FloatTensor<Flex>>; 3] {
    let [_, _, kh, kw] = w.shape().dims();
    let wino = winograd_applies(&x, &w, options);
    let [_, c, h, w_side] = x.shape().dims();
    // burn's weight gradient needs the weight only for its shape; a clone shares storage.
    let w_for_dw = w.clone();
    let dx = need[0].then(|| {
        if wino && crate::winograd::applies_to_input_grad(c) {
            crate::winograd::conv3x3_input_grad(&dy, &w)
        } else {
            Flex::conv2d_x_backward(x.clone(), w, dy.clone(), options.clone())
        }
    });
    let db = need[2].then(|| bias_grad(&dy));
    let dw = need[1].then(|| {
        if wino && crate::winograd::applies_to_weight_grad(h, w_side) {
            crate::winograd::conv3x3_weight_grad_flex(&x, &dy)
        } else if pointwise(kh, kw, options) {
            weight_grad_1x1(x, dy)
        } else if shifts_win(options) {
            weight_grad_shifts::<Flex>(x, dy, [kh, kw], options)
        } else if crate::folded::applies(&x, &w_for_dw, options) {
            crate::folded::weight_grad(&x, &dy, w_for_dw.shape().dims(), options)
        } else {
            Flex::conv2d_weight_backward(x, w_for_dw, dy, options.clone())
        }
    });
    [dx, dw, db]
}

/// A convolution-shaped op on flex, `y = op(x, w) (+ bias)`, with a hand-written backward: the
/// forward and the gradients of the parents that need one. The convolution ([`Conv`]) and the
/// transposed convolution ([`crate::conv_transpose`]) reach [`crate::dispatch`] through it
/// ([`ConvOp`], [`run`]), with or without a bias.
pub(crate) trait FlexConvOp: 'static {
    /// The op's options (stride, padding, …), kept for the backward.
    type Options: Clone + Send + std::fmt::Debug + 'static;

    /// The forward on flex.
    fn forward(
        x: FlexTensor,
        w: FlexTensor,
        bias: Option<FlexTensor>,
        options: Self::Options,
    ) -> FlexTensor;

    /// `[∂x, ∂w, ∂bias]`, each computed only where `need` says so.
    fn backward_parts(
        x: FlexTensor,
        w: FlexTensor,
        dy: FlexTensor,
        options: &Self::Options,
        need: [bool; 3],
    ) -> [Option<FloatTensor<Flex>>; 3];
}

/// The convolution of this module: [`forward_flex`] and [`backward_parts`].
struct Conv;

impl FlexConvOp for Conv {
    type Options = ConvOptions<2>;

    fn forward(
        x: FlexTensor,
        w: FlexTensor,
        bias: Option<FlexTensor>,
        options: ConvOptions<2>,
    ) -> FlexTensor {
        forward_flex(x, w, bias, options)
    }

    fn backward_parts(
        x: FlexTensor,
        w: FlexTensor,
        dy: FlexTensor,
        options: &ConvOptions<2>,
        need: [bool; 3],
    ) -> [Option<FloatTensor<Flex>>; 3] {
        backward_parts(x, w, dy, options, need)
    }
}

/// Op `K` as a dispatchable op: parents `(x, w, bias)` ([`FlexOp<3>`]) or `(x, w)`
/// ([`FlexOp<2>`]); the backward keeps `(x, w, options)`.
pub(crate) struct ConvOp<K: FlexConvOp>(K::Options);

impl<K: FlexConvOp> Forward<3> for ConvOp<K> {
    fn forward(&mut self, [x, w, b]: [FlexTensor; 3]) -> FlexTensor {
        K::forward(x, w, Some(b), self.0.clone())
    }
}

impl<K: FlexConvOp> FlexOp<3> for ConvOp<K> {
    type State = (FlexTensor, FlexTensor, K::Options);

    fn forward_keep(&mut self, [x, w, b]: [FlexTensor; 3]) -> (FlexTensor, Self::State) {
        let y = K::forward(x.clone(), w.clone(), Some(b), self.0.clone());
        (y, (x, w, self.0.clone()))
    }

    fn backward(
        (x, w, o): Self::State,
        dy: FlexTensor,
        need: [bool; 3],
    ) -> [Option<FlexTensor>; 3] {
        K::backward_parts(x, w, dy, &o, need)
    }
}

impl<K: FlexConvOp> Forward<2> for ConvOp<K> {
    fn forward(&mut self, [x, w]: [FlexTensor; 2]) -> FlexTensor {
        K::forward(x, w, None, self.0.clone())
    }
}

impl<K: FlexConvOp> FlexOp<2> for ConvOp<K> {
    type State = (FlexTensor, FlexTensor, K::Options);

    fn forward_keep(&mut self, [x, w]: [FlexTensor; 2]) -> (FlexTensor, Self::State) {
        let y = K::forward(x.clone(), w.clone(), None, self.0.clone());
        (y, (x, w, self.0.clone()))
    }

    fn backward(
        (x, w, o): Self::State,
        dy: FlexTensor,
        need: [bool; 2],
    ) -> [Option<FlexTensor>; 2] {
        let [dx, dw, _] = K::backward_parts(x, w, dy, &o, [need[0], need[1], false]);
        [dx, dw]
    }
}

/// Op `K` with its hand-written backward wherever the tensors live on flex, or `None` (the
/// caller runs burn's op).
pub(crate) fn run<K: FlexConvOp>(
    x: &Tensor<4>,
    w: &Tensor<4>,
    bias: Option<&Tensor<1>>,
    options: K::Options,
) -> Option<Tensor<4>> {
    let mut op = ConvOp::<K>(options);
    match bias {
        Some(b) => differentiable(&mut op, [x.into(), w.into(), b.into()]),
        None => differentiable(&mut op, [x.into(), w.into()]),
    }
}

/// `conv2d(x, w, bias, options)` with the fast weight gradient where it applies (module docs).
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [O, C, kh, kw]`, `bias: [O]` → `[B, O, Ho, Wo]`.
pub fn conv2d_fast(
    x: Tensor<4>,
    w: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvOptions<2>,
) -> Tensor<4> {
    if bias.is_none()
        && let Some(y) = crate::depthwise::depthwise_fast(&x, &w, &options)
    {
        return y;
    }
    if supported(&options)
        && let Some(y) = run::<Conv>(&x, &w, bias.as_ref(), options.clone())
    {
        return y;
    }
    conv2d(x, w, bias, options)
}

/// [`conv2d_fast`] for burn's `Conv2d` module.
pub trait Conv2dFast {
    /// The module's forward with the fast weight gradient.
    ///
    /// # Shapes
    /// `[B, C_in, H, W]` → `[B, C_out, Ho, Wo]`.
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4>;

    /// The module's forward with another kernel of the weight's shape in its place (a
    /// spectrally normalised one, say), through the same paths; the gradient reaches whatever
    /// `weight` was computed from.
    ///
    /// # Shapes
    /// `x: [B, C_in, H, W]`, `weight: [C_out, C_in / groups, kh, kw]` → `[B, C_out, Ho, Wo]`.
    fn forward_fast_with(&self, x: Tensor<4>, weight: Tensor<4>) -> Tensor<4>;
}

/// TensorFlow's SAME padding along one axis: the output keeps `⌈n / s⌉` positions.
fn same_padding(n: usize, k: usize, s: usize, d: usize) -> (usize, usize) {
    let out = n.div_ceil(s.max(1));
    let total = ((out.saturating_sub(1)) * s + d * (k.saturating_sub(1)) + 1).saturating_sub(n);
    (total / 2, total - total / 2)
}

// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
impl Conv2dFast for Conv2d {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        if matches!(self.padding, PaddingConfig2d::Same) {
            // "Same" padding depends on the input size; burn's module computes it.
            return self.forward(x);
        }
        self.forward_fast_with(x, self.weight.val())
    }

    fn forward_fast_with(&self, x: Tensor<4>, weight: Tensor<4>) -> Tensor<4> {
        let padding = match self.padding {
            PaddingConfig2d::Valid => [(0, 0), (0, 0)],
            PaddingConfig2d::Explicit(top, left, bottom, right) => [(top, bottom), (left, right)],
            PaddingConfig2d::Same => {
                let [_, _, h, w] = x.dims();
                let [kh, kw] = self.kernel_size;
                [
                    same_padding(h, kh, self.stride[0], self.dilation[0]),
                    same_padding(w, kw, self.stride[1], self.dilation[1]),
                ]
            }
        };
        let options =
            ConvOptions::new_with_padding(self.stride, padding, self.dilation, self.groups);
        conv2d_fast(x, weight, self.bias.as_ref().map(|b| b.val()), options)
    }
}
