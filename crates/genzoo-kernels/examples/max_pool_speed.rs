//! The feature net's ReLU + 2×2 max pools, forward and backward, timed through genzoo's fused
//! op (`MaxPool2d::forward_relu_fast`) and through burn's (`relu`, then `MaxPool2d::forward`),
//! at the net's shapes (batch 128, 32 channels at 28×28, 64 at 14×14).
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example max_pool_speed     # ~5 s on 2 cores
//! ```
//! Output: one line per shape, median ms of 25 runs after 3 untimed ones, autodiff on flex.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::pool::MaxPool2dConfig;
use burn::prelude::*;
use burn::tensor::activation::relu;
use genzoo_kernels::max_pool::MaxPoolFast;
use genzoo_kernels::timing::median_ms;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Untimed runs first (allocator, thread pool).
const WARMUP: usize = 3;
/// Timed runs; the median is reported.
const REPS: usize = 25;

fn main() {
    let d = Device::flex().autodiff();
    let pool = MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init();
    for dims in [[128, 32, 28, 28], [128, 64, 14, 14]] {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x: Tensor<4> = standard_normal(dims, &mut rng, &d);
        let x = x.require_grad();
        let [b, c, h, w] = dims;
        // A dense cotangent, as the next layer's input gradient would be.
        let r: Tensor<4> = standard_normal([b, c, h / 2, w / 2], &mut rng, &d);
        let time = |fast: bool| {
            median_ms(WARMUP, REPS, || {
                let y = if fast {
                    pool.forward_relu_fast(x.clone())
                } else {
                    pool.forward(relu(x.clone()))
                };
                let grads = (y * r.clone()).sum().backward();
                let _ = x.grad(&grads);
            })
        };
        let (burn, genzoo) = (time(false), time(true));
        println!(
            "{dims:?}: relu + max pool, forward + backward: burn {burn:6.2} ms, genzoo {genzoo:6.2} ms"
        );
    }
}
