//! NICE's diagonal scaling layer (Dinh et al. 2014, §3.3): the top layer multiplies output i by
//! `S_ii = exp(s_i)`, the only non-volume-preserving part of a NICE model.
//! ```text
//! y = x ⊙ exp(s),   log|det ∂y/∂x| = Σ_i s_i   (the same for every row)
//! ```
//! Parametrising by the log-scale s keeps S_ii > 0 without constraints; s starts at 0.
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
