//! Noise tensors from a portable RNG.
//!
//! Every random number a genzoo run uses comes from a `ChaCha8Rng` the caller owns (usually
//! `rng_for(seed, stream, step)`), never from the backend's global RNG: the backend's state
//! cannot be saved, ours is a function of the step, so `--resume` reproduces the draws exactly.
//! Drawing on the host and copying is negligible beside the matmuls that consume it (its
//! measured cost per number: docs/history/speed.md, "Figures formerly quoted in code comments
//! (moved 2026-12-05)").

use burn::prelude::*;
use burn::tensor::TensorData;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// `ε ~ N(0, I)` of the given shape.
pub fn standard_normal<const D: usize>(
    shape: [usize; D],
    rng: &mut impl Rng,
    device: &Device,
) -> Tensor<D> {
    let n: usize = shape.iter().product();
    let values: Vec<f32> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// `u ~ U[0, 1)` of the given shape.
pub fn uniform<const D: usize>(
    shape: [usize; D],
    rng: &mut impl Rng,
    device: &Device,
) -> Tensor<D> {
    let n: usize = shape.iter().product();
    let values: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}
