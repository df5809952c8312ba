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
//! 64-bit indices, then a cast), a large share of the MNIST feature net's training step
//! (profile: docs/history/speed.md, "A fused max pool and a depthwise convolution (2026-12-04,
//! Intel Xeon)"); the separate ReLU is another pass over the full-resolution map each way.
//! Here the forward is one pass over `x` with plane-local 32-bit argmax indices, and the
//! backward one scatter per `[b, c]` plane (planes in parallel, so no two tasks write the same
//! value even when windows overlap).
//!
//! 2×2 windows with stride 2 (every pool in genzoo's nets) have their own loops: the window
//! maximum as branch-free selects over the even and odd columns of two rows, and a backward
//! that writes each input value once (gradient or zero) instead of zeroing and scattering, both
//! compiled for the CPU's widest SIMD set through `pulp`. The general loops branch on every
//! comparison, which real activations mispredict about half the time: at the feature net's
//! shapes the ReLU + pool forward and backward ran several times slower through them than
//! through these loops, and burn's `relu` + `MaxPool2d` slower still (`cargo run --release -p
//! genzoo-kernels --example max_pool_speed`; timings: docs/history/speed.md, "Max pooling
//! without branches; where the feature net's 1.3× is (2026-12-04, fourth session, Intel Xeon)"
//! and "Figures formerly quoted in code comments (moved 2026-12-05)").
//!
//! The fast path covers no padding, no dilation and floor rounding — the forms genzoo's nets
//! use — on f32 flex tensors (with or without autodiff); anything else is burn's.
//!
//! # Shapes
//! `[B, C, H, W]` → `[B, C, (H − kh)/sh + 1, (W − kw)/sw + 1]`.

use burn::backend::flex::FlexTensor;
use burn::nn::PaddingConfig2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;
use burn::tensor::Shape;
use burn::tensor::activation::relu;
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};
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

/// Whether the windows are 2×2 with stride 2 (the feature net's and most CNNs' pools): they
/// tile the map without overlap, which the specialised loops below rely on.
fn is_2x2_stride_2(g: Geometry) -> bool {
    g.kernel == [2, 2] && g.stride == [2, 2]
}

/// `(best, arg)` after offering the window value `v` at plane index `at`: strictly greater
/// keeps the first maximum, and NaN always wins (so the last NaN), as burn's and PyTorch's
/// pools do. Non-short-circuit `|` and selects, so a loop of these vectorises instead of
/// branching on every comparison (mispredicted half the time on real activations).
#[inline(always)]
fn offer(best: f32, arg: u32, v: f32, at: u32) -> (f32, u32) {
    let take = (v > best) | v.is_nan();
    (if take { v } else { best }, if take { at } else { arg })
}

/// One plane of a 2×2 stride-2 pool, through `pulp` so that its loops are compiled for the
/// widest SIMD set the CPU has (the crate is built for baseline x86-64, where the selects
/// stayed scalar and ran several times slower on the feature net's first pool; timings:
/// docs/history/speed.md, "Max pooling without branches; where the feature net's 1.3× is
/// (2026-12-04, fourth session, Intel Xeon)"). Each output row's two input rows are first
/// split into their even and odd columns, so the four values of every window sit at the same
/// index of four contiguous arrays.
struct Pool2x2<'a> {
    xp: &'a [f32],
    w: usize,
    relu: bool,
    yp: &'a mut [f32],
    ap: &'a mut [u32],
    /// `4 · (W / 2)` values of scratch.
    split: &'a mut [f32],
}

