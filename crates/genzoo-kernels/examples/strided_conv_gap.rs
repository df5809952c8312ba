//! The conv VAE's 4×4 stride-2 layers (batch 100) through flex, against the one matrix product
//! each would be with the batch folded into it (im2col over the whole batch), and the forward
//! genzoo takes (`conv::forward_flex`: `folded::conv2d` from 64 taps, flex's below). Forward
//! `conv2d` (`[O, C·16] × [C·16, B·Ho·Wo]`) and `conv_transpose2d` (`[C·16, O] × [O, B·Ho·Wo]`,
//! before its col2im; genzoo keeps flex's), plain flex tensors; then the transposed layers'
//! forward and both gradients through autodiff, burn's backward against genzoo's
//! (`conv_transpose`, whose gradients take the folded products).
//!
//! ```text
//! cargo run --release -p genzoo-kernels --example strided_conv_gap     # ~5 s on 2 cores
//! ```
//! Output: one line per layer, median ms of 15 runs after 3 untimed ones.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::module::{conv_transpose2d, conv2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use genzoo_kernels::timing::median_ms;
use genzoo_kernels::{conv, conv_transpose};
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Untimed runs first (allocator, thread pool).
const WARMUP: usize = 3;
/// Timed runs; the median is reported.
const REPS: usize = 15;
/// Batch of the `mnist_vae_conv` preset.
const BATCH: usize = 100;
/// Kernel side of the conv VAE's layers.
const KERNEL: usize = 4;
/// Their stride.
const STRIDE: usize = 2;
/// Their padding on every side.
const PAD: usize = 1;
/// (input channels, output channels, input side) of the encoder's two layers; the decoder's
/// transposed layers have the same shapes reversed.
const LAYERS: [(usize, usize, usize); 2] = [(1, 32, 28), (32, 64, 14)];

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
    for (c, o, side) in LAYERS {
        let ho = side / STRIDE;
        let (taps, cols) = (c * KERNEL * KERNEL, BATCH * ho * ho);
        let x = normal([BATCH, c, side, side], 1, &d);
        let w = normal([o, c, KERNEL, KERNEL], 2, &d);
        let opts = ConvOptions::new([STRIDE; 2], [PAD; 2], [1, 1], 1);
        let conv = median_ms(WARMUP, REPS, || {
            let _ = conv2d(x.clone(), w.clone(), None, opts.clone()).into_data();
        });
        let (xf, wf) = (flex(&x), flex(&w));
        let ours = median_ms(WARMUP, REPS, || {
            let _ = conv::forward_flex(xf.clone(), wf.clone(), None, opts.clone());
        });
        let (wm, xm) = (normal([o, taps], 3, &d), normal([taps, cols], 4, &d));
        let product = median_ms(WARMUP, REPS, || {
            let _ = wm.clone().matmul(xm.clone()).into_data();
        });
        // The decoder's mirror: [B, O, Ho, Ho] → [B, C, side, side].
        let y = normal([BATCH, o, ho, ho], 5, &d);
        let topts = ConvTransposeOptions::new([STRIDE; 2], [PAD; 2], [0, 0], [1, 1], 1);
        let transposed = median_ms(WARMUP, REPS, || {
            let _ = conv_transpose2d(y.clone(), w.clone(), None, topts.clone()).into_data();
        });
        let (wt, ym) = (normal([taps, o], 6, &d), normal([o, cols], 7, &d));
        let t_product = median_ms(WARMUP, REPS, || {
            let _ = wt.clone().matmul(ym.clone()).into_data();
        });
        let mflop = 2.0 * (o * taps * cols) as f64 / 1e6;
        println!(
            "{c}->{o} at {side}x{side} ({mflop:.0} MFLOP): flex conv2d {conv:.2} ms, folded product {product:.2} ms, \
             genzoo {ours:.2} ms; \
             conv_transpose2d {transposed:.2} ms, folded product {t_product:.2} ms"
        );
    }
    // The decoder's transposed layers through autodiff, forward + every gradient: burn's
    // backward against genzoo's (`conv_transpose::conv_transpose2d_fast`).
    let ad = Device::flex().autodiff();
    for (c, o, side) in LAYERS {
        let ho = side / STRIDE;
        let y = normal([BATCH, o, ho, ho], 8, &ad).require_grad();
        let w = normal([o, c, KERNEL, KERNEL], 9, &ad).require_grad();
        let topts = ConvTransposeOptions::new([STRIDE; 2], [PAD; 2], [0, 0], [1, 1], 1);
        let r = normal([BATCH, c, side, side], 10, &ad);
        let time = |fast: bool| {
            median_ms(WARMUP, REPS, || {
                let out = if fast {
                    conv_transpose::conv_transpose2d_fast(y.clone(), w.clone(), None, topts.clone())
                } else {
                    conv_transpose2d(y.clone(), w.clone(), None, topts.clone())
                };
                let grads = (out * r.clone()).sum().backward();
                let _ = (y.grad(&grads), w.grad(&grads));
            })
        };
        let (burn, ours) = (time(false), time(true));
        println!(
            "transposed {o}->{c} to {side}x{side}, forward + both gradients: burn {burn:.2} ms, genzoo {ours:.2} ms"
        );
    }
}
