//! Radial flow (Rezende & Mohamed 2015, eq. 14 and appendix A.2):
//! ```text
//! f(z) = z + β h(α, r) (z − z₀),   r = ‖z − z₀‖,   h = 1/(α + r)
//! log|det ∂f/∂z| = (D − 1) log(1 + βh) + log(1 + βh + βh′r) = (D − 1) log(1 + βh) + log(1 + αβh²)
//! α = softplus(α̂) > 0,   β = −α + softplus(β̂) > −α
//! ```
//! `β > −α` keeps `1 + βh > 0` for every r, so f is invertible. Inverse in closed form: f moves
//! points along rays from z₀ and the output radius `r_y = r(1 + β/(α + r))` gives the quadratic
//! `r² + (α + β − r_y) r − α r_y = 0`, whose non-negative root is
//! `r = (−p + √(p² + 4α r_y))/2 = 2α r_y / (p + √(p² + 4α r_y))` with `p = α + β − r_y` (the second
//! form, used when p ≥ 0, avoids cancellation); then `z = z₀ + (y − z₀)/(1 + β/(α + r))`.
//!
//! # Shapes
//! `[B, D]` ↔ `[B, D]`; parameters `z0: [D]`, `alpha`, `beta: [1]` (unconstrained).

use burn::module::Param;
use burn::nn::Initializer;
use burn::prelude::*;

use super::Bijection;
use crate::likelihood::softplus;

/// Standard deviation of the initial centre z₀ and of the unconstrained α̂, β̂.
const INIT_STD: f64 = 0.1;

/// One radial layer.
#[derive(Module, Debug)]
pub struct Radial {
    /// Centre z₀ `[D]`.
    pub z0: Param<Tensor<1>>,
    /// Unconstrained α̂ `[1]`; α = softplus(α̂).
    pub alpha: Param<Tensor<1>>,
    /// Unconstrained β̂ `[1]`; β = −α + softplus(β̂).
    pub beta: Param<Tensor<1>>,
}

impl Radial {
    /// A layer on `dim`-dimensional rows with small random parameters.
    pub fn new(dim: usize, device: &Device) -> Self {
        let normal = Initializer::Normal {
            mean: 0.0,
            std: INIT_STD,
        };
        Radial {
            z0: normal.init([dim], device),
            alpha: normal.init([1], device),
            beta: normal.init([1], device),
        }
    }

    /// The constrained `(α, β)`, each `[1, 1]`.
    pub fn constrained(&self) -> (Tensor<2>, Tensor<2>) {
        let alpha = softplus(self.alpha.val()).unsqueeze_dim::<2>(0); // [1, 1]
        let beta = softplus(self.beta.val()).unsqueeze_dim::<2>(0) - alpha.clone();
        (alpha, beta)
    }

    /// `log|det ∂f/∂z|` at input radius `r: [B, 1]` → `[B]`.
    fn log_det(&self, r: Tensor<2>, alpha: Tensor<2>, beta: Tensor<2>) -> Tensor<1> {
        let [dim] = self.z0.val().dims();
        let h = (alpha.clone() + r).recip(); // [B, 1]
        let radial = (beta.clone() * h.clone()).add_scalar(1.0).log(); // [B, 1]
        let along = (alpha * beta * h.square()).add_scalar(1.0).log(); // [B, 1]
        (radial.mul_scalar((dim - 1) as f64) + along).squeeze_dim(1)
    }
}

/// Euclidean norm of each row, `[B, D]` → `[B, 1]`.
fn row_norm(x: Tensor<2>) -> Tensor<2> {
    x.square().sum_dim(1).sqrt()
}

impl Bijection for Radial {
    fn forward(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (alpha, beta) = self.constrained();
        let diff = z.clone() - self.z0.val().unsqueeze_dim::<2>(0); // [B, D]
        let r = row_norm(diff.clone()); // [B, 1]
        let h = (alpha.clone() + r.clone()).recip();
        let y = z + diff * (beta.clone() * h);
        (y, self.log_det(r, alpha, beta))
    }

    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (alpha, beta) = self.constrained();
        let z0 = self.z0.val().unsqueeze_dim::<2>(0); // [1, D]
        let diff = y - z0.clone(); // [B, D]
        let r_y = row_norm(diff.clone()); // [B, 1]
        let p = (alpha.clone() + beta.clone()) - r_y.clone(); // [B, 1]
        let root = (p.clone().square() + alpha.clone().mul_scalar(4.0) * r_y.clone()).sqrt();
        let stable = (alpha.clone().mul_scalar(2.0) * r_y) / (p.clone() + root.clone());
        let direct = (root - p.clone()).mul_scalar(0.5);
        let r = direct.mask_where(p.greater_equal_elem(0.0), stable); // [B, 1]
        let gain = (beta.clone() / (alpha.clone() + r.clone())).add_scalar(1.0); // [B, 1]
        let z = z0 + diff / gain;
        (z, self.log_det(r, alpha, beta).neg())
    }
}
