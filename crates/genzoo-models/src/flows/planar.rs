//! Planar flow (Rezende & Mohamed 2015, eq. 10–12 and appendix A.1):
//! ```text
//! f(z) = z + û h(wᵀz + b),   h = tanh,   log|det ∂f/∂z| = log|1 + ûᵀw h'(wᵀz + b)|
//! û = u + (m(wᵀu) − wᵀu) w/‖w‖²,   m(a) = −1 + softplus(a)
//! ```
//! The reparameterisation makes `wᵀû = m(wᵀu) > −1`, and since `0 < h' ≤ 1` the determinant
//! `1 + wᵀû h'` stays positive: f is invertible.
//!
//! Inverse: with `a = wᵀz + b`, `wᵀf(z) + b = a + wᵀû tanh(a) =: c` is strictly increasing in a,
//! and `|a − c| ≤ |wᵀû|`, so a is found by bisection on `[c − |wᵀû|, c + |wᵀû|]` and
//! `z = y − û tanh(a)`.
//!
//! # Shapes
//! `[B, D]` ↔ `[B, D]`; parameters `u, w: [D]`, `b: [1]`.

use burn::module::Param;
use burn::nn::Initializer;
use burn::prelude::*;

use super::Bijection;
use crate::likelihood::softplus;

/// Added to ‖w‖² so that `w = 0` (where û = u is already safe) does not divide by zero.
const NORM_EPS: f64 = 1e-12;
/// Bisection halvings: the bracket `2|wᵀû|` shrinks by 2⁻⁶⁰, far below f32 resolution.
const BISECTION_STEPS: usize = 60;
/// Standard deviation of the initial u and w: a flow that starts close to the identity.
const INIT_STD: f64 = 0.1;

/// One planar layer.
#[derive(Module, Debug)]
pub struct Planar {
    /// Unconstrained direction u `[D]` (û is derived from it).
    pub u: Param<Tensor<1>>,
    /// Normal w of the hyperplane `[D]`.
    pub w: Param<Tensor<1>>,
    /// Offset b `[1]`.
    pub b: Param<Tensor<1>>,
}

impl Planar {
    /// A layer on `dim`-dimensional rows: u, w ~ N(0, 0.1²), b = 0.
    pub fn new(dim: usize, device: &Device) -> Self {
        let normal = Initializer::Normal {
            mean: 0.0,
            std: INIT_STD,
        };
        Planar {
            u: normal.init([dim], device),
            w: normal.init([dim], device),
            b: Initializer::Zeros.init([1], device),
        }
    }

    /// The constrained û `[1, D]`, w `[D, 1]`, and `wᵀû` `[1, 1]`.
    pub fn constrained(&self) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let u = self.u.val().unsqueeze_dim::<2>(0); // [1, D]
        let w = self.w.val().unsqueeze_dim::<2>(1); // [D, 1]
        let wu = u.clone().matmul(w.clone()); // [1, 1]
        let norm2 = w
            .clone()
            .square()
            .sum()
            .reshape([1, 1])
            .add_scalar(NORM_EPS); // [1, 1]
        let m = softplus(wu.clone()).sub_scalar(1.0);
        let u_hat = u + ((m - wu) / norm2).matmul(w.clone().transpose()); // [1, D]
        let wu_hat = u_hat.clone().matmul(w.clone()); // [1, 1]
        (u_hat, w, wu_hat)
    }

    /// `a = wᵀz + b` per row, `[B, 1]`.
    fn pre_activation(&self, z: Tensor<2>, w: Tensor<2>) -> Tensor<2> {
        z.matmul(w) + self.b.val().unsqueeze_dim::<2>(0)
    }

    /// `log(1 + wᵀû (1 − tanh² a))` per row, `[B]`.
    fn log_det(tanh_a: Tensor<2>, wu_hat: Tensor<2>) -> Tensor<1> {
        let h_prime = tanh_a.square().neg().add_scalar(1.0); // [B, 1]
        (h_prime * wu_hat).add_scalar(1.0).log().squeeze_dim(1)
    }
}

impl Bijection for Planar {
    fn forward(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (u_hat, w, wu_hat) = self.constrained();
        let t = self.pre_activation(z.clone(), w).tanh(); // [B, 1]
        let y = z + t.clone().matmul(u_hat); // [B, D]
        (y, Self::log_det(t, wu_hat))
    }

    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (u_hat, w, wu_hat) = self.constrained();
        let c = self.pre_activation(y.clone(), w); // [B, 1]
        let [rows, _] = c.dims();
        let k = wu_hat.clone().expand([rows, 1]); // [B, 1]
        let mut lo = c.clone() - k.clone().abs();
        let mut hi = c.clone() + k.clone().abs();
        for _ in 0..BISECTION_STEPS {
            let mid = (lo.clone() + hi.clone()).mul_scalar(0.5);
            let below = (mid.clone() + k.clone() * mid.clone().tanh()).lower(c.clone());
            lo = lo.mask_where(below.clone(), mid.clone());
            hi = mid.mask_where(below, hi);
        }
        let t = (lo + hi).mul_scalar(0.5).tanh(); // [B, 1]
        let z = y - t.clone().matmul(u_hat);
        (z, Self::log_det(t, wu_hat).neg())
    }
}
