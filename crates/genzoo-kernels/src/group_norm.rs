//! Group normalisation (Wu & He 2018), optionally followed by SiLU, as one fused pass with a
//! hand-written backward, behind burn's `GroupNorm` module (same parameters, same checkpoint
//! keys): `norm.forward_fast(x)`, `norm.forward_silu_fast(x)` = `silu(norm.forward(x))`.
//!
//! For group g of example b (its `M = (C/G)·H·W` values):
//! ```text
//! μ = mean(x),  r = 1/√(var(x) + ε),  x̂ = (x − μ)·r,  y = γ_c·x̂ + β_c
//! ∂L/∂β_c = Σ_{b,h,w} dy,   ∂L/∂γ_c = Σ_{b,h,w} dy·x̂
//! ∂L/∂x = r·(γ_c·dy − mean(γ_c·dy) − x̂·mean(γ_c·dy·x̂))        (means over the group)
//! ```
//! burn composes GroupNorm from reshapes, reductions and broadcasts; on the flex CPU backend its
//! backward runs the broadcast gradients through slow strided paths (many times the forward's
//! cost at the U-Net's shapes). Here each group is a contiguous run of `M` values in NCHW, so
//! forward and backward are two sequential sweeps per group, groups in parallel (rayon);
//! statistics accumulate per channel in f32 lanes and across channels in f64.
//!
//! With SiLU (`s(u) = u·σ(u)`, `s'(u) = σ(u)·(1 + u·(1 − σ(u)))`) the backward first maps the
//! output gradient through `s'` at the recomputed `u`: burn's own SiLU costs many times an
//! addition through autodiff on the flex backend, and the U-Net applies it after every norm. σ
//! is [`crate::fastmath::sigmoid`] (libm's scalar `expf` was a visible share of the U-Net's
//! training step; this one vectorises), and the backward's sums use the same f32 lanes as the
//! forward's. Timings: docs/history/speed.md, "The U-Net's convolutions by Winograd's algorithm;
//! every family side by side (2026-12-04, Intel Xeon)" and "Figures formerly quoted in code
//! comments (moved 2026-12-05)".
//!
//! The fast path needs f32 tensors on the flex backend (with or without autodiff) and an affine
//! norm; anything else is burn's `GroupNorm::forward`.
//!
//! # Shapes
//! `x: [B, C, H, W]`, `γ, β: [C]` → `[B, C, H, W]`.

use burn::backend::flex::FlexTensor;
use burn::nn::GroupNorm;
use burn::prelude::*;
use burn::tensor::Shape;
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::fastmath::{self, lanes, lanes2};
use crate::host::{flex_tensor as tensor, flex_values as values};

/// Geometry of one call: batch, channels, groups, values per channel.
#[derive(Clone, Copy, Debug)]
struct Dims {
    b: usize,
    c: usize,
    g: usize,
    hw: usize,
}

impl Dims {
    fn of(shape: &Shape, groups: usize) -> Self {
        let d = shape.as_slice();
        Dims {
            b: d[0],
            c: d[1],
            g: groups,
            hw: d[2..].iter().product(),
        }
    }
    /// Channels per group.
    fn cg(&self) -> usize {
        self.c / self.g
    }
    /// Values per group.
    fn m(&self) -> usize {
        self.cg() * self.hw
    }
}

