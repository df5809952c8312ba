//! Batch normalisation (Ioffe & Szegedy 2015), optionally followed by SiLU, as one fused op with
//! a hand-written backward, behind burn's `BatchNorm` module (same parameters, same running
//! statistics, same checkpoint keys): `bn.forward_fast(x)` = `bn.forward(x)`,
//! `bn.forward_silu_fast(x)` = `silu(bn.forward(x))`.
//!
//! Training (an autodiff device and the layer's training flag on), for channel c and its
//! `M = B·H·W` values:
//! ```text
//! μ = mean(x),  σ² = mean((x − μ)²),  r = 1/√(σ² + ε),  x̂ = (x − μ)·r,  y = γ_c·x̂ + β_c
//! ∂L/∂β_c = Σ dy,   ∂L/∂γ_c = Σ dy·x̂,   ∂L/∂x = γ_c·r·(dy − mean(dy) − x̂·mean(dy·x̂))
//! μ̂ ← (1 − m)·μ̂ + m·μ,   σ̂² ← (1 − m)·σ̂² + m·σ²        (burn's convention: biased σ²)
//! ```
//! Inference normalises with μ̂ and σ̂² instead and changes nothing.
//!
//! Why: burn's `batch_norm_train` on the flex backend is its backend-generic default, which
//! moves the channel axis to the front with a full strided copy before every reduction (twice
//! in the forward, twice in the backward) and builds the output and the input gradient from
//! ~10 broadcast elementwise ops, a sizeable share of EfficientNet's training step. Here the
//! statistics are one read-only sweep per channel (channels in parallel), the output one sweep
//! over the `[B, C]` planes (planes in parallel), and the input gradient two: `du` with its
//! per-plane sums (SiLU's derivative evaluated once per value; it was three times, each with
//! an `exp`), then the gradient from `du`. Profiles and timings: docs/history/speed.md, "The
//! bias gradient, BatchNorm's backward, strided and transposed convolutions batch-folded
//! (2026-12-04, fifth session, AMD EPYC Zen 4)" and "Figures formerly quoted in code comments
//! (moved 2026-12-05)".
//! Sums run in f32 lanes per plane and in f64 across planes (two passes: mean, then squared
//! deviations, to avoid the cancellation of E[x²] − μ²).
//!
//! With SiLU (`s(u) = u·σ(u)`) the output is `s(y)` and the backward maps `dy` through `s'` at
//! the recomputed `y` first; EfficientNet applies SiLU after most of its batch norms.
//!
//! The fast path needs f32 tensors on the flex backend (with or without autodiff); anything
//! else is burn's `BatchNorm::forward`.
//!
//! # Shapes
//! `x: [B, C, H, W]`, `γ, β: [C]` → `[B, C, H, W]`.

use burn::backend::flex::FlexTensor;
use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::Shape;
use rayon::prelude::*;

use crate::dispatch::{FlexOp, Forward, differentiable, forward_only};
use crate::fastmath::{self, lanes, lanes2};
use crate::host::{flex_tensor as tensor, flex_values as values};

/// Geometry of one call: batch, channels, values per `[b, c]` plane.
#[derive(Clone, Copy, Debug)]
struct Dims {
    b: usize,
    c: usize,
    hw: usize,
}

impl Dims {
    fn of(shape: &Shape) -> Self {
        let d = shape.as_slice();
        Dims {
            b: d[0],
            c: d[1],
            hw: d[2..].iter().product(),
        }
    }
    /// Values per channel.
    fn m(&self) -> usize {
        self.b * self.hw
    }
    /// The plane of channel `ch` in example `i`.
    fn plane<'a>(&self, v: &'a [f32], i: usize, ch: usize) -> &'a [f32] {
        &v[(i * self.c + ch) * self.hw..][..self.hw]
    }
}

/// Per-channel affine map `y = a·x + b` of the normalisation: `a = r·γ`, `b = β − μ·a`.
fn affine(mean: &[f32], rstd: &[f32], gamma: &[f32], beta: &[f32]) -> Vec<(f32, f32)> {
    mean.iter()
        .zip(rstd)
        .zip(gamma.iter().zip(beta))
        .map(|((&mu, &r), (&g, &b))| {
            let a = r * g;
            (a, b - mu * a)
        })
        .collect()
}

/// Biased mean and variance of every channel.
fn statistics(x: &[f32], d: Dims) -> (Vec<f32>, Vec<f32>) {
    let m = d.m() as f64;
    (0..d.c)
        .into_par_iter()
        .map(|ch| {
            let mean = (0..d.b)
                .map(|i| lanes(d.plane(x, i, ch), |v| v) as f64)
                .sum::<f64>()
                / m;
            let mf = mean as f32;
            let var = (0..d.b)
                .map(|i| lanes(d.plane(x, i, ch), |v| (v - mf) * (v - mf)) as f64)
                .sum::<f64>()
                / m;
            (mf, var as f32)
        })
        .unzip()
}

