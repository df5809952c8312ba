//! The transposed convolution with genzoo's gradient paths (`genzoo_kernels::conv_transpose`)
//! against burn's, value and every gradient through autodiff, to 1e-5 relative to the largest
//! entry.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use burn::prelude::*;
use genzoo_kernels::conv_transpose::ConvTranspose2dFast;
use genzoo_nn::deterministic_init;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
#[path = "common/runs.rs"]
mod runs;
use runs::assert_runs_close;

fn rng(seed: u64, case: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed * 1000 + case)
}

fn module(c: usize, o: usize, k: usize, p: usize, stride: usize, bias: bool) -> ConvTranspose2d {
    let deconv = ConvTranspose2dConfig::new([c, o], [k, k])
        .with_stride([stride, stride])
        .with_padding([p, p])
        .with_bias(bias)
        .init(&Device::flex().autodiff());
    deterministic_init(deconv, 7).expect("init")
}

/// (batch, c_in, c_out, side, kernel, padding, stride, bias, input needs a gradient).
type Case = (usize, usize, usize, usize, usize, usize, usize, bool, bool);

/// The conv VAE's 4×4 stride-2 layers in small (≥ 64 taps: the folded products for ∂x and ∂w;
/// one output channel: flex's and burn's), 3×3 stride 2 below and above 64 taps, without
/// padding, bias or input gradient, and a 3×3 stride-1 layer (∂x by Winograd).
const CASES: [Case; 6] = [
    (2, 8, 8, 4, 4, 1, 2, true, true),
    (2, 6, 1, 5, 4, 1, 2, true, true),
    (3, 4, 6, 3, 3, 1, 2, false, true),
    (2, 5, 16, 3, 3, 0, 2, true, false),
    (2, 4, 8, 5, 3, 1, 1, true, true),
    (3, 16, 8, 7, 4, 1, 2, false, true),
];

#[test]
fn forward_fast_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    for (i, (b, c, o, side, k, p, stride, bias, x_grad)) in CASES.into_iter().enumerate() {
        let deconv = module(c, o, k, p, stride, bias);
        let x0: Tensor<4> = standard_normal([b, c, side, side], &mut rng(5, i as u64), &d);
        let run = |fast: bool| {
            let x = if x_grad {
                x0.clone().require_grad()
            } else {
                x0.clone()
            };
            let y = if fast {
                deconv.forward_fast(x.clone())
            } else {
                deconv.forward(x.clone())
            };
            // A loss with a non-uniform output gradient.
            let r = standard_normal(y.dims(), &mut rng(6, i as u64), &d);
            let grads = (y.clone() * r).sum().backward();
            let gx = x.grad(&grads);
            let gw = deconv.weight.grad(&grads).expect("weight grad");
            let gb = deconv.bias.as_ref().and_then(|b| b.grad(&grads));
            (y.inner(), gx, gw, gb)
        };
        let reference = run(false);
        let recorded = genzoo_kernels::fast_ops_recorded();
        let fast = run(true);
        assert!(
            genzoo_kernels::fast_ops_recorded() > recorded,
            "case {i}: the fast path was not taken"
        );
        assert_runs_close(i, fast, reference);
    }
}
