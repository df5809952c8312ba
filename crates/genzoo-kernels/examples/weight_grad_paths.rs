//! The two weight gradients of a convolution, timed per layer: the shifted products of
//! `genzoo_kernels::conv::weight_grad` against burn's `conv2d_weight_backward`, at the shapes of the
//! stride-2 layers of genzoo's nets (the conv VAE, the U-Net's down-sampling) and of a stride-1
//! first layer. `conv2d_fast` takes the shifts for stride 1 and burn's for strided layers
//! (`conv.rs`, `shifts_win`); this is the measurement behind that rule.
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example weight_grad_paths     # ~10 s on 2 cores
//! ```
//! Output: one line per layer, median ms of 15 runs after 3 untimed ones, on plain flex tensors.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::module::{conv2d, conv2d_weight_backward};
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::conv::weight_grad;
use genzoo_kernels::folded;
use genzoo_kernels::timing::median_ms;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Untimed runs first (allocator, thread pool).
const WARMUP: usize = 3;
/// Timed runs; the median is reported.
const REPS: usize = 15;

fn normal<const D: usize>(dims: [usize; D], seed: u64, d: &Device) -> Tensor<D> {
    standard_normal(dims, &mut ChaCha8Rng::seed_from_u64(seed), d)
}

/// The flex tensor behind `t` (the device is flex).
fn flex(t: &Tensor<4>) -> FlexTensor {
    t.clone()
        .try_into_primitive::<Flex>()
        .unwrap_or_else(|_| panic!("the example runs on flex"))
}

fn main() {
    let d = Device::flex();
    // (name, batch, c_in, c_out, kernel, stride, padding, side)
    let layers = [
        ("conv VAE conv1", 100, 1, 32, 4, 2, 1, 28),
        ("conv VAE conv2 (= deconv1's ∂w)", 100, 32, 64, 4, 2, 1, 14),
        ("U-Net down 28→14", 64, 32, 32, 3, 2, 1, 28),
        ("U-Net down 14→7", 64, 64, 64, 3, 2, 1, 14),
        ("1→32 3×3 stride 1", 64, 1, 32, 3, 1, 1, 28),
    ];
    for (name, b, c, o, k, s, p, side) in layers {
        let options = ConvOptions::new([s, s], [p, p], [1, 1], 1);
        let x = normal([b, c, side, side], 1, &d);
        let w = normal([o, c, k, k], 2, &d);
        let dy = normal(
            conv2d(x.clone(), w.clone(), None, options.clone()).dims(),
            3,
            &d,
        );
        let burn = median_ms(WARMUP, REPS, || {
            let dw = conv2d_weight_backward(x.clone(), w.clone(), dy.clone(), options.clone());
            let _ = dw.into_data();
        });
        let shifts = median_ms(WARMUP, REPS, || {
            let _ = weight_grad(x.clone(), dy.clone(), [k, k], options.clone()).into_data();
        });
        let (xf, wf, dyf) = (flex(&x), flex(&w), flex(&dy));
        let folded = folded::applies(&xf, &wf, &options).then(|| {
            median_ms(WARMUP, REPS, || {
                let _ = folded::weight_grad(&xf, &dyf, [o, c, k, k], &options);
            })
        });
        let folded = folded.map_or("    –".to_string(), |ms| format!("{ms:6.2}"));
        println!(
            "{name:34} batch {b:3}, {c:2}→{o:2}, {k}×{k} stride {s} at {side}×{side}: \
             burn {burn:6.2} ms, shifts {shifts:6.2} ms, folded {folded} ms"
        );
    }
}
