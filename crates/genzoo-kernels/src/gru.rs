//! The GRU recurrence (Cho et al. 2014, in PyTorch's gate layout `r | z | n`) as one op with a
//! hand-written backward through time.
//! ```text
//! gh_t = h_{t−1} W_hhᵀ + b_hh                                   h_{−1} = 0
//! r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r ⊙ gh_n)
//! h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//! ```
//! `gx = x W_ihᵀ + b_ih` is the caller's: one matrix product over every step at once (burn's
//! `Linear`), so only the part that must run step by step is here. Backward, with `g` the
//! gradient reaching h_t (from the output at t and from step t + 1):
//! ```text
//! dn = g(1 − z)   dz = g(h_{t−1} − n)   da_n = dn(1 − n²)   da_r = da_n·gh_n·r(1 − r)   da_z = dz·z(1 − z)
//! ∂gx_t = [da_r, da_z, da_n]            ∂gh_t = [da_r, da_z, da_n ⊙ r]
//! ∂h_{t−1} = g ⊙ z + ∂gh_t W_hh         ∂W_hh = Σ_t ∂gh_tᵀ h_{t−1}   ∂b_hh = Σ_t ∂gh_t
//! ```
//! ∂W_hh is one product over all steps at the end, not T small ones.
//!
//! Why a kernel: burn's autodiff records about fifteen nodes per step (three narrows, two
//! sigmoids, a tanh, the products and sums), each its own pass and allocation, so a GRU over
//! T steps is ~15·T small ops forward and again backward; CPC's sequence setting spends most of
//! its step there. Here a step is one matrix product (gemm, through flex) and one fused pass over
//! the gates, forward and backward. The fast path needs f32 tensors on the flex backend (with or
//! without autodiff); anything else runs [`gru_reference`], the same equations in burn's ops,
//! which the tests compare it with in value and gradient.
//!
//! # Shapes
//! `gx: [B, T, 3H]`, `w_hh: [3H, H]`, `b_hh: [3H]` → `h: [B, T, H]`.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, tanh};

use crate::dispatch::{FlexOp, Forward, differentiable};
use crate::fastmath;
use crate::host::{flex_tensor, flex_values};

/// tanh from the vectorising sigmoid: tanh(x) = 2σ(2x) − 1.
#[inline(always)]
fn tanh_fast(x: f32) -> f32 {
    2.0 * fastmath::sigmoid(2.0 * x) - 1.0
}

/// `a [m, k] · b` where `b` is a `[k, n]` flex tensor (a view is fine): `[m, n]` on the host.
fn matmul(a: Vec<f32>, m: usize, k: usize, b: &FlexTensor) -> Vec<f32> {
    let y = Flex::float_matmul(flex_tensor(a, [m, k]), b.clone());
    flex_values(&y).into_owned()
}

/// What the backward needs: the outputs (h_{t−1} of the next step) and the gates.
#[derive(Clone, Debug)]
struct State {
    dims: [usize; 3],
    /// `[B, T, H]`.
    y: Vec<f32>,
    /// r, z, n and gh_n, each `[T, B, H]`.
    r: Vec<f32>,
    z: Vec<f32>,
    n: Vec<f32>,
    ghn: Vec<f32>,
    /// `[3H, H]`.
    w_hh: FlexTensor,
}

