//! The bias gradient of a convolution, `∂L/∂b[o] = Σ_{b,h,w} ∂L/∂y[b,o,h,w]`, timed per layer:
//! `genzoo_kernels::conv::backward_parts` asked for the bias alone (one host pass) against flex's
//! three `sum_dim`s, which it used before, at the layer shapes of the feature net (batch 128)
//! and the conv families at batch 64.
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example bias_grad_speed     # ~5 s on 2 cores
//! ```
//! Output: one line per layer, median ms of 25 runs after 3 untimed ones, on plain flex tensors.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::ops::FloatTensorOps;
use burn::prelude::*;
use burn::tensor::Shape;
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::conv;
use genzoo_kernels::timing::median_ms;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Untimed runs first (allocator, thread pool).
const WARMUP: usize = 3;
/// Timed runs; the median is reported.
const REPS: usize = 25;
/// (batch, input channels, output channels, side) of the layers timed.
const LAYERS: [(usize, usize, usize, usize); 5] = [
    (128, 1, 32, 28),
    (128, 32, 64, 14),
    (128, 64, 128, 7),
    (64, 32, 32, 28),
    (64, 64, 64, 14),
];

fn flex<const D: usize>(dims: [usize; D], seed: u64) -> Option<FlexTensor> {
    let t: Tensor<D> = standard_normal(dims, &mut ChaCha8Rng::seed_from_u64(seed), &Device::flex());
    t.try_into_primitive::<Flex>().ok()
}

fn main() {
    let opts = ConvOptions::new([1, 1], [1, 1], [1, 1], 1);
    for (b, c, o, side) in LAYERS {
        let (Some(x), Some(w), Some(dy)) = (
            flex([b, c, side, side], 1),
            flex([o, c, 3, 3], 2),
            flex([b, o, side, side], 3),
        ) else {
            eprintln!("the default device is not flex; nothing to time");
            return;
        };
        let ours = median_ms(WARMUP, REPS, || {
            let _ = conv::backward_parts(
                x.clone(),
                w.clone(),
                dy.clone(),
                &opts,
                [false, false, true],
            );
        });
        let sum_dims = median_ms(WARMUP, REPS, || {
            // [B, O, H, W] → [1, O, 1, 1] → [O].
            let s = Flex::float_sum_dim(
                Flex::float_sum_dim(Flex::float_sum_dim(dy.clone(), 3), 2),
                0,
            );
            let _ = Flex::float_reshape(s, Shape::new([o]));
        });
        println!(
            "batch {b}, {c} -> {o} at {side}x{side}: one pass {ours:.3} ms, three sum_dims {sum_dims:.3} ms"
        );
    }
}
