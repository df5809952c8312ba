//! The fused batch norm (`genzoo_kernels::batch_norm`) against burn's `BatchNorm`: in training mode
//! the value, the gradients of x, γ and β, and the running statistics after two steps; with
//! SiLU after it; and the inference forward from the running statistics; to 1e-5 relative to
//! the largest entry, on maps of several sizes (1×1 included) with γ, β away from 1 and 0.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;
use genzoo_kernels::batch_norm::BatchNormFast;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

/// EfficientNet's momentum and ε (burn's convention).
const MOMENTUM: f64 = 0.01;
const EPS: f64 = 1e-3;

fn normal<const D: usize>(dims: [usize; D], seed: u64, d: &Device) -> Tensor<D> {
    standard_normal(dims, &mut ChaCha8Rng::seed_from_u64(seed), d)
}

/// A norm over `c` channels with random γ (around 1) and β.
fn norm(c: usize, d: &Device) -> BatchNorm {
    let mut bn = BatchNormConfig::new(c)
        .with_momentum(MOMENTUM)
        .with_epsilon(EPS)
        .init(d);
    bn.gamma = bn
        .gamma
        .map(|_| (normal([c], 3, d) * 0.5 + 1.0).require_grad());
    bn.beta = bn.beta.map(|_| normal([c], 4, d).require_grad());
    bn
}

/// Two training steps of `bn` (fast or burn's) on the same inputs: the outputs and gradients of
/// the second, and the running statistics after both.
fn train(bn: &BatchNorm, dims: [usize; 4], silu_after: bool, fast: bool) -> [Tensor<1>; 6] {
    let d = Device::flex().autodiff();
    let mut last = None;
    for step in 0..2 {
        // Mean 2 and spread 3 per value, so that the statistics are far from (0, 1).
        let x = (normal(dims, 10 + step, &d) * 3.0 + 2.0).require_grad();
        let r = normal(dims, 20 + step, &d);
        let y = match (fast, silu_after) {
            (true, true) => bn.forward_silu_fast(x.clone()),
            (true, false) => bn.forward_fast(x.clone()),
            (false, true) => silu(bn.forward(x.clone())),
            (false, false) => bn.forward(x.clone()),
        };
        let grads = (y.clone() * r).sum().backward();
        let gx = x.grad(&grads).expect("x grad");
        let gg = bn.gamma.val().grad(&grads).expect("γ grad");
        let gb = bn.beta.val().grad(&grads).expect("β grad");
        last = Some((y.inner(), gx, gg, gb));
    }
    let (y, gx, gg, gb) = last.expect("two steps");
    let n = y.dims().iter().product::<usize>();
    [
        y.reshape([n]),
        gx.reshape([n]),
        gg,
        gb,
        bn.running_mean.value_sync().inner(),
        bn.running_var.value_sync().inner(),
    ]
}

#[test]
fn batch_norm_fast_matches_burn_in_training() {
    let d = Device::flex().autodiff();
    // Maps of 9×7 (odd), 1×1 (a norm over the batch alone) and 28×28 with a small batch.
    for dims in [[6, 5, 9, 7], [16, 3, 1, 1], [2, 4, 28, 28]] {
        for silu_after in [false, true] {
            let recorded = genzoo_kernels::fast_ops_recorded();
            let fast = train(&norm(dims[1], &d), dims, silu_after, true);
            assert!(
                genzoo_kernels::fast_ops_recorded() > recorded,
                "{dims:?}: fast path not taken"
            );
            let reference = train(&norm(dims[1], &d), dims, silu_after, false);
            let names = ["value", "∂x", "∂γ", "∂β", "running mean", "running var"];
            for (k, name) in names.iter().enumerate() {
                assert_close(
                    &format!("{dims:?}, SiLU {silu_after}: {name}"),
                    fast[k].clone(),
                    reference[k].clone(),
                );
            }
        }
    }
}

#[test]
fn batch_norm_fast_matches_burn_in_inference() {
    let d = Device::flex().autodiff();
    let dims = [4, 6, 5, 3];
    let bn = norm(6, &d);
    // One training step moves the running statistics off their start (0, 1).
    let _ = bn.forward(normal(dims, 1, &d) * 2.0 + 1.0);
    let bn = bn.valid();
    let x = normal(dims, 2, &Device::flex()) * 2.0 + 1.0;
    assert_close(
        "inference",
        bn.forward_fast(x.clone()),
        bn.forward(x.clone()),
    );
    assert_close(
        "inference + SiLU",
        bn.forward_silu_fast(x.clone()),
        silu(bn.forward(x)),
    );
}