/// Forward: `(y, μ, r)` with one `(μ, r)` per (example, group).
fn forward_values(
    x: &[f32],
    gamma: &[f32],
    beta: &[f32],
    d: Dims,
    eps: f64,
    silu: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (m, hw, cg) = (d.m(), d.hw, d.cg());
    let mut y = vec![0f32; x.len()];
    let stats: Vec<(f32, f32)> = y
        .par_chunks_mut(m)
        .zip(x.par_chunks(m))
        .enumerate()
        .map(|(grp, (yg, xg))| {
            // Two passes (mean, then squared deviations) avoid the cancellation of E[x²] − μ².
            let mean = xg.chunks(hw).map(|c| lanes(c, |v| v) as f64).sum::<f64>() / m as f64;
            let mf = mean as f32;
            let sq = |v: f32| (v - mf) * (v - mf);
            let var = xg.chunks(hw).map(|c| lanes(c, sq) as f64).sum::<f64>() / m as f64;
            let r = 1.0 / (var + eps).sqrt();
            let (mean, r) = (mf, r as f32);
            let c0 = (grp % d.g) * cg;
            for (k, (yc, xc)) in yg.chunks_mut(hw).zip(xg.chunks(hw)).enumerate() {
                // y = a·x + b with a = r·γ, b = β − μ·a: one multiply-add per value.
                let a = r * gamma[c0 + k];
                let b = beta[c0 + k] - mean * a;
                if silu {
                    for (o, &v) in yc.iter_mut().zip(xc) {
                        let u = v * a + b;
                        *o = u * fastmath::sigmoid(u);
                    }
                } else {
                    for (o, &v) in yc.iter_mut().zip(xc) {
                        *o = v * a + b;
                    }
                }
            }
            (mean, r)
        })
        .collect();
    let (mean, rstd) = stats.into_iter().unzip();
    (y, mean, rstd)
}

/// Backward: `(∂x, ∂γ, ∂β)`.
fn backward_values(
    x: &[f32],
    dy: &[f32],
    (gamma, beta): (&[f32], &[f32]),
    mean: &[f32],
    rstd: &[f32],
    d: Dims,
    silu: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (m, hw, cg) = (d.m(), d.hw, d.cg());
    let mut dx = vec![0f32; x.len()];
    // Per (example, channel): (Σ dy, Σ dy·x̂).
    let mut sums = vec![(0f64, 0f64); d.b * d.c];
    dx.par_chunks_mut(m)
        .zip(x.par_chunks(m).zip(dy.par_chunks(m)))
        .zip(sums.par_chunks_mut(cg))
        .enumerate()
        .for_each(|(grp, ((dxg, (xg, dyg)), sg))| {
            let (mu, r) = (mean[grp], rstd[grp]);
            let c0 = (grp % d.g) * cg;
            let (mut m1, mut m2) = (0f64, 0f64);
            // Pass 1: the gradient at the norm's output (through SiLU: with u the norm's output
            // and σ = sigmoid(u), d silu/du = σ·(1 + u·(1 − σ))) goes into dx as scratch, and
            // the per-channel sums Σ du, Σ du·x̂ accumulate.
            for (k, ((xc, dyc), duc)) in xg
                .chunks(hw)
                .zip(dyg.chunks(hw))
                .zip(dxg.chunks_mut(hw))
                .enumerate()
            {
                let ga = gamma[c0 + k];
                let (a, b) = (r * ga, beta[c0 + k] - mu * r * ga);
                if silu {
                    for ((&v, &g), du) in xc.iter().zip(dyc).zip(duc.iter_mut()) {
                        let u = v * a + b;
                        *du = g * fastmath::silu_grad(u);
                    }
                } else {
                    duc.copy_from_slice(dyc);
                }
                let s1 = lanes(duc, |g| g) as f64;
                let s2 = lanes2(duc, xc, |g, v| g * (v - mu) * r) as f64;
                sg[k] = (s1, s2);
                m1 += ga as f64 * s1;
                m2 += ga as f64 * s2;
            }
            let (m1, m2) = ((m1 / m as f64) as f32, (m2 / m as f64) as f32);
            // Pass 2: ∂x = r·(γ·du − mean(γ·du) − x̂·mean(γ·du·x̂)), du read back from dx.
            for (k, (dxc, xc)) in dxg.chunks_mut(hw).zip(xg.chunks(hw)).enumerate() {
                let ga = gamma[c0 + k];
                for (o, &v) in dxc.iter_mut().zip(xc) {
                    let xh = (v - mu) * r;
                    *o = r * (ga * *o - m1 - xh * m2);
                }
            }
        });
    let mut dgamma = vec![0f64; d.c];
    let mut dbeta = vec![0f64; d.c];
    for row in sums.chunks(d.c) {
        for (ch, &(s1, s2)) in row.iter().enumerate() {
            dbeta[ch] += s1;
            dgamma[ch] += s2;
        }
    }
    let narrow = |v: Vec<f64>| v.into_iter().map(|s| s as f32).collect();
    (dx, narrow(dgamma), narrow(dbeta))
}

