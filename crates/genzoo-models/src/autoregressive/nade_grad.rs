//! NADE's exact gradient in O(nH) per example, by hand (Larochelle & Murray 2011, Algorithm 1).
//!
//! Forward, in ordering o, with `Wᵀ` stored as rows `w[d] ∈ ℝᴴ`:
//! ```text
//! a ← c;  for i: h_i = σ(a), ℓ = b_d + v[d]·h_i, log p += x_d ℓ − softplus(ℓ), a ← a + x_d w[d]
//! ```
//! Backward of the NLL (δℓ = σ(ℓ) − x_d), walking i from n−1 down to 0 with `s = Σ_{i'>i} δa_{i'}`:
//! ```text
//! ∂b_d += δℓ,  ∂v[d] += δℓ h_i,  δa_i = δℓ v[d] ⊙ h_i ⊙ (1 − h_i),
//! ∂w[d] += x_d s  (a_{i'} for i' > i contains x_d w[d]),  s ← s + δa_i,  finally ∂c += s
//! ```
//! An autodiff graph over the same computation holds `[B, n, H]` intermediates and is bound by
//! memory traffic; these loops touch each weight row twice per example, use the vectorising
//! sigmoid of `genzoo_nn::fastmath`, and run compiled for AVX2 where the CPU has it. A test
//! checks them against autodiff of [`super::Nade::logits`].

use genzoo_nn::fastmath::{dot, sigmoid, sigmoid_into};
use rayon::prelude::*;

/// Host copies of the parameters, rows per input dimension.
pub struct NadeParams<'a> {
    /// `[n, H]`: input weights, row d = column d of W.
    pub w: &'a [f32],
    /// `[n, H]`: output weights.
    pub v: &'a [f32],
    /// `[n]`: output biases.
    pub b: &'a [f32],
    /// `[H]`: hidden bias.
    pub c: &'a [f32],
}

/// Gradients of the summed NLL, laid out like [`NadeParams`], and the summed NLL.
pub struct NadeGrads {
    /// ∂/∂w, `[n, H]`.
    pub w: Vec<f32>,
    /// ∂/∂v, `[n, H]`.
    pub v: Vec<f32>,
    /// ∂/∂b, `[n]`.
    pub b: Vec<f32>,
    /// ∂/∂c, `[H]`.
    pub c: Vec<f32>,
    /// Σ over the batch of −log p(x), in nats.
    pub nll: f64,
}

impl NadeGrads {
    fn zeros(n: usize, h: usize) -> Self {
        Self {
            w: vec![0.0; n * h],
            v: vec![0.0; n * h],
            b: vec![0.0; n],
            c: vec![0.0; h],
            nll: 0.0,
        }
    }

    fn add(mut self, other: Self) -> Self {
        for (a, b) in [
            (&mut self.w, &other.w),
            (&mut self.v, &other.v),
            (&mut self.b, &other.b),
            (&mut self.c, &other.c),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.nll += other.nll;
        self
    }
}

/// Stable `log(1 + eˣ)`.
#[inline(always)]
fn softplus(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Summed NLL and its gradient over the rows of `x` (`[B, n]`, row-major, values 0/1).
pub fn nade_nll_grad(params: &NadeParams, order: &[usize], x: &[f32], h: usize) -> NadeGrads {
    let n = order.len();
    let rows = x.len() / n.max(1);
    // One accumulator per worker thread, not per rayon split: each holds two `[n, H]` buffers,
    // and zeroing and summing extra ones costs as much as the examples they would serve.
    let per_thread = rows.div_ceil(rayon::current_num_threads()).max(1);
    x.par_chunks(n.max(1))
        .with_min_len(per_thread)
        .fold(
            || (NadeGrads::zeros(n, h), Scratch::new(n, h)),
            |(mut g, mut scratch), row| {
                pulp::Arch::new().dispatch(Example {
                    scratch: &mut scratch,
                    p: params,
                    order,
                    row,
                    g: &mut g,
                });
                (g, scratch)
            },
        )
        .map(|(g, _)| g)
        .reduce(|| NadeGrads::zeros(n, h), NadeGrads::add)
}

/// One example's forward and backward as a `pulp` operation, so that it is compiled for (and
/// run with) the widest SIMD instruction set the CPU has (AVX2 + FMA, faster than the baseline
/// SSE2 code here: docs/history/speed.md, "NADE's hand-written gradient (2026-12-02, host not
/// stated)"); `with_simd` and everything it calls are `#[inline(always)]`, which is what puts
/// them inside the dispatched code.
struct Example<'a, 'p> {
    scratch: &'a mut Scratch,
    p: &'a NadeParams<'p>,
    order: &'a [usize],
    row: &'a [f32],
    g: &'a mut NadeGrads,
}

impl pulp::WithSimd for Example<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        self.scratch.run(self.p, self.order, self.row, self.g);
    }
}

/// Per-thread buffers for one example.
struct Scratch {
    /// h_i for every position, `[n, H]` (kept for the backward pass: recomputing σ there costs
    /// more than writing and reading them back).
    hs: Vec<f32>,
    /// Running sum a, `[H]`.
    a: Vec<f32>,
    /// s = Σ_{i'>i} δa_{i'}, `[H]`.
    s: Vec<f32>,
    /// δℓ per position, `[n]`.
    dl: Vec<f32>,
}

impl Scratch {
    fn new(n: usize, h: usize) -> Self {
        Self {
            hs: vec![0.0; n * h],
            a: vec![0.0; h],
            s: vec![0.0; h],
            dl: vec![0.0; n],
        }
    }

    /// Forward and backward of one example `row` (`[n]`), adding into `g`.
    #[inline(always)]
    fn run(&mut self, p: &NadeParams, order: &[usize], row: &[f32], g: &mut NadeGrads) {
        let h = self.a.len();
        self.a.copy_from_slice(p.c);
        for (i, &d) in order.iter().enumerate() {
            let hi = &mut self.hs[i * h..(i + 1) * h];
            sigmoid_into(&self.a, hi);
            let l = p.b[d] + dot(&p.v[d * h..(d + 1) * h], hi);
            g.nll += f64::from(softplus(l) - row[d] * l);
            self.dl[i] = sigmoid(l) - row[d];
            if row[d] != 0.0 {
                let wd = &p.w[d * h..(d + 1) * h];
                self.a
                    .iter_mut()
                    .zip(wd)
                    .for_each(|(a, &w)| *a += row[d] * w);
            }
        }
        self.s.iter_mut().for_each(|v| *v = 0.0);
        for (i, &d) in order.iter().enumerate().rev() {
            if row[d] != 0.0 {
                let gw = &mut g.w[d * h..(d + 1) * h];
                gw.iter_mut()
                    .zip(&self.s)
                    .for_each(|(gw, s)| *gw += row[d] * s);
            }
            let hi = &self.hs[i * h..(i + 1) * h];
            let delta = self.dl[i];
            g.b[d] += delta;
            let vd = &p.v[d * h..(d + 1) * h];
            let gv = &mut g.v[d * h..(d + 1) * h];
            for (((gv, s), &hk), &vk) in gv.iter_mut().zip(self.s.iter_mut()).zip(hi).zip(vd) {
                *gv += delta * hk;
                *s += delta * vk * hk * (1.0 - hk);
            }
        }
        g.c.iter_mut().zip(&self.s).for_each(|(gc, s)| *gc += s);
    }
}
