//! NICE's diagonal scaling layer (Dinh et al. 2014, §3.3): the top layer multiplies output i by
//! `S_ii = exp(s_i)`, the only non-volume-preserving part of a NICE model.
//! ```text
//! y = x ⊙ exp(s),   log|det ∂y/∂x| = Σ_i s_i   (the same for every row)
//! ```
//! Parametrising by the log-scale s keeps S_ii > 0 without constraints; s starts at 0, or is
//! fitted to the first batch ([`Scaling::fitted_to`]).
//!
//! Why fit it: Adam moves each s_i by about one learning rate per step, and on dequantised MNIST
//! a background pixel (spread 1/256) wants s_i ≈ ln(256 · 1.8) ≈ 6, so from s = 0 the scale alone
//! needs thousands of steps before the couplings' work shows in the likelihood.
//!
//! # Shapes
//! `[B, D]` ↔ `[B, D]`; parameter `s: [D]`.

use burn::module::Param;
use burn::nn::Initializer;
use burn::prelude::*;

use super::Bijection;

/// A learned per-dimension scale.
#[derive(Module, Debug)]
pub struct Scaling {
    /// Log-scales s `[D]`.
    pub s: Param<Tensor<1>>,
}

impl Scaling {
    /// The identity scaling of `dim`-dimensional rows.
    pub fn new(dim: usize, device: &Device) -> Self {
        Scaling {
            s: Initializer::Zeros.init([dim], device),
        }
    }

    /// `Σ s` repeated for `rows` rows, `[rows]`.
    fn log_det(&self, rows: usize) -> Tensor<1> {
        self.s.val().sum().expand([rows])
    }
}

/// Smallest per-dimension standard deviation [`Scaling::fitted_to`] divides by, so that a
/// constant dimension gets a large finite scale instead of an infinite one (dequantised 8-bit
/// data never goes below 1/(256·√12) ≈ 1.1e-3).
const MIN_STD: f64 = 1e-6;

impl Scaling {
    /// This layer with `s` set so that every dimension of `h` leaves it with standard deviation
    /// `target` over the rows: `s_d = ln target − ln std_d(h)` (the data-dependent
    /// initialisation of Glow's ActNorm, Kingma & Dhariwal 2018, applied to NICE's scale).
    /// The parameter keeps its identity and its gradient setting.
    ///
    /// # Shapes
    /// `h: [B, D]` with B ≥ 2.
    pub fn fitted_to(self, h: Tensor<2>, target: f64) -> Self {
        let var = h.detach().var_bias(0).clamp_min(MIN_STD * MIN_STD); // [1, D]
        let s = var.log().mul_scalar(-0.5).add_scalar(target.ln()); // [1, D]
        let s = s.squeeze_dim::<1>(0); // [D]
        Scaling {
            s: self.s.map(|old| {
                let s = s.to_device(&old.device());
                if old.is_require_grad() {
                    s.require_grad()
                } else {
                    s
                }
            }),
        }
    }
}

impl Bijection for Scaling {
    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [rows, _] = x.dims();
        let scale = self.s.val().exp().unsqueeze_dim::<2>(0); // [1, D]
        (x * scale, self.log_det(rows))
    }

    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [rows, _] = y.dims();
        let scale = self.s.val().neg().exp().unsqueeze_dim::<2>(0); // [1, D]
        (y * scale, self.log_det(rows).neg())
    }
}
