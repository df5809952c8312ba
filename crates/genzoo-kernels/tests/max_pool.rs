//! The fused max pool (`genzoo_kernels::max_pool`) against burn's `MaxPool2d`: value and input
//! gradient, alone and after a ReLU, on non-overlapping and overlapping windows, odd map sides
//! (floor rounding) and rectangular windows; on data full of ties, where the gradient must go
//! to the first maximum of each window as burn's does; and the inference forward.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use genzoo_kernels::max_pool::MaxPoolFast;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

fn normal<const D: usize>(dims: [usize; D], seed: u64, d: &Device) -> Tensor<D> {
    standard_normal(dims, &mut ChaCha8Rng::seed_from_u64(seed), d)
}

fn pool(kernel: [usize; 2], stride: [usize; 2]) -> MaxPool2d {
    MaxPool2dConfig::new(kernel).with_strides(stride).init()
}

/// Input of `dims`: Gaussian, or (`ties`) rounded to the integers −1..=1, so that most windows
/// hold several equal maxima and, after a ReLU, many hold only zeros.
fn input(dims: [usize; 4], ties: bool, seed: u64, d: &Device) -> Tensor<4> {
    let x = normal(dims, seed, d);
    if ties { x.round().clamp(-1.0, 1.0) } else { x }
}

/// Output and input gradient (under a random cotangent) of the fast op or burn's.
fn run(p: &MaxPool2d, x: Tensor<4>, relu_first: bool, fast: bool) -> [Tensor<1>; 2] {
    let x = x.require_grad();
    let y = match (fast, relu_first) {
        (true, true) => p.forward_relu_fast(x.clone()),
        (true, false) => p.forward_fast(x.clone()),
        (false, true) => p.forward(relu(x.clone())),
        (false, false) => p.forward(x.clone()),
    };
    let r = normal(y.dims(), 99, &y.device());
    let grads = (y.clone() * r).sum().backward();
    let gx = x.grad(&grads).expect("x grad");
    let (ny, nx): (usize, usize) = (y.dims().iter().product(), gx.dims().iter().product());
    [y.inner().reshape([ny]), gx.reshape([nx])]
}

#[test]
fn max_pool_fast_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    let cases = [
        // (input dims, kernel, stride): the feature net's 2×2 pools, an odd side, overlapping
        // 3×3 windows with stride 2, a rectangular window with unequal strides.
        ([4, 3, 28, 28], [2, 2], [2, 2]),
        ([2, 5, 7, 7], [2, 2], [2, 2]),
        ([3, 2, 9, 9], [3, 3], [2, 2]),
        ([2, 3, 6, 10], [2, 3], [1, 2]),
    ];
    for (dims, kernel, stride) in cases {
        let p = pool(kernel, stride);
        for ties in [false, true] {
            for relu_first in [false, true] {
                let x = input(dims, ties, 7, &d);
                let recorded = genzoo_kernels::fast_ops_recorded();
                let fast = run(&p, x.clone(), relu_first, true);
                assert!(
                    genzoo_kernels::fast_ops_recorded() > recorded,
                    "{dims:?}: fast path not taken"
                );
                let reference = run(&p, x, relu_first, false);
                for (k, name) in ["value", "∂x"].iter().enumerate() {
                    assert_close(
                        &format!(
                            "{dims:?} k{kernel:?} s{stride:?} ties {ties} relu {relu_first}: {name}"
                        ),
                        fast[k].clone(),
                        reference[k].clone(),
                    );
                }
            }
        }
    }
}

#[test]
fn max_pool_fast_matches_burn_in_inference() {
    let d = Device::flex();
    let p = pool([2, 2], [2, 2]);
    let x = input([3, 4, 11, 8], true, 3, &d);
    assert_close("inference", p.forward_fast(x.clone()), p.forward(x.clone()));
    assert_close(
        "inference after ReLU",
        p.forward_relu_fast(x.clone()),
        p.forward(relu(x)),
    );
}

/// Padding is burn's: the fast op hands it over and the result is unchanged. (Whether the
/// fast path ran cannot be asserted here: the counter is process-wide and tests run in parallel.)
#[test]
fn padded_pools_fall_back_to_burn() {
    let d = Device::flex();
    let p = MaxPool2dConfig::new([3, 3])
        .with_strides([2, 2])
        .with_padding(burn::nn::PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init();
    let x = input([2, 2, 8, 8], false, 5, &d);
    assert_close("padded", p.forward_fast(x.clone()), p.forward(x));
}
