//! The four unnormalised 2D targets `p(z) ∝ exp(−U(z))` of Rezende & Mohamed (2015), Table 1:
//! ```text
//! w₁(z) = sin(2π z₁/4),   w₂(z) = 3 exp(−½((z₁ − 1)/0.6)²),   w₃(z) = 3 σ((z₁ − 1)/0.3)
//! U₁(z) = ½((‖z‖ − 2)/0.4)² − ln(exp(−½((z₁ − 2)/0.6)²) + exp(−½((z₁ + 2)/0.6)²))
//! U₂(z) = ½((z₂ − w₁)/0.4)²
//! U₃(z) = −ln(exp(−½((z₂ − w₁)/0.35)²) + exp(−½((z₂ − w₁ + w₂)/0.35)²))
//! U₄(z) = −ln(exp(−½((z₂ − w₁)/0.4)²) + exp(−½((z₂ − w₁ + w₃)/0.35)²))
//! ```
//! U₁ is normalisable. U₂–U₄ depend on z₁ only through bounded functions, so ∫ exp(−U) dz₁
//! diverges: as printed they are not densities, and a reverse-KL fit could lower its loss for
//! ever by spreading along z₁. We confine them to the paper's plotting window |z₁| ≤ 4 with a
//! quadratic wall, `U_k + ½(max(|z₁| − 4, 0)/0.25)²`, which leaves the targets unchanged inside
//! the window and gives them a finite normaliser Z. [`Energy::log_normaliser`] computes log Z by
//! midpoint quadrature, so a fit can report KL(q‖p) = E_q[log q + U] + log Z, not only the bound.
//!
//! # Shapes
//! `z: [B, 2]` → `[B]`.

use std::f64::consts::PI;
use std::sync::OnceLock;

use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use serde::{Deserialize, Serialize};

/// Half-width of the window the paper plots, where U₂–U₄ are confined.
pub const WINDOW: f64 = 4.0;
/// Length over which the wall outside the window raises U by ½ (a Gaussian fall-off).
pub const WALL_WIDTH: f64 = 0.25;
/// Quadrature domain for log Z: `[−Z1, Z1] × [−Z2, Z2]`, beyond which exp(−U) < e⁻³⁰ for all
/// four targets (U₁'s ring ends near radius 4; the others lie in z₂ ∈ [−5.5, 2.6]).
const QUADRATURE_Z1: f64 = 6.0;
const QUADRATURE_Z2: f64 = 8.0;
/// Cell side of the quadrature grid: the midpoint rule's relative error ~ h²/(24σ²) ≈ 3·10⁻⁵
/// for the narrowest component (σ = 0.35).
const QUADRATURE_CELL: f64 = 0.01;

/// One of the four targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Energy {
    /// A ring with two modes.
    U1,
    /// A sine band.
    U2,
    /// A sine band that splits around z₁ = 1.
    U3,
    /// A sine band that splits for z₁ > 1.
    U4,
}

/// `−ln(eᵃ + eᵇ)`, stable.
fn neg_log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    -(m + ((a - m).exp() + (b - m).exp()).ln())
}

fn w1(z1: f64) -> f64 {
    (2.0 * PI * z1 / 4.0).sin()
}

fn w2(z1: f64) -> f64 {
    3.0 * (-0.5 * ((z1 - 1.0) / 0.6).powi(2)).exp()
}

fn w3(z1: f64) -> f64 {
    3.0 / (1.0 + (-(z1 - 1.0) / 0.3).exp())
}

/// `−½(v/σ)²`.
fn gauss(v: f64, sigma: f64) -> f64 {
    -0.5 * (v / sigma).powi(2)
}

impl Energy {
    /// Every target, in order.
    pub const ALL: [Energy; 4] = [Energy::U1, Energy::U2, Energy::U3, Energy::U4];

    /// Whether the printed energy needs the wall to be normalisable (U₂–U₄).
    pub fn walled(&self) -> bool {
        *self != Energy::U1
    }

    /// The paper's `U(z)`, without the wall.
    pub fn paper(&self, z1: f64, z2: f64) -> f64 {
        match self {
            Energy::U1 => {
                let r = (z1 * z1 + z2 * z2).sqrt();
                0.5 * ((r - 2.0) / 0.4).powi(2)
                    + neg_log_add_exp(gauss(z1 - 2.0, 0.6), gauss(z1 + 2.0, 0.6))
            }
            Energy::U2 => 0.5 * ((z2 - w1(z1)) / 0.4).powi(2),
            Energy::U3 => {
                neg_log_add_exp(gauss(z2 - w1(z1), 0.35), gauss(z2 - w1(z1) + w2(z1), 0.35))
            }
            Energy::U4 => {
                neg_log_add_exp(gauss(z2 - w1(z1), 0.4), gauss(z2 - w1(z1) + w3(z1), 0.35))
            }
        }
    }

