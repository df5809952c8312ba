//! Train-time noise, identity at evaluation: stochastic depth and dropout.
//!
//! Stochastic depth (Huang et al. 2016; "drop connect" in the EfficientNet code) drops a
//! residual block's branch for whole examples: with keep probability `q = 1 − p`,
//! ```text
//! y = x + (m/q)·f(x),   m ~ Bernoulli(q) per example
//! ```
//! so `E[y] = x + f(x)`, the evaluation-time block. Dropout (Srivastava et al. 2014) does the
//! same per unit. Masks come from the caller's RNG (the step's stream, so resume replays them);
//! `None` means evaluation, and both functions return their input untouched.
//!
//! # Shapes
//! [`drop_path`]: `[B, C, H, W]` → same; [`dropout`]: `[B, F]` → same.

use burn::prelude::*;
use genzoo_nn::noise::uniform;
use rand_chacha::ChaCha8Rng;

/// Keep mask scaled by `1/q`: each entry is `1/q` with probability `q`, else 0.
fn scaled_mask<const D: usize>(
    shape: [usize; D],
    rate: f64,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> Tensor<D> {
    let keep = 1.0 - rate;
    uniform(shape, rng, device)
        .lower_elem(keep)
        .float()
        .div_scalar(keep)
}

/// Stochastic depth of a residual branch `branch` (training when `rng` is given).
pub fn drop_path(branch: Tensor<4>, rate: f64, rng: Option<&mut ChaCha8Rng>) -> Tensor<4> {
    match rng {
        Some(rng) if rate > 0.0 => {
            let [b, _, _, _] = branch.dims();
            let mask = scaled_mask([b, 1, 1, 1], rate, rng, &branch.device()); // [B, 1, 1, 1]
            branch * mask
        }
        _ => branch,
    }
}

/// Dropout of features `x` (training when `rng` is given).
pub fn dropout(x: Tensor<2>, rate: f64, rng: Option<&mut ChaCha8Rng>) -> Tensor<2> {
    match rng {
        Some(rng) if rate > 0.0 => {
            let mask = scaled_mask(x.dims(), rate, rng, &x.device()); // [B, F]
            x * mask
        }
        _ => x,
    }
}