/// `y = a_c·x + b_c` (then SiLU), plane by plane.
fn apply(x: &[f32], ab: &[(f32, f32)], d: Dims, silu: bool) -> Vec<f32> {
    let mut y = vec![0f32; x.len()];
    y.par_chunks_mut(d.hw)
        .zip(x.par_chunks(d.hw))
        .enumerate()
        .for_each(|(plane, (yc, xc))| {
            let (a, b) = ab[plane % d.c];
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
        });
    y
}

/// `1/√(σ² + ε)` per channel.
fn rstd(var: &[f32], eps: f64) -> Vec<f32> {
    var.iter()
        .map(|&v| (1.0 / (v as f64 + eps).sqrt()) as f32)
        .collect()
}

/// Backward: `(∂x, ∂γ, ∂β)`.
fn backward_values(
    x: &[f32],
    dy: &[f32],
    gamma: &[f32],
    (mean, rstd): (&[f32], &[f32]),
    ab: &[(f32, f32)],
    d: Dims,
    silu: bool,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    // The gradient at the norm's output: through SiLU, dy·s'(a·x + b).
    let du = |v: f32, g: f32, (a, b): (f32, f32)| {
        if silu {
            g * fastmath::silu_grad(v * a + b)
        } else {
            g
        }
    };
    // Pass 1, planes in parallel: du into dx (SiLU's derivative, with its exp, once per value)
    // and each plane's (Σ du, Σ du·x̂) in f32 lanes.
    let mut dx = vec![0f32; x.len()];
    let partial: Vec<(f32, f32)> = dx
        .par_chunks_mut(d.hw)
        .zip(x.par_chunks(d.hw).zip(dy.par_chunks(d.hw)))
        .enumerate()
        .map(|(plane, (duc, (xc, gc)))| {
            let ch = plane % d.c;
            let (mu, r, coef) = (mean[ch], rstd[ch], ab[ch]);
            for ((o, &v), &g) in duc.iter_mut().zip(xc).zip(gc) {
                *o = du(v, g, coef);
            }
            (lanes(duc, |u| u), lanes2(duc, xc, |u, v| u * (v - mu) * r))
        })
        .collect();
    // Per channel, the planes added up in f64 in example order: (Σ du, Σ du·x̂).
    let (s1, s2): (Vec<f64>, Vec<f64>) = (0..d.c)
        .map(|ch| {
            (0..d.b).fold((0f64, 0f64), |(s1, s2), i| {
                let (p1, p2) = partial[i * d.c + ch];
                (s1 + f64::from(p1), s2 + f64::from(p2))
            })
        })
        .unzip();
    let m = d.m() as f64;
    // Pass 2: dx = γ·r·(du − mean(du) − x̂·mean(du·x̂)), du read back from dx.
    dx.par_chunks_mut(d.hw)
        .zip(x.par_chunks(d.hw))
        .enumerate()
        .for_each(|(plane, (dxc, xc))| {
            let ch = plane % d.c;
            let (mu, r) = (mean[ch], rstd[ch]);
            let (m1, m2) = ((s1[ch] / m) as f32, (s2[ch] / m) as f32);
            let scale = gamma[ch] * r;
            for (o, &v) in dxc.iter_mut().zip(xc) {
                let xh = (v - mu) * r;
                *o = scale * (*o - m1 - xh * m2);
            }
        });
    let narrow = |v: Vec<f64>| v.into_iter().map(|s| s as f32).collect();
    (dx, narrow(s2), narrow(s1))
}

/// Saved for the backward: input, γ, per-channel μ, r and affine map, geometry, SiLU or not.
type State = (
    FlexTensor,
    FlexTensor,
    Vec<f32>,
    Vec<f32>,
    Vec<(f32, f32)>,
    Dims,
    bool,
);

/// Training-mode norm as a [`FlexOp`] with parents `(x, γ, β)`; the batch's `(μ, σ²)` are left
/// in `stats` for the running estimates.
struct Train {
    eps: f64,
    silu: bool,
    stats: Option<(Vec<f32>, Vec<f32>)>,
}

impl Forward<3> for Train {
    fn forward(&mut self, parents: [FlexTensor; 3]) -> FlexTensor {
        self.forward_keep(parents).0
    }
}

impl FlexOp<3> for Train {
    type State = State;

    fn forward_keep(&mut self, [x, g, b]: [FlexTensor; 3]) -> (FlexTensor, State) {
        let d = Dims::of(x.layout().shape());
        let xv = values(&x);
        let (mean, var) = statistics(&xv, d);
        let r = rstd(&var, self.eps);
        let ab = affine(&mean, &r, &values(&g), &values(&b));
        let y = tensor(apply(&xv, &ab, d, self.silu), x.layout().shape().clone());
        drop(xv);
        self.stats = Some((mean.clone(), var));
        (y, (x, g, mean, r, ab, d, self.silu))
    }

