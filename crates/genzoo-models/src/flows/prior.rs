//! Base densities of the flows, factorised over dimensions.
//! ```text
//! Gaussian:  log p(z) = −½ Σ_d (z_d² + log 2π)
//! logistic:  log p(z) = −Σ_d [softplus(z_d) + softplus(−z_d)]      (NICE, Dinh et al. 2014 §3.4)
//!            sampled as z = log u − log(1 − u), u ~ U(0, 1)
//! ```
//! The logistic prior's heavier tails give better-behaved gradients far from the mode, which is
//! why NICE chose it for images.
//!
//! # Shapes
//! `z: [B, D]` → `[B]`.

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_nn::noise::standard_normal;
use rand::Rng;
use rand::distr::Open01;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::likelihood::{softplus, standard_normal_log_prob};

/// A factorised base density.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prior {
    /// Standard normal.
    #[default]
    Gaussian,
    /// Standard logistic.
    Logistic,
}

impl Prior {
    /// Log-density per row.
    ///
    /// # Shapes
    /// `z: [B, D]` → `[B]`.
    pub fn log_prob(&self, z: Tensor<2>) -> Tensor<1> {
        match self {
            Prior::Gaussian => standard_normal_log_prob(z),
            Prior::Logistic => (softplus(z.clone()) + softplus(z.neg()))
                .sum_dim(1)
                .squeeze_dim::<1>(1)
                .neg(),
        }
    }

    /// Standard deviation of one coordinate: 1, or π/√3 for the standard logistic.
    pub fn std(&self) -> f64 {
        match self {
            Prior::Gaussian => 1.0,
            Prior::Logistic => std::f64::consts::PI / 3f64.sqrt(),
        }
    }

    /// `n` draws of dimension `dim`, `[n, dim]`.
    pub fn sample(&self, n: usize, dim: usize, rng: &mut ChaCha8Rng, device: &Device) -> Tensor<2> {
        match self {
            Prior::Gaussian => standard_normal([n, dim], rng, device),
            Prior::Logistic => {
                let values: Vec<f32> = (0..n * dim)
                    .map(|_| {
                        let u: f64 = rng.sample(Open01);
                        (u.ln() - (-u).ln_1p()) as f32
                    })
                    .collect();
                Tensor::from_data(TensorData::new(values, [n, dim]), device)
            }
        }
    }
}