/// The forward over all steps; the gates too when `keep`.
fn run(gx: &FlexTensor, w_hh: &FlexTensor, b_hh: &FlexTensor, keep: bool) -> State {
    let shape = gx.layout().shape();
    let [b, t, h3] = [shape[0], shape[1], shape[2]];
    let h = h3 / 3;
    let gx = flex_values(gx);
    let bias = flex_values(b_hh);
    let wt = Flex::float_swap_dims(w_hh.clone(), 0, 1); // [H, 3H], a view
    let gates = if keep { t * b * h } else { 0 };
    let mut st = State {
        dims: [b, t, h],
        y: vec![0f32; b * t * h],
        r: vec![0f32; gates],
        z: vec![0f32; gates],
        n: vec![0f32; gates],
        ghn: vec![0f32; gates],
        w_hh: w_hh.clone(),
    };
    let mut hcur = vec![0f32; b * h];
    for s in 0..t {
        // h_{−1} = 0: the first step's gh is the bias alone.
        let gh = if s == 0 {
            bias.repeat(b)
        } else {
            let mut gh = matmul(hcur.clone(), b, h, &wt);
            for row in gh.chunks_exact_mut(h3) {
                row.iter_mut().zip(bias.iter()).for_each(|(v, c)| *v += c);
            }
            gh
        };
        for bi in 0..b {
            let x = &gx[(bi * t + s) * h3..][..h3];
            let g = &gh[bi * h3..][..h3];
            let hrow = &mut hcur[bi * h..][..h];
            let at = (s * b + bi) * h;
            for j in 0..h {
                let r = fastmath::sigmoid(x[j] + g[j]);
                let z = fastmath::sigmoid(x[h + j] + g[h + j]);
                let n = tanh_fast(x[2 * h + j] + r * g[2 * h + j]);
                hrow[j] = n + z * (hrow[j] - n);
                if keep {
                    st.r[at + j] = r;
                    st.z[at + j] = z;
                    st.n[at + j] = n;
                    st.ghn[at + j] = g[2 * h + j];
                }
            }
            st.y[(bi * t + s) * h..][..h].copy_from_slice(hrow);
        }
    }
    st
}

/// ∂gx `[B, T, 3H]`, ∂W_hh `[3H, H]` and ∂b_hh `[3H]` from ∂h `[B, T, H]`.
fn backprop(st: &State, dy: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let [b, t, h] = st.dims;
    let h3 = 3 * h;
    let mut dgx = vec![0f32; b * t * h3];
    // ∂gh of every step, [T, B, 3H], and h_{t−1} beside it, [T, B, H], for one ∂W_hh product.
    let mut dgh = vec![0f32; t * b * h3];
    let mut hprev = vec![0f32; t * b * h];
    let mut carry = vec![0f32; b * h]; // the gradient reaching h_t from step t + 1
    for s in (0..t).rev() {
        let mut next = vec![0f32; b * h];
        for bi in 0..b {
            let at = (s * b + bi) * h;
            let yrow = (bi * t + s) * h;
            for j in 0..h {
                let g = carry[bi * h + j] + dy[yrow + j];
                let (r, z, n, ghn) = (st.r[at + j], st.z[at + j], st.n[at + j], st.ghn[at + j]);
                let hp = if s == 0 { 0.0 } else { st.y[yrow - h + j] };
                hprev[at + j] = hp;
                let dn = g * (1.0 - z);
                let dz = g * (hp - n);
                let dan = dn * (1.0 - n * n);
                let dar = dan * ghn * r * (1.0 - r);
                let daz = dz * z * (1.0 - z);
                let x = (bi * t + s) * h3;
                dgx[x + j] = dar;
                dgx[x + h + j] = daz;
                dgx[x + 2 * h + j] = dan;
                let o = (s * b + bi) * h3;
                dgh[o + j] = dar;
                dgh[o + h + j] = daz;
                dgh[o + 2 * h + j] = dan * r;
                next[bi * h + j] = g * z;
            }
        }
        if s > 0 {
            let step = dgh[s * b * h3..][..b * h3].to_vec();
            let through = matmul(step, b, h3, &st.w_hh); // [B, H]
            next.iter_mut().zip(through).for_each(|(v, d)| *v += d);
        }
        carry = next;
    }
    let mut db = vec![0f32; h3];
    for row in dgh.chunks_exact(h3) {
        db.iter_mut().zip(row).for_each(|(v, d)| *v += d);
    }
    let dght = Flex::float_swap_dims(flex_tensor(dgh, [t * b, h3]), 0, 1); // [3H, T·B]
    let dw = Flex::float_matmul(dght, flex_tensor(hprev, [t * b, h]));
    (dgx, flex_values(&dw).into_owned(), db)
}

