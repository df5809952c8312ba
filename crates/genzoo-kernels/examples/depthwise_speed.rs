//! Depthwise convolutions, forward and both gradients, timed through
//! `genzoo_kernels::depthwise::depthwise_fast` on autodiff flex at shapes of the `mnist_efficientnet`
//! preset's layers (batch 128): 3×3 and 5×5, stride 1 and 2 (TensorFlow's SAME padding).
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example depthwise_speed     # ~5 s on 2 cores
//! ```
//! Output: one line per layer, median ms of 25 runs after 3 untimed ones.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::prelude::*;
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::depthwise::depthwise_fast;
use genzoo_kernels::timing::median_ms;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Untimed runs first (allocator, thread pool).
const WARMUP: usize = 3;
/// Timed runs; the median is reported.
const REPS: usize = 25;
/// Batch of the preset.
const BATCH: usize = 128;
/// (channels, side, kernel, stride) of the layers timed.
const LAYERS: [(usize, usize, usize, usize); 4] = [
    (96, 14, 3, 1),
    (96, 14, 5, 2),
    (144, 7, 5, 1),
    (240, 4, 3, 1),
];

fn main() {
    let d = Device::flex().autodiff();
    for (c, side, k, s) in LAYERS {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // SAME padding: k − 1 in all for stride 1; k − s for stride s on an even side, the
        // odd one after.
        let total = if s == 1 { k - 1 } else { k - s };
        let pad = (total / 2, total - total / 2);
        let mut opts = ConvOptions::new([s, s], [0, 0], [1, 1], c);
        opts.padding = [pad, pad];
        let x: Tensor<4> = standard_normal([BATCH, c, side, side], &mut rng, &d).require_grad();
        let w: Tensor<4> = standard_normal([c, 1, k, k], &mut rng, &d).require_grad();
        let Some(y) = depthwise_fast(&x, &w, &opts) else {
            eprintln!("not a depthwise layer the fast path takes: {c} channels, {k}x{k}");
            return;
        };
        // A dense cotangent, as the next layer's input gradient would be.
        let r: Tensor<4> = standard_normal(y.dims(), &mut rng, &d);
        let ms = median_ms(WARMUP, REPS, || {
            if let Some(y) = depthwise_fast(&x, &w, &opts) {
                let grads = (y * r.clone()).sum().backward();
                let _ = (x.grad(&grads), w.grad(&grads));
            }
        });
        println!(
            "{c} channels at {side}x{side}, {k}x{k} stride {s}: forward + both gradients {ms:6.2} ms"
        );
    }
}
