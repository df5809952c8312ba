//! Log-densities shared by the families, per example (summed over dimensions).
//!
//! - Bernoulli with logits ℓ: `log p(x) = Σ x·ℓ − softplus(ℓ)`, with
//!   `softplus(ℓ) = −log σ(−ℓ)` through burn's log-sigmoid, which is stable for large |ℓ| and
//!   has the exact derivative σ(ℓ) everywhere. (The textbook `max(ℓ, 0) + log1p(exp(−|ℓ|))`
//!   is stable too, but autodiff gives it derivative 0 at exactly ℓ = 0, where relu and |·| have
//!   kinks: a zero-initialised FVSBN then never moves the logits of pixels without context.)
//! - Diagonal Gaussian: `log N(x; μ, e^{s}) = −½ Σ (log 2π + s + (x−μ)² e^{−s})`.
//! - Standard normal: the Gaussian with μ = 0, s = 0.

use burn::prelude::*;
use burn::tensor::activation::log_sigmoid;

/// `log 2π`.
pub const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Stable `log(1 + eˣ)` elementwise, with derivative σ(x) everywhere (also at 0).
pub fn softplus<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    log_sigmoid(x.neg()).neg()
}

/// Bernoulli log-likelihood of `x ∈ {0,1}` under `logits`.
///
/// # Shapes
/// `x, logits: [B, D]` → `[B]`.
pub fn bernoulli_log_prob(x: Tensor<2>, logits: Tensor<2>) -> Tensor<1> {
    (x * logits.clone() - softplus(logits))
        .sum_dim(1)
        .squeeze_dim(1)
}

/// Diagonal Gaussian log-density with mean `mu` and log-variance `logvar`.
///
/// # Shapes
/// `x, mu, logvar: [B, D]` → `[B]`.
pub fn gaussian_log_prob(x: Tensor<2>, mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    let sq = (x - mu).square() * logvar.clone().neg().exp();
    (sq + logvar)
        .add_scalar(LN_2PI)
        .sum_dim(1)
        .squeeze_dim(1)
        .mul_scalar(-0.5)
}

/// Standard normal log-density.
///
/// # Shapes
/// `z: [B, L]` → `[B]`.
pub fn standard_normal_log_prob(z: Tensor<2>) -> Tensor<1> {
    z.square()
        .add_scalar(LN_2PI)
        .sum_dim(1)
        .squeeze_dim(1)
        .mul_scalar(-0.5)
}

/// `KL(N(μ, e^{s}) ‖ N(0, I)) = ½ Σ (μ² + e^{s} − 1 − s)`.
///
/// # Shapes
/// `mu, logvar: [B, L]` → `[B]`.
pub fn kl_to_standard_normal(mu: Tensor<2>, logvar: Tensor<2>) -> Tensor<1> {
    (mu.square() + logvar.clone().exp() - logvar)
        .sub_scalar(1.0)
        .sum_dim(1)
        .squeeze_dim(1)
        .mul_scalar(0.5)
}
