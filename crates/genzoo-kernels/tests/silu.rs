//! The fused SiLU (`genzoo_kernels::silu::silu_fast`) against burn's `silu`: value and gradient
//! through autodiff, and the inference forward, to 1e-5 relative to the largest entry, on a
//! tensor spanning several parallel chunks with values out to ±30 and exact zeros.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::prelude::*;
use burn::tensor::activation::silu;
use genzoo_kernels::silu::silu_fast;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::{assert_close, assert_elementwise_matches};

/// `[8, 5, 33, 31]`: 40,920 values, three chunks of the op's parallel split.
const DIMS: [usize; 4] = [8, 5, 33, 31];

fn input(d: &Device) -> Tensor<4> {
    let x: Tensor<4> = standard_normal(DIMS, &mut ChaCha8Rng::seed_from_u64(1), d);
    // Spread to ±30 (σ's saturated tails) and plant exact zeros.
    let x = x * 10.0;
    let zeros = Tensor::<4>::zeros([1, 5, 33, 31], d);
    x.slice_assign([0..1, 0..5, 0..33, 0..31], zeros)
}

#[test]
fn silu_fast_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    let x0 = input(&d);
    let r: Tensor<4> = standard_normal(DIMS, &mut ChaCha8Rng::seed_from_u64(2), &d);
    assert_elementwise_matches(&x0, &r, silu_fast, silu);
}

#[test]
fn silu_fast_inference_and_rank_2() {
    let d = Device::flex();
    let x = input(&d);
    assert_close("rank 4", silu_fast(x.clone()), silu(x.clone()));
    let x2: Tensor<2> = x.reshape([40, 1023]);
    assert_close("rank 2", silu_fast(x2.clone()), silu(x2));
}