    /// The fitted energy: the paper's U plus the wall where [`Energy::walled`].
    pub fn value(&self, z1: f64, z2: f64) -> f64 {
        let wall = if self.walled() {
            0.5 * ((z1.abs() - WINDOW).max(0.0) / WALL_WIDTH).powi(2)
        } else {
            0.0
        };
        self.paper(z1, z2) + wall
    }

    /// `log Z = log ∫ exp(−U)` of the fitted energy, by the midpoint rule (cached).
    pub fn log_normaliser(&self) -> f64 {
        static CACHE: [OnceLock<f64>; 4] = [const { OnceLock::new() }; 4];
        let slot = Energy::ALL.iter().position(|e| e == self).unwrap_or(0);
        *CACHE[slot].get_or_init(|| self.log_normaliser_with(QUADRATURE_CELL))
    }

    /// [`Energy::log_normaliser`] on a grid of cell side `cell`.
    pub fn log_normaliser_with(&self, cell: f64) -> f64 {
        let n1 = (2.0 * QUADRATURE_Z1 / cell).round() as usize;
        let n2 = (2.0 * QUADRATURE_Z2 / cell).round() as usize;
        let h1 = 2.0 * QUADRATURE_Z1 / n1 as f64;
        let h2 = 2.0 * QUADRATURE_Z2 / n2 as f64;
        let sum: f64 = (0..n1)
            .map(|i| {
                let z1 = -QUADRATURE_Z1 + (i as f64 + 0.5) * h1;
                (0..n2)
                    .map(|j| (-self.value(z1, -QUADRATURE_Z2 + (j as f64 + 0.5) * h2)).exp())
                    .sum::<f64>()
            })
            .sum();
        (sum * h1 * h2).ln()
    }

    /// The normalised log-density `−U(z) − log Z`.
    pub fn log_density(&self, z1: f64, z2: f64) -> f64 {
        -self.value(z1, z2) - self.log_normaliser()
    }

    /// The fitted energy of each row, differentiable.
    ///
    /// # Shapes
    /// `z: [B, 2]` → `[B]`.
    pub fn energy(&self, z: Tensor<2>) -> Tensor<1> {
        let z1 = z.clone().narrow(1, 0, 1); // [B, 1]
        let z2 = z.narrow(1, 1, 1); // [B, 1]
        let gauss = |v: Tensor<2>, sigma: f64| v.div_scalar(sigma).square().mul_scalar(-0.5);
        let neg_lae = |a: Tensor<2>, b: Tensor<2>| {
            let m = a.clone().max_pair(b.clone()).detach();
            ((a - m.clone()).exp() + (b - m.clone()).exp())
                .log()
                .add(m)
                .neg()
        };
        let w1 = z1.clone().mul_scalar(2.0 * PI / 4.0).sin();
        let u = match self {
            Energy::U1 => {
                let r = (z1.clone().square() + z2.square()).sqrt();
                r.sub_scalar(2.0).div_scalar(0.4).square().mul_scalar(0.5)
                    + neg_lae(
                        gauss(z1.clone().sub_scalar(2.0), 0.6),
                        gauss(z1.clone().add_scalar(2.0), 0.6),
                    )
            }
            Energy::U2 => (z2 - w1).div_scalar(0.4).square().mul_scalar(0.5),
            Energy::U3 => {
                let w2 = gauss(z1.clone().sub_scalar(1.0), 0.6).exp().mul_scalar(3.0);
                let d = z2 - w1;
                neg_lae(gauss(d.clone(), 0.35), gauss(d + w2, 0.35))
            }
            Energy::U4 => {
                let w3 = sigmoid(z1.clone().sub_scalar(1.0).div_scalar(0.3)).mul_scalar(3.0);
                let d = z2 - w1;
                neg_lae(gauss(d.clone(), 0.4), gauss(d + w3, 0.35))
            }
        };
        let u = if self.walled() {
            let out = z1
                .abs()
                .sub_scalar(WINDOW)
                .clamp_min(0.0)
                .div_scalar(WALL_WIDTH);
            u + out.square().mul_scalar(0.5)
        } else {
            u
        };
        u.squeeze_dim(1)
    }
}
