//! The depthwise convolution (`genzoo_kernels::depthwise`, reached through `conv2d_fast`) against
//! burn's grouped `conv2d`: value, ∂x and ∂w to 1e-5, for EfficientNet's forms — 3×3 and 5×5,
//! stride 1 and 2, TensorFlow-SAME padding that is asymmetric for stride 2, maps down to 1×1 —
//! and an odd side; the inference forward; and a grouped (not depthwise) layer that must keep
//! burn's result.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::conv::conv2d_fast;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

fn normal<const D: usize>(dims: [usize; D], seed: u64, d: &Device) -> Tensor<D> {
    standard_normal(dims, &mut ChaCha8Rng::seed_from_u64(seed), d)
}

/// Options of a layer with `groups`, stride `s` and padding `[(top, bottom), (left, right)]`.
fn options(groups: usize, s: usize, padding: [(usize, usize); 2]) -> ConvOptions<2> {
    ConvOptions::new_with_padding([s, s], padding, [1, 1], groups)
}

/// Output, ∂x and ∂w (under a random cotangent) of the fast op or burn's.
fn run(x: &Tensor<4>, w: &Tensor<4>, o: &ConvOptions<2>, fast: bool) -> [Tensor<1>; 3] {
    let (x, w) = (x.clone().require_grad(), w.clone().require_grad());
    let y = if fast {
        conv2d_fast(x.clone(), w.clone(), None, o.clone())
    } else {
        conv2d(x.clone(), w.clone(), None, o.clone())
    };
    let r = normal(y.dims(), 77, &y.device());
    let grads = (y.clone() * r).sum().backward();
    let flat = |t: Tensor<4>| {
        let n: usize = t.dims().iter().product();
        t.reshape([n])
    };
    [
        flat(y.inner()),
        flat(x.grad(&grads).expect("x grad")),
        flat(w.grad(&grads).expect("w grad")),
    ]
}

#[test]
fn depthwise_matches_burn_in_value_and_gradients() {
    let d = Device::flex().autodiff();
    // (x dims, kernel, stride, padding)
    let cases = [
        ([4, 6, 14, 14], 3, 1, [(1, 1), (1, 1)]),
        ([3, 5, 14, 14], 5, 2, [(1, 2), (1, 2)]),
        ([3, 4, 14, 14], 3, 2, [(0, 1), (0, 1)]),
        ([5, 3, 1, 1], 3, 1, [(1, 1), (1, 1)]),
        ([2, 7, 7, 9], 3, 2, [(1, 1), (1, 1)]),
        ([2, 3, 8, 8], 5, 1, [(2, 2), (2, 2)]),
    ];
    for (dims, k, s, padding) in cases {
        let c = dims[1];
        let x = normal(dims, 1, &d);
        let w = normal([c, 1, k, k], 2, &d) * 0.5;
        let o = options(c, s, padding);
        let recorded = genzoo_kernels::fast_ops_recorded();
        let fast = run(&x, &w, &o, true);
        assert!(
            genzoo_kernels::fast_ops_recorded() > recorded,
            "{dims:?}: fast path not taken"
        );
        let reference = run(&x, &w, &o, false);
        for (i, name) in ["value", "∂x", "∂w"].iter().enumerate() {
            assert_close(
                &format!("{dims:?} k{k} s{s} pad {padding:?}: {name}"),
                fast[i].clone(),
                reference[i].clone(),
            );
        }
    }
}

#[test]
fn depthwise_matches_burn_in_inference() {
    let d = Device::flex();
    let x = normal([3, 8, 14, 14], 5, &d);
    let w = normal([8, 1, 5, 5], 6, &d);
    let o = options(8, 2, [(1, 2), (1, 2)]);
    assert_close(
        "inference",
        conv2d_fast(x.clone(), w.clone(), None, o.clone()),
        conv2d(x, w, None, o),
    );
}

/// Two groups of three channels each is not depthwise: the result stays burn's.
#[test]
fn grouped_layers_that_are_not_depthwise_keep_burns_result() {
    let d = Device::flex();
    let x = normal([2, 6, 9, 9], 7, &d);
    let w = normal([4, 3, 3, 3], 8, &d);
    let o = options(2, 1, [(1, 1), (1, 1)]);
    assert_close(
        "groups = 2",
        conv2d_fast(x.clone(), w.clone(), None, o.clone()),
        conv2d(x, w, None, o),
    );
}