impl pulp::WithSimd for Pool2x2<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Pool2x2 {
            xp,
            w,
            relu,
            yp,
            ap,
            split,
        } = self;
        let ow = w / 2;
        if ow == 0 {
            return;
        }
        let (e0, rest) = split.split_at_mut(ow);
        let (o0, rest) = rest.split_at_mut(ow);
        let (e1, o1) = rest.split_at_mut(ow);
        let o1 = &mut o1[..ow];
        for (i, (yr, ar)) in yp
            .chunks_exact_mut(ow)
            .zip(ap.chunks_exact_mut(ow))
            .enumerate()
        {
            let (top, bottom) = (2 * i * w, (2 * i + 1) * w);
            for (row, (e, o)) in [(top, (&mut *e0, &mut *o0)), (bottom, (&mut *e1, &mut *o1))] {
                for ((pair, ek), ok) in xp[row..][..2 * ow].chunks_exact(2).zip(e).zip(o) {
                    (*ek, *ok) = (pair[0], pair[1]);
                }
            }
            let (top, bottom) = (top as u32, bottom as u32);
            for k in 0..ow {
                // Window order: (top, 2k), (top, 2k + 1), (bottom, 2k), (bottom, 2k + 1).
                let c = 2 * k as u32;
                let (best, arg) = (e0[k], top + c);
                let (best, arg) = offer(best, arg, o0[k], top + c + 1);
                let (best, arg) = offer(best, arg, e1[k], bottom + c);
                let (best, arg) = offer(best, arg, o1[k], bottom + c + 1);
                let keep = !relu | (best > 0.0) | best.is_nan();
                yr[k] = if keep { best } else { 0.0 };
                ar[k] = if keep { arg } else { NONE };
            }
        }
    }
}

/// One plane of any other pool (overlapping or rectangular windows, other strides).
fn forward_plane(xp: &[f32], g: Geometry, relu: bool, yp: &mut [f32], ap: &mut [u32]) {
    let [_, w] = g.input;
    let [oh, ow] = g.output;
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
}

/// Pooled values and plane-local argmax indices ([`NONE`] where `relu` clamped the maximum).
fn forward_values(x: &[f32], g: Geometry, relu: bool) -> (Vec<f32>, Vec<u32>) {
    let planes = x.len() / g.plane_in();
    let mut y = vec![0f32; planes * g.plane_out()];
    let mut arg = vec![0u32; planes * g.plane_out()];
    let fast = is_2x2_stride_2(g);
    let w = g.input[1];
    y.par_chunks_mut(g.plane_out())
        .zip(arg.par_chunks_mut(g.plane_out()))
        .zip(x.par_chunks(g.plane_in()))
        .for_each_init(
            || vec![0f32; 4 * (w / 2)],
            |split, ((yp, ap), xp)| {
                if fast {
                    pulp::Arch::new().dispatch(Pool2x2 {
                        xp,
                        w,
                        relu,
                        yp,
                        ap,
                        split,
                    });
                } else {
                    forward_plane(xp, g, relu, yp, ap);
                }
            },
        );
    (y, arg)
}

/// One plane of `∂L/∂x` for 2×2 stride-2 windows: each input value belongs to at most one
/// window, so every value is written once (the gradient at the argmax, zero elsewhere) in
/// row order instead of zeroing the plane and scattering; through `pulp` like [`Pool2x2`].
struct Unpool2x2<'a> {
    dyp: &'a [f32],
    ap: &'a [u32],
    w: usize,
    dxp: &'a mut [f32],
}

impl pulp::WithSimd for Unpool2x2<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Unpool2x2 { dyp, ap, w, dxp } = self;
        let ow = w / 2;
        if ow == 0 {
            dxp.fill(0.0);
            return;
        }
        let oh = dyp.len() / ow;
        let (covered, rest) = dxp.split_at_mut(2 * oh * w);
        rest.fill(0.0); // the last row of an odd side, in no window
        for (i, (rows, (dr, ar))) in covered
            .chunks_exact_mut(2 * w)
            .zip(dyp.chunks_exact(ow).zip(ap.chunks_exact(ow)))
            .enumerate()
        {
            let (r0, r1) = rows.split_at_mut(w);
            for (r, row) in [(r0, 2 * i), (r1, 2 * i + 1)] {
                let first = (row * w) as u32;
                for (k, ((pair, &d), &a)) in r.chunks_exact_mut(2).zip(dr).zip(ar).enumerate() {
                    let at = first + 2 * k as u32;
                    pair[0] = if a == at { d } else { 0.0 };
                    pair[1] = if a == at + 1 { d } else { 0.0 };
                }
                if w % 2 == 1 {
                    r[w - 1] = 0.0; // the last column of an odd side, in no window
                }
            }
        }
    }
}

