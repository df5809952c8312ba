//! The forward process and what the network is trained to predict.
//!
//! Forward marginal (Ho et al. 2020, eq. 4): `x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε`, `ε ~ N(0, I)`.
//!
//! Prediction targets, and how each gives back (ε̂, x̂_0) from `x_t`:
//! - ε (Ho et al.): `x̂_0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ`;
//! - x_0: `ε̂ = (x_t − √ᾱ x̂_0)/√(1−ᾱ)`;
//! - v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022, "Progressive distillation", §4):
//!   `x̂_0 = √ᾱ x_t − √(1−ᾱ) v̂`, `ε̂ = √(1−ᾱ) x_t + √ᾱ v̂`.
//!
//! # Shapes
//! Examples are flattened rows `[B, D]`; per-example coefficients are columns `[B, 1]`.

use burn::prelude::*;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};

/// What the denoiser outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prediction {
    /// The noise ε (Ho et al. 2020).
    #[default]
    Eps,
    /// The clean example x_0.
    X0,
    /// The velocity v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022).
    V,
}

/// `√ᾱ` and `√(1−ᾱ)` per example, as columns `[B, 1]`.
#[derive(Clone, Debug)]
pub struct Coefs {
    /// `√ᾱ_t`, `[B, 1]`.
    pub signal: Tensor<2>,
    /// `√(1−ᾱ_t)`, `[B, 1]`.
    pub noise: Tensor<2>,
}

impl Coefs {
    /// The coefficients of the ᾱ values given, one per example.
    pub fn new(alpha_bars: &[f64], device: &Device) -> Self {
        let column = |f: &dyn Fn(f64) -> f64| {
            let v: Vec<f32> = alpha_bars.iter().map(|&a| f(a) as f32).collect();
            Tensor::<2>::from_data(TensorData::new(v, [alpha_bars.len(), 1]), device) // [B, 1]
        };
        Coefs {
            signal: column(&|a| a.sqrt()),
            noise: column(&|a| (1.0 - a).sqrt()),
        }
    }
}

/// Draw from `q(x_t | x_0)` with the noise supplied.
///
/// # Shapes
/// `x0, eps: [B, D]` → `[B, D]`.
pub fn q_sample(x0: Tensor<2>, eps: Tensor<2>, c: &Coefs) -> Tensor<2> {
    x0 * c.signal.clone() + eps * c.noise.clone()
}

impl Prediction {
    /// The regression target for `x_t = q_sample(x0, eps)`.
    ///
    /// # Shapes
    /// `x0, eps: [B, D]` → `[B, D]`.
    pub fn target(self, x0: Tensor<2>, eps: Tensor<2>, c: &Coefs) -> Tensor<2> {
        match self {
            Prediction::Eps => eps,
            Prediction::X0 => x0,
            Prediction::V => eps * c.signal.clone() - x0 * c.noise.clone(),
        }
    }

    /// `(ε̂, x̂_0)` from the network's output `pred` at `x_t`, where every row has `ᾱ`.
    ///
    /// # Shapes
    /// `pred, x_t: [B, D]` → (`[B, D]`, `[B, D]`).
    pub fn eps_and_x0(
        self,
        pred: Tensor<2>,
        x_t: Tensor<2>,
        alpha_bar: f64,
    ) -> (Tensor<2>, Tensor<2>) {
        let (signal, noise) = (alpha_bar.sqrt(), (1.0 - alpha_bar).sqrt());
        match self {
            Prediction::Eps => {
                let x0 = (x_t - pred.clone().mul_scalar(noise)).div_scalar(signal);
                (pred, x0)
            }
            Prediction::X0 => {
                let eps = (x_t - pred.clone().mul_scalar(signal)).div_scalar(noise);
                (eps, pred)
            }
            Prediction::V => {
                let x0 = x_t.clone().mul_scalar(signal) - pred.clone().mul_scalar(noise);
                let eps = x_t.mul_scalar(noise) + pred.mul_scalar(signal);
                (eps, x0)
            }
        }
    }
}