    fn backward(state: State, dy: FlexTensor, _: [bool; 3]) -> [Option<FlexTensor>; 3] {
        let (x, gamma, mean, rstd, ab, d, silu) = state;
        let shape = x.layout().shape().clone();
        let (dx, dgamma, dbeta) = backward_values(
            &values(&x),
            &values(&dy),
            &values(&gamma),
            (&mean, &rstd),
            &ab,
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

/// Inference norm with given statistics, parents `(x, γ, β, μ̂, σ̂²)`; forward only.
struct Infer {
    eps: f64,
    silu: bool,
}

impl Forward<5> for Infer {
    fn forward(&mut self, [x, g, b, m, v]: [FlexTensor; 5]) -> FlexTensor {
        let d = Dims::of(x.layout().shape());
        let r = rstd(&values(&v), self.eps);
        let ab = affine(&values(&m), &r, &values(&g), &values(&b));
        tensor(
            apply(&values(&x), &ab, d, self.silu),
            x.layout().shape().clone(),
        )
    }
}

/// `BatchNorm(x)` in training mode with γ and β, followed by SiLU when `silu`, in one fused
/// op (module docs): the output and the batch's per-channel mean and biased variance. `None`
/// where the fast path does not apply.
///
/// # Shapes
/// `x: [B, C, H, W]`, `gamma, beta: [C]` → `[B, C, H, W]`, `[C]`, `[C]`.
pub fn batch_norm_train_fast(
    x: &Tensor<4>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    eps: f64,
    silu: bool,
) -> Option<(Tensor<4>, Vec<f32>, Vec<f32>)> {
    let mut op = Train {
        eps,
        silu,
        stats: None,
    };
    let y = differentiable(&mut op, [x.into(), gamma.into(), beta.into()])?;
    let (mean, var) = op.stats?;
    Some((y, mean, var))
}

/// [`batch_norm_train_fast`] and the inference norm for burn's `BatchNorm` module.
pub trait BatchNormFast {
    /// The module's forward, fused where possible.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, H, W]`.
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4>;

    /// `silu(self.forward(x))` as one op where possible.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, H, W]`.
    fn forward_silu_fast(&self, x: Tensor<4>) -> Tensor<4>;
}

/// The running estimate `(1 − m)·old + m·batch`, as burn's `BatchNorm` folds it in.
fn fold(old: Tensor<1>, batch: Vec<f32>, momentum: f64, device: &Device) -> Tensor<1> {
    let c = batch.len();
    let batch = Tensor::<1>::from_data(TensorData::new(batch, [c]), device); // [C]
    old.to_device(device)
        .mul_scalar(1.0 - momentum)
        .add(batch.mul_scalar(momentum))
        .detach()
}

fn fused(bn: &BatchNorm, x: &Tensor<4>, silu: bool) -> Option<Tensor<4>> {
    let device = x.device();
    let (gamma, beta) = (bn.gamma.val(), bn.beta.val());
    // The same choice as `BatchNorm::forward`: batch statistics on a training device with
    // the layer's training flag on, the running estimates otherwise.
    if device.is_autodiff() && bn.training.is_enabled() {
        let (y, mean, var) = batch_norm_train_fast(x, &gamma, &beta, bn.epsilon, silu)?;
        let running_mean = fold(bn.running_mean.value_sync(), mean, bn.momentum, &device);
        let running_var = fold(bn.running_var.value_sync(), var, bn.momentum, &device);
        bn.running_mean.update(running_mean);
        bn.running_var.update(running_var);
        // Merge the updates at once: burn's `RunningState` keeps them per thread until the next
        // read, and a module visit (checkpoints, EMA) does not read through that, so a
        // checkpoint would hold the statistics of one step before and resume would drift.
        let _ = bn.running_mean.value_sync();
        let _ = bn.running_var.value_sync();
        Some(y)
    } else {
        let (mean, var) = (bn.running_mean.value(), bn.running_var.value());
        let mut op = Infer {
            eps: bn.epsilon,
            silu,
        };
        let inputs = [
            x.into(),
            (&gamma).into(),
            (&beta).into(),
            (&mean).into(),
            (&var).into(),
        ];
        forward_only(&mut op, inputs)
    }
}

// burn's own forward is the fall-back where the kernel does not apply (clippy.toml).
#[allow(clippy::disallowed_methods)]
impl BatchNormFast for BatchNorm {
    fn forward_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, false).unwrap_or_else(|| self.forward(x))
    }

    fn forward_silu_fast(&self, x: Tensor<4>) -> Tensor<4> {
        fused(self, &x, true).unwrap_or_else(|| burn::tensor::activation::silu(self.forward(x)))
    }
}