/// Saved for the backward: input, γ, β, per-group μ and r, geometry, whether SiLU follows.
type State = (
    FlexTensor,
    FlexTensor,
    FlexTensor,
    Vec<f32>,
    Vec<f32>,
    Dims,
    bool,
);

/// The norm as a [`FlexOp`] with parents `(x, γ, β)`.
struct Norm {
    groups: usize,
    eps: f64,
    silu: bool,
}

impl Norm {
    /// The output, per-group μ and r, and the geometry.
    fn run(
        &self,
        x: &FlexTensor,
        g: &FlexTensor,
        b: &FlexTensor,
    ) -> (FlexTensor, Vec<f32>, Vec<f32>, Dims) {
        let d = Dims::of(x.layout().shape(), self.groups);
        let (y, mean, rstd) =
            forward_values(&values(x), &values(g), &values(b), d, self.eps, self.silu);
        (tensor(y, x.layout().shape().clone()), mean, rstd, d)
    }
}

impl Forward<3> for Norm {
    fn forward(&mut self, [x, g, b]: [FlexTensor; 3]) -> FlexTensor {
        self.run(&x, &g, &b).0
    }
}

impl FlexOp<3> for Norm {
    type State = State;

    fn forward_keep(&mut self, [x, g, b]: [FlexTensor; 3]) -> (FlexTensor, State) {
        let (y, mean, rstd, d) = self.run(&x, &g, &b);
        (y, (x, g, b, mean, rstd, d, self.silu))
    }

    fn backward(state: State, dy: FlexTensor, _: [bool; 3]) -> [Option<FlexTensor>; 3] {
        let (x, gamma, beta, mean, rstd, d, silu) = state;
        let shape = x.layout().shape().clone();
        let (dx, dgamma, dbeta) = backward_values(
            &values(&x),
            &values(&dy),
            (&values(&gamma), &values(&beta)),
            &mean,
            &rstd,
            d,
            silu,
        );
        [
            Some(tensor(dx, shape)),
            Some(tensor(dgamma, Shape::new([d.c]))),
            Some(tensor(dbeta, Shape::new([d.c]))),
        ]
    }
}

/// `GroupNorm(x)` with γ and β, followed by SiLU when `silu`, in one fused op (module docs);
/// `None` where the fast path does not apply (the caller runs burn's composition).
///
/// # Shapes
/// `x: [B, C, H, W]`, `gamma, beta: [C]` → `[B, C, H, W]`.
pub fn group_norm_fast(
    x: Tensor<4>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    groups: usize,
    eps: f64,
    silu: bool,
) -> Option<Tensor<4>> {
    let [_, c, _, _] = x.dims();
    if groups == 0 || c % groups != 0 {
        return None;
    }
    let mut norm = Norm { groups, eps, silu };
    differentiable(&mut norm, [(&x).into(), (&gamma).into(), (&beta).into()])
}

/// [`group_norm_fast`] for burn's `GroupNorm` module.
pub trait GroupNormFast {
    /// The module's forward, fused where possible.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, H, W]`.
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4>;

    /// `silu(self.forward(x))` as one op where possible (the U-Net's pre-activation blocks).
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, H, W]`.
    fn forward_silu_fast(&self, x: Tensor<4>) -> Tensor<4>;
}

fn fused(norm: &GroupNorm, x: &Tensor<4>, silu: bool) -> Option<Tensor<4>> {
    let (g, b) = (norm.gamma.as_ref()?, norm.beta.as_ref()?);
    group_norm_fast(
        x.clone(),
        g.val(),
        b.val(),
        norm.num_groups,
        norm.epsilon,
        silu,
    )
}

// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
impl GroupNormFast for GroupNorm {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, false).unwrap_or_else(|| self.forward(x))
    }

    fn forward_silu_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, true).unwrap_or_else(|| burn::tensor::activation::silu(self.forward(x)))
    }
}
