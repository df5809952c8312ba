//! The fused LeakyReLU (`genzoo_kernels::leaky_relu::leaky_relu_fast`) against burn's
//! `leaky_relu`: value and gradient through autodiff, and the inference forward, to 1e-5
//! relative to the largest entry, on a tensor spanning several parallel chunks, with exact
//! zeros (where both take the α branch of the gradient).
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::prelude::*;
use burn::tensor::activation::leaky_relu;
use genzoo_kernels::leaky_relu::leaky_relu_fast;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::{assert_close, assert_elementwise_matches};

/// `[8, 5, 33, 31]`: 40,920 values, three chunks of the op's parallel split.
const DIMS: [usize; 4] = [8, 5, 33, 31];

fn input(d: &Device) -> Tensor<4> {
    let x: Tensor<4> = standard_normal(DIMS, &mut ChaCha8Rng::seed_from_u64(1), d);
    let zeros = Tensor::<4>::zeros([1, 5, 33, 31], d);
    x.slice_assign([0..1, 0..5, 0..33, 0..31], zeros)
}

#[test]
fn leaky_relu_fast_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    let x0 = input(&d);
    let r: Tensor<4> = standard_normal(DIMS, &mut ChaCha8Rng::seed_from_u64(2), &d);
    for slope in [0.2, 0.01] {
        assert_elementwise_matches(
            &x0,
            &r,
            |x| leaky_relu_fast(x, slope),
            |x| leaky_relu(x, slope),
        );
    }
}

#[test]
fn leaky_relu_fast_inference_and_rank_2() {
    let d = Device::flex();
    let x = input(&d);
    assert_close(
        "rank 4",
        leaky_relu_fast(x.clone(), 0.2),
        leaky_relu(x.clone(), 0.2),
    );
    let x2: Tensor<2> = x.reshape([40, 1023]);
    assert_close(
        "rank 2",
        leaky_relu_fast(x2.clone(), 0.2),
        leaky_relu(x2, 0.2),
    );
}
