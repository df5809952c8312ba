//! Depthwise 2-D convolution (one `kh×kw` filter per channel, `groups = C`; MobileNet,
//! EfficientNet) with hand-written forward, input gradient and weight gradient, reached from
//! [`crate::conv::conv2d_fast`] (so from `Conv2d::forward_fast`) when the layer is depthwise.
//! With stride s and padding (top, left), on the zero-padded input `x_p`:
//! ```text
//! y[b,c,i,j]      = Σ_{p<kh, q<kw} w[c,0,p,q] · x_p[b,c, s·i + p, s·j + q]
//! ∂L/∂x_p[b,c,·]  = Σ_{i,j,p,q} w[c,0,p,q] · ∂L/∂y[b,c,i,j]   at (s·i + p, s·j + q)
//! ∂L/∂w[c,0,p,q]  = Σ_{b,i,j} ∂L/∂y[b,c,i,j] · x_p[b,c, s·i + p, s·j + q]
//! ```
//! and `∂L/∂x` is `∂L/∂x_p` without its border. Every `[b, c]` plane is independent in the
//! forward and the input gradient (planes in parallel); the weight gradient sums over the batch
//! (channels in parallel). Each plane works on the padded grid: the stride-1 output of tap
//! (p, q) is the padded plane shifted by `p·Wp + q`, so a tap is one contiguous multiply-add
//! (or dot product) of length ≈ `Ho₁·Wp` — long enough to vectorise, where row-by-row loops
//! over 7- or 14-wide maps were not — compiled for the CPU's widest SIMD set (`pulp`). A
//! strided layer reads its outputs off that grid (and spreads its output gradient onto it with
//! zeros between), computing s² times the taps it needs; EfficientNet's few stride-2 layers
//! pay that for vectorised loops. The grid's `kw − 1` columns past each row are never read.
//!
//! Why: flex runs depthwise layers through its generic grouped kernels — the forward
//! accumulates per plane in an unvectorised generic kernel, the input gradient is a grouped
//! transposed convolution — which were a large share of EfficientNet's training step
//! (profile: docs/history/speed.md, "A fused max pool and a depthwise convolution (2026-12-04,
//! Intel Xeon)"). Padding may be asymmetric (TensorFlow's SAME for stride 2: nothing before, one
//! after), as EfficientNet's layers need.
//!
//! The fast path covers depth multiplier 1 (`w: [C, 1, kh, kw]`), no dilation and no bias, on
//! f32 flex tensors (with or without autodiff); anything else stays on
//! [`crate::conv::conv2d_fast`]'s other paths.
//!
//! # Shapes
//! `x: [B, C, H, W]`, `w: [C, 1, kh, kw]` → `[B, C, (H + pt + pb − kh)/s + 1, (W + pl + pr − kw)/s + 1]`.

use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::ops::ConvOptions;
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::fastmath;
use crate::host::{flex_tensor as tensor, flex_values as values};

/// Geometry of one depthwise layer on one input.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    batch: usize,
    channels: usize,
    /// Input side `[H, W]`.
    input: [usize; 2],
    /// Padded side `[H + pt + pb, W + pl + pr]`.
    padded: [usize; 2],
    /// Padding before: `[top, left]`.
    before: [usize; 2],
    /// Output side `[Ho, Wo]`.
    output: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
}

impl Geometry {
    /// The geometry for `x: [B, C, H, W]` and `w: [O, C/groups, kh, kw]`, or `None` when the
    /// layer is not a depthwise convolution this module handles (module docs).
    fn of(x: [usize; 4], w: [usize; 4], options: &ConvOptions<2>) -> Option<Self> {
        let [batch, channels, h, wd] = x;
        let [o, per_group, kh, kw] = w;
        let depthwise =
            channels > 1 && options.groups == channels && o == channels && per_group == 1;
        if !depthwise || options.dilation != [1, 1] || options.stride.contains(&0) {
            return None;
        }
        let [(pt, pb), (pl, pr)] = options.padding;
        let padded = [h + pt + pb, wd + pl + pr];
        if kh == 0 || kw == 0 || kh > padded[0] || kw > padded[1] {
            return None;
        }
        let stride = options.stride;
        Some(Geometry {
            batch,
            channels,
            input: [h, wd],
            padded,
            before: [pt, pl],
            output: [
                (padded[0] - kh) / stride[0] + 1,
                (padded[1] - kw) / stride[1] + 1,
            ],
            kernel: [kh, kw],
            stride,
        })
    }

    fn plane_in(&self) -> usize {
        self.input[0] * self.input[1]
    }

    fn plane_padded(&self) -> usize {
        self.padded[0] * self.padded[1]
    }

    fn plane_out(&self) -> usize {
        self.output[0] * self.output[1]
    }

    fn taps(&self) -> usize {
        self.kernel[0] * self.kernel[1]
    }

