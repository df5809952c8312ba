//! The GRU recurrence, forward and backward, timed through genzoo's fused op (`gru_fast`) and
//! through the same equations in burn's ops (`gru_reference`, ~15 autodiff nodes per step), at
//! CPC's sequence shape (`seq_cpc`: batch 64, 16 steps, 64 units) and a longer, wider one.
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example gru_speed     # ~5 s on 2 cores
//! ```
//! Output: one line per shape, median ms of 25 runs after 3 untimed ones, autodiff on flex.

use burn::prelude::*;
use genzoo_kernels::gru::{gru_fast, gru_reference};
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
    for [b, t, h] in [[64, 16, 64], [64, 64, 128]] {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let gx: Tensor<3> = standard_normal([b, t, 3 * h], &mut rng, &d);
        let w: Tensor<2> = standard_normal([3 * h, h], &mut rng, &d);
        let w = (w / (h as f64).sqrt()).require_grad();
        let bias: Tensor<1> = standard_normal([3 * h], &mut rng, &d);
        let (gx, bias) = (gx.require_grad(), bias.require_grad());
        // A dense cotangent, as the loss above the context would give.
        let r: Tensor<3> = standard_normal([b, t, h], &mut rng, &d);
        let time = |fast: bool| {
            median_ms(WARMUP, REPS, || {
                let y = if fast {
                    gru_fast(gx.clone(), w.clone(), bias.clone())
                } else {
                    gru_reference(gx.clone(), w.clone(), bias.clone())
                };
                let grads = (y * r.clone()).sum().backward();
                let _ = (gx.grad(&grads), w.grad(&grads), bias.grad(&grads));
            })
        };
        let (burn, genzoo) = (time(false), time(true));
        println!(
            "B {b}, T {t}, H {h}: GRU forward + backward: burn ops {burn:6.2} ms, genzoo {genzoo:6.2} ms ({:.1}x)",
            burn / genzoo
        );
    }
}
