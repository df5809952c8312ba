//! The logit pre-processing of RealNVP (Dinh et al. 2017, §4.1): data in (0, 1) is squeezed
//! away from the edges and mapped to ℝ, where affine couplings and a Gaussian prior fit better.
//! ```text
//! p = α + (1 − 2α) x,   y = logit(p) = log p − log(1 − p)
//! log|det ∂y/∂x| = Σ_d [log(1 − 2α) − log p_d − log(1 − p_d)]
//! inverse: x = (σ(y) − α)/(1 − 2α)
//! ```
//! The log-det keeps the density on x ∈ [0, 1]^D, so bits/dim of dequantised 8-bit data stay
//! `(NLL/D + ln 256)/ln 2`. No parameters: α comes from the config.
//!
//! # Shapes
//! `[B, D]` ↔ `[B, D]`.

use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, sigmoid};

use super::Bijection;

/// A fixed logit map with squeeze α ∈ (0, ½).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Logit {
    /// The squeeze α.
    pub alpha: f64,
}

impl Logit {
    /// `Σ_d log(1−2α) − log p − log(1 − p)` from `y = logit(p)`, using
    /// `log p = log σ(y)` and `log(1 − p) = log σ(−y)`, stable for large |y|.
    fn log_det(&self, y: Tensor<2>) -> Tensor<1> {
        let [_, dim] = y.dims();
        let lp = log_sigmoid(y.clone()) + log_sigmoid(y.neg()); // [B, D]
        lp.neg()
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .add_scalar(dim as f64 * (1.0 - 2.0 * self.alpha).ln())
    }
}

impl Bijection for Logit {
    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let p = x.mul_scalar(1.0 - 2.0 * self.alpha).add_scalar(self.alpha);
        let y = p.clone().log() - p.neg().add_scalar(1.0).log();
        (y.clone(), self.log_det(y))
    }

    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let x = sigmoid(y.clone())
            .sub_scalar(self.alpha)
            .div_scalar(1.0 - 2.0 * self.alpha);
        (x, self.log_det(y).neg())
    }
}