    /// Copy one input plane into the zeroed interior of a padded plane.
    fn pad(&self, plane: &[f32], padded: &mut [f32]) {
        let [h, w] = self.input;
        let wp = self.padded[1];
        let [top, left] = self.before;
        for r in 0..h {
            let dst = (r + top) * wp + left;
            padded[dst..dst + w].copy_from_slice(&plane[r * w..(r + 1) * w]);
        }
    }

    /// The inverse of [`Self::pad`]: copy a padded plane's interior out to a plane.
    fn crop(&self, padded: &[f32], plane: &mut [f32]) {
        let [h, w] = self.input;
        let wp = self.padded[1];
        let [top, left] = self.before;
        for r in 0..h {
            let src = (r + top) * wp + left;
            plane[r * w..(r + 1) * w].copy_from_slice(&padded[src..src + w]);
        }
    }

    /// Length of the stride-1 output laid on the padded grid: rows `0..Ho₁` of width `Wp`,
    /// the last one cut at `Wo₁` (`Ho₁ = Hp − kh + 1`, `Wo₁ = Wp − kw + 1`), so that every tap's
    /// window `[p·Wp + q, p·Wp + q + len)` stays inside the padded plane.
    fn grid_len(&self) -> usize {
        let rows = self.padded[0] - self.kernel[0] + 1;
        let cols = self.padded[1] - self.kernel[1] + 1;
        (rows - 1) * self.padded[1] + cols
    }

    /// Offset of tap (p, q) in the padded plane.
    fn tap(&self, p: usize, q: usize) -> usize {
        p * self.padded[1] + q
    }

    /// Grid position of output (i, j): the stride-1 output at `(s·i, s·j)`.
    fn at(&self, i: usize, j: usize) -> usize {
        i * self.stride[0] * self.padded[1] + j * self.stride[1]
    }
}

/// `out[k] += a · src[k]` over `out`'s length: one contiguous multiply-add that vectorises.
#[inline(always)]
fn axpy(out: &mut [f32], a: f32, src: &[f32]) {
    for (o, &v) in out.iter_mut().zip(src) {
        *o += a * v;
    }
}

/// One plane's taps, run through `pulp` so that the loops are compiled for the widest SIMD
/// instruction set the CPU has (see [`crate::fastmath`]); `with_simd` and the loops it calls
/// are `#[inline(always)]`, which is what puts them inside the dispatched code. (A closure
/// called from `with_simd` stayed baseline SSE2 code.)
enum Taps<'a> {
    /// `grid = Σ_taps w_pq · padded[tap..]`.
    Forward {
        grid: &'a mut [f32],
        padded: &'a [f32],
        filter: &'a [f32],
    },
    /// `padded[tap..] += w_pq · grid` for every tap (padded zeroed first).
    InputGrad {
        padded: &'a mut [f32],
        grid: &'a [f32],
        filter: &'a [f32],
    },
    /// `acc_pq += ⟨grid, padded[tap..]⟩` for every tap.
    WeightGrad {
        acc: &'a mut [f64],
        grid: &'a [f32],
        padded: &'a [f32],
    },
}

struct Dispatched<'a>(Taps<'a>, Geometry);

impl pulp::WithSimd for Dispatched<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Dispatched(taps, g) = self;
        let len = g.grid_len();
        let [kh, kw] = g.kernel;
        match taps {
            Taps::Forward {
                grid,
                padded,
                filter,
            } => {
                grid.fill(0.0);
                for p in 0..kh {
                    for q in 0..kw {
                        axpy(grid, filter[p * kw + q], &padded[g.tap(p, q)..][..len]);
                    }
                }
            }
            Taps::InputGrad {
                padded,
                grid,
                filter,
            } => {
                padded.fill(0.0);
                for p in 0..kh {
                    for q in 0..kw {
                        axpy(&mut padded[g.tap(p, q)..][..len], filter[p * kw + q], grid);
                    }
                }
            }
            Taps::WeightGrad { acc, grid, padded } => {
                for p in 0..kh {
                    for q in 0..kw {
                        let window = &padded[g.tap(p, q)..][..len];
                        acc[p * kw + q] += fastmath::dot(grid, window) as f64;
                    }
                }
            }
        }
    }
}

fn run(taps: Taps<'_>, g: Geometry) {
    pulp::Arch::new().dispatch(Dispatched(taps, g));
}

/// Per-task scratch: a padded plane and an output grid.
fn scratch(g: Geometry) -> (Vec<f32>, Vec<f32>) {
    (vec![0f32; g.plane_padded()], vec![0f32; g.grid_len()])
}

/// The forward: `[B, C, H, W]` values and `[C, kh·kw]` filters → `[B, C, Ho, Wo]` values. Each
/// plane's stride-1 output is accumulated on the padded grid, one contiguous multiply-add per
/// tap, and the strided outputs are read off it.
fn forward_values(x: &[f32], w: &[f32], g: Geometry) -> Vec<f32> {
    let mut y = vec![0f32; g.batch * g.channels * g.plane_out()];
    y.par_chunks_mut(g.plane_out())
        .zip(x.par_chunks(g.plane_in()))
        .enumerate()
        .for_each_init(
            || scratch(g),
            |(padded, grid), (plane, (yp, xp))| {
                g.pad(xp, padded);
                let filter = &w[(plane % g.channels) * g.taps()..][..g.taps()];
                run(
                    Taps::Forward {
                        grid,
                        padded,
                        filter,
                    },
                    g,
                );
                gather(grid, g, yp);
            },
        );
    y
}