/// The recurrence as a [`FlexOp`] over `gx`, `W_hh` and `b_hh`.
struct Recurrence;

impl Forward<3> for Recurrence {
    fn forward(&mut self, [gx, w, b]: [FlexTensor; 3]) -> FlexTensor {
        let st = run(&gx, &w, &b, false);
        flex_tensor(st.y, st.dims)
    }
}

impl FlexOp<3> for Recurrence {
    type State = State;

    fn forward_keep(&mut self, [gx, w, b]: [FlexTensor; 3]) -> (FlexTensor, State) {
        let st = run(&gx, &w, &b, true);
        (flex_tensor(st.y.clone(), st.dims), st)
    }

    fn backward(st: State, dy: FlexTensor, need: [bool; 3]) -> [Option<FlexTensor>; 3] {
        let [b, t, h] = st.dims;
        let (dgx, dw, db) = backprop(&st, &flex_values(&dy));
        [
            need[0].then(|| flex_tensor(dgx, [b, t, 3 * h])),
            need[1].then(|| flex_tensor(dw, [3 * h, h])),
            need[2].then(|| flex_tensor(db, [3 * h])),
        ]
    }
}

/// The GRU over every step, fused where possible (module docs).
///
/// # Shapes
/// `gx: [B, T, 3H]`, `w_hh: [3H, H]`, `b_hh: [3H]` → `[B, T, H]`.
///
/// # Panics
/// When the shapes disagree (a layer's own tensors, never user input).
pub fn gru_fast(gx: Tensor<3>, w_hh: Tensor<2>, b_hh: Tensor<1>) -> Tensor<3> {
    let [_, _, h3] = gx.dims();
    let [wr, wc] = w_hh.dims();
    assert!(
        h3 % 3 == 0 && gx.dims()[1] > 0 && wr == h3 && wc * 3 == h3 && b_hh.dims() == [h3],
        "GRU shapes: gx {:?}, w_hh {:?}, b_hh {:?}",
        gx.dims(),
        w_hh.dims(),
        b_hh.dims()
    );
    differentiable(
        &mut Recurrence,
        [(&gx).into(), (&w_hh).into(), (&b_hh).into()],
    )
    .unwrap_or_else(|| gru_reference(gx, w_hh, b_hh))
}

/// The same recurrence in burn's ops, step by step (the fall-back on other backends, and the
/// tests' reference).
///
/// # Shapes
/// As [`gru_fast`].
pub fn gru_reference(gx: Tensor<3>, w_hh: Tensor<2>, b_hh: Tensor<1>) -> Tensor<3> {
    let [b, t, h3] = gx.dims();
    let h = h3 / 3;
    let device = gx.device();
    let wt = w_hh.transpose(); // [H, 3H]
    let bias = b_hh.unsqueeze::<2>(); // [1, 3H]
    let mut hcur = Tensor::<2>::zeros([b, h], &device);
    let mut outs = Vec::with_capacity(t);
    for s in 0..t {
        let x = gx.clone().narrow(1, s, 1).reshape([b, h3]);
        let g = hcur.clone().matmul(wt.clone()) + bias.clone();
        let r = sigmoid(x.clone().narrow(1, 0, h) + g.clone().narrow(1, 0, h));
        let z = sigmoid(x.clone().narrow(1, h, h) + g.clone().narrow(1, h, h));
        let n = tanh(x.narrow(1, 2 * h, h) + r * g.narrow(1, 2 * h, h));
        hcur = n.clone() + z * (hcur - n);
        outs.push(hcur.clone().unsqueeze_dim::<3>(1));
    }
    Tensor::cat(outs, 1)
}
