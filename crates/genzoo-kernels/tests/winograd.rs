//! Winograd F(2×2, 3×3) convolutions (`genzoo_kernels::winograd`, taken by `Conv2dFast` for 3×3,
//! stride 1, padding 1 layers; the input gradient only from 8 input channels) against burn's convolution: value and
//! every gradient through autodiff, and the inference forward, to 1e-5 relative to the largest
//! entry, on even, odd, non-square and one-pixel images and batches that split unevenly into
//! the op's groups of images.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::conv::Conv2dFast;
use genzoo_nn::deterministic_init;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

fn rng(seed: u64, case: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed * 1000 + case)
}

/// (batch, c_in, c_out, height, width, bias).
const CASES: [(usize, usize, usize, usize, usize, bool); 9] = [
    (2, 8, 8, 6, 6, true),
    // Odd sides: the last tile row and column are cut.
    // (From 8 rows and columns the weight gradient is Winograd too.)
    (3, 9, 10, 9, 11, true),
    // 7×7 has 16 tiles, 4 images a group: a batch of 5 leaves a group of one.
    (5, 8, 12, 7, 7, false),
    (2, 12, 8, 1, 1, true),
    (1, 8, 9, 2, 3, true),
    (2, 16, 8, 28, 28, true),
    (3, 32, 16, 14, 14, true),
    // The U-Net's stem and head shapes: one channel in (input gradient on flex), one out.
    (2, 1, 8, 9, 9, true),
    (2, 8, 1, 9, 9, true),
];

fn module(c: usize, o: usize, bias: bool) -> Conv2d {
    let conv = Conv2dConfig::new([c, o], [3, 3])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .with_bias(bias)
        .init(&Device::flex().autodiff());
    deterministic_init(conv, 11).expect("init")
}

#[test]
fn winograd_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    for (i, (b, c, o, h, w, bias)) in CASES.into_iter().enumerate() {
        let conv = module(c, o, bias);
        let x0: Tensor<4> = standard_normal([b, c, h, w], &mut rng(1, i as u64), &d);
        let run = |fast: bool| {
            let x = x0.clone().require_grad();
            let y = if fast {
                conv.forward_fast(x.clone())
            } else {
                conv.forward(x.clone())
            };
            // A loss with a non-uniform output gradient.
            let r = standard_normal(y.dims(), &mut rng(2, i as u64), &d);
            let grads = (y.clone() * r).sum().backward();
            let gx = x.grad(&grads).expect("x grad");
            let gw = conv.weight.grad(&grads).expect("weight grad");
            let gb = conv.bias.as_ref().and_then(|b| b.grad(&grads));
            (y.inner(), gx, gw, gb)
        };
        let (y0, gx0, gw0, gb0) = run(false);
        let calls = genzoo_kernels::winograd::calls();
        let (y1, gx1, gw1, gb1) = run(true);
        // The forward, and the input gradient where it applies.
        let expected = if genzoo_kernels::winograd::applies_to_input_grad(c) {
            2
        } else {
            1
        };
        assert!(
            genzoo_kernels::winograd::calls() >= calls + expected,
            "case {i}: the Winograd path was not taken"
        );
        assert_close(&format!("case {i} value"), y1, y0);
        assert_close(&format!("case {i} ∂x"), gx1, gx0);
        assert_close(&format!("case {i} ∂w"), gw1, gw0);
        assert_eq!(gb0.is_some(), gb1.is_some(), "case {i}: ∂b presence");
        if let (Some(a), Some(r)) = (gb1, gb0) {
            assert_close(&format!("case {i} ∂b"), a, r);
        }
    }
}

#[test]
fn winograd_inference_matches_burn() {
    let d = Device::flex();
    for (i, (b, c, o, h, w, bias)) in CASES.into_iter().enumerate() {
        let conv = module(c, o, bias).valid();
        let x: Tensor<4> = standard_normal([b, c, h, w], &mut rng(3, i as u64), &d);
        let calls = genzoo_kernels::winograd::calls();
        let fast = conv.forward_fast(x.clone());
        assert!(
            genzoo_kernels::winograd::calls() > calls,
            "case {i}: not taken"
        );
        assert_close(&format!("case {i}"), fast, conv.forward(x));
    }
}

/// Layers outside the op's domain (stride 2, padding 0, a 5×5 kernel)
/// keep flex's convolution, bit for bit (Winograd's rounding differs). The stride-2 layer has
/// 36 taps, below `folded::MIN_TAPS` (strided layers above it take the batch-folded forward,
/// tested against burn in `tests/conv.rs`).
#[test]
fn other_convolutions_are_not_winograd() {
    let d = Device::flex();
    let x: Tensor<4> = standard_normal([2, 8, 9, 9], &mut rng(4, 0), &d);
    for (k, stride, pad, c) in [(3, 2, 1, 4), (3, 1, 0, 8), (5, 1, 1, 8), (3, 1, 2, 4)] {
        let w: Tensor<4> = standard_normal([8, c, k, k], &mut rng(5, k as u64), &d);
        let xs = x.clone().slice([0..2, 0..c]);
        let options = ConvOptions::new([stride, stride], [pad, pad], [1, 1], 1);
        assert!(
            !genzoo_kernels::winograd::applies(c, [8, c, k, k], &options),
            "k{k} s{stride} p{pad} c{c}"
        );
        let a = genzoo_kernels::conv::conv2d_fast(xs.clone(), w.clone(), None, options.clone());
        let b = conv2d(xs, w, None, options);
        assert_eq!((a - b).abs().max().into_scalar::<f32>(), 0.0);
    }
}