/// Read one output plane off the grid (the strided positions of the stride-1 output).
fn gather(grid: &[f32], g: Geometry, yp: &mut [f32]) {
    let [ho, wo] = g.output;
    for i in 0..ho {
        for j in 0..wo {
            yp[i * wo + j] = grid[g.at(i, j)];
        }
    }
}

/// The inverse of [`gather`]: spread one output-gradient plane onto the grid (zeros between
/// strided outputs and in the columns past `Wo₁`).
fn spread(dyp: &[f32], g: Geometry, grid: &mut [f32]) {
    let [ho, wo] = g.output;
    grid.fill(0.0);
    for i in 0..ho {
        for j in 0..wo {
            grid[g.at(i, j)] = dyp[i * wo + j];
        }
    }
}

/// `∂L/∂x` from `∂L/∂y` and the filters: each tap adds its filter value times the spread
/// gradient into the padded plane, which is then cropped.
fn input_grad_values(dy: &[f32], w: &[f32], g: Geometry) -> Vec<f32> {
    let mut dx = vec![0f32; g.batch * g.channels * g.plane_in()];
    dx.par_chunks_mut(g.plane_in())
        .zip(dy.par_chunks(g.plane_out()))
        .enumerate()
        .for_each_init(
            || scratch(g),
            |(padded, grid), (plane, (dxp, dyp))| {
                spread(dyp, g, grid);
                let filter = &w[(plane % g.channels) * g.taps()..][..g.taps()];
                run(
                    Taps::InputGrad {
                        padded,
                        grid,
                        filter,
                    },
                    g,
                );
                g.crop(padded, dxp);
            },
        );
    dx
}

/// `∂L/∂w` as `[C, kh·kw]`: for each channel and tap, the sum over the batch of the dot
/// product of the spread gradient with the tap's window of the padded input.
fn weight_grad_values(x: &[f32], dy: &[f32], g: Geometry) -> Vec<f32> {
    let mut dw = vec![0f32; g.channels * g.taps()];
    dw.par_chunks_mut(g.taps()).enumerate().for_each_init(
        || scratch(g),
        |(padded, grid), (c, dwc)| {
            // f64 across the batch: B·Ho·Wo terms per tap.
            let mut acc = vec![0f64; g.taps()];
            for b in 0..g.batch {
                let plane = b * g.channels + c;
                g.pad(&x[plane * g.plane_in()..][..g.plane_in()], padded);
                spread(&dy[plane * g.plane_out()..][..g.plane_out()], g, grid);
                run(
                    Taps::WeightGrad {
                        acc: &mut acc,
                        grid,
                        padded,
                    },
                    g,
                );
            }
            for (o, a) in dwc.iter_mut().zip(acc) {
                *o = a as f32;
            }
        },
    );
    dw
}

fn output(y: Vec<f32>, g: Geometry) -> FlexTensor {
    tensor(y, [g.batch, g.channels, g.output[0], g.output[1]])
}

/// The depthwise convolution as a [`FlexOp`] with parents `(x, w)`.
struct Depthwise(Geometry);

impl Forward<2> for Depthwise {
    fn forward(&mut self, [x, w]: [FlexTensor; 2]) -> FlexTensor {
        output(forward_values(&values(&x), &values(&w), self.0), self.0)
    }
}

impl FlexOp<2> for Depthwise {
    type State = (FlexTensor, FlexTensor, Geometry);

    fn forward_keep(&mut self, [x, w]: [FlexTensor; 2]) -> (FlexTensor, Self::State) {
        let y = self.forward([x.clone(), w.clone()]);
        (y, (x, w, self.0))
    }

    fn backward(
        (x, w, g): Self::State,
        dy: FlexTensor,
        [need_x, need_w]: [bool; 2],
    ) -> [Option<FlexTensor>; 2] {
        let dy = values(&dy);
        let dx = need_x.then(|| {
            let dx = input_grad_values(&dy, &values(&w), g);
            tensor(dx, x.layout().shape().clone())
        });
        let dw = need_w.then(|| {
            let dw = weight_grad_values(&values(&x), &dy, g);
            tensor(dw, w.layout().shape().clone())
        });
        [dx, dw]
    }
}

/// The depthwise convolution of `x` by `w` (no bias) on the fast path, or `None` when it does
/// not apply (module docs) and the caller should take another path.
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [C, 1, kh, kw]` → `[B, C, Ho, Wo]`.
pub fn depthwise_fast(x: &Tensor<4>, w: &Tensor<4>, options: &ConvOptions<2>) -> Option<Tensor<4>> {
    let g = Geometry::of(x.dims(), w.dims(), options)?;
    differentiable(&mut Depthwise(g), [x.into(), w.into()])
}