/// `∂L/∂x`: each output's gradient added at its window's argmax, plane by plane.
fn backward_values(dy: &[f32], arg: &[u32], g: Geometry) -> Vec<f32> {
    let planes = dy.len() / g.plane_out();
    let mut dx = vec![0f32; planes * g.plane_in()];
    let fast = is_2x2_stride_2(g);
    dx.par_chunks_mut(g.plane_in())
        .zip(
            dy.par_chunks(g.plane_out())
                .zip(arg.par_chunks(g.plane_out())),
        )
        .for_each(|(dxp, (dyp, ap))| {
            if fast {
                let w = g.input[1];
                pulp::Arch::new().dispatch(Unpool2x2 { dyp, ap, w, dxp });
                return;
            }
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

/// The pool as a [`FlexOp`] with one parent.
struct MaxPool {
    geometry: Geometry,
    relu: bool,
}

impl MaxPool {
    /// The output and the argmax indices.
    fn run(&self, x: &FlexTensor) -> (FlexTensor, State) {
        let input = x.layout().shape().clone();
        let (y, arg) = forward_values(&values(x), self.geometry, self.relu);
        let y = tensor(y, output_shape(input.as_slice(), self.geometry));
        let state = State {
            arg,
            geometry: self.geometry,
            input,
        };
        (y, state)
    }
}

impl Forward<1> for MaxPool {
    fn forward(&mut self, [x]: [FlexTensor; 1]) -> FlexTensor {
        self.run(&x).0
    }
}

impl FlexOp<1> for MaxPool {
    type State = State;

    fn forward_keep(&mut self, [x]: [FlexTensor; 1]) -> (FlexTensor, State) {
        self.run(&x)
    }

    fn backward(s: State, dy: FlexTensor, _: [bool; 1]) -> [Option<FlexTensor>; 1] {
        [Some(tensor(
            backward_values(&values(&dy), &s.arg, s.geometry),
            s.input,
        ))]
    }
}

fn fused(pool: &MaxPool2d, x: &Tensor<4>, relu: bool) -> Option<Tensor<4>> {
    let geometry = Geometry::of(pool, x.dims())?;
    differentiable(&mut MaxPool { geometry, relu }, [x.into()])
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

// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
impl MaxPoolFast for MaxPool2d {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, false).unwrap_or_else(|| self.forward(x))
    }

    fn forward_relu_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, true).unwrap_or_else(|| self.forward(relu(x)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 2×2 stride-2 loops against the general ones on every plane size up to 7×7, with
    /// ties, NaN (first, middle and repeated) and, after the ReLU, windows of non-positive
    /// values only; both the forward (values, argmax) and the backward (∂L/∂x).
    #[test]
    fn two_by_two_loops_equal_the_general_ones() {
        let values = [
            0.5,
            -1.0,
            0.5,
            f32::NAN,
            0.0,
            2.0,
            -0.25,
            2.0,
            f32::NAN,
            -3.0,
            1.0,
        ];
        for h in 2..=7 {
            for w in 2..=7 {
                let g = Geometry {
                    input: [h, w],
                    output: [h / 2, w / 2],
                    kernel: [2, 2],
                    stride: [2, 2],
                };
                // Two planes of a fixed, tie-rich pattern.
                let x: Vec<f32> = (0..2 * h * w)
                    .map(|k| values[(k * 7 + h + w) % values.len()])
                    .collect();
                let dy: Vec<f32> = (0..2 * g.plane_out()).map(|k| 1.0 + k as f32).collect();
                for relu in [false, true] {
                    let (y, arg) = forward_values(&x, g, relu);
                    let (mut y_ref, mut arg_ref) = (vec![0f32; y.len()], vec![0u32; arg.len()]);
                    let mut dx_ref = vec![0f32; x.len()];
                    for p in 0..2 {
                        let (i, o) = (p * g.plane_in(), p * g.plane_out());
                        let (yo, ao) = (o..o + g.plane_out(), o..o + g.plane_out());
                        forward_plane(
                            &x[i..i + g.plane_in()],
                            g,
                            relu,
                            &mut y_ref[yo],
                            &mut arg_ref[ao.clone()],
                        );
                        for (&d, &a) in dy[ao.clone()].iter().zip(&arg_ref[ao]) {
                            if a != NONE {
                                dx_ref[i + a as usize] += d;
                            }
                        }
                    }
                    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                    let case = format!("{h}x{w} relu {relu}");
                    assert_eq!(bits(&y), bits(&y_ref), "{case}: values");
                    assert_eq!(arg, arg_ref, "{case}: argmax");
                    let dx = backward_values(&dy, &arg, g);
                    assert_eq!(dx, dx_ref, "{case}: ∂x");
                }
            }
        }
    }
}
