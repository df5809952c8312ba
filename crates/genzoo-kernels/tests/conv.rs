//! The fast convolution (`genzoo_kernels::conv`) against burn's: the weight gradient alone, and
//! value and every gradient through autodiff, to 1e-5 relative to the largest entry.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::module::conv2d_weight_backward;
use burn::tensor::ops::ConvOptions;
use genzoo_kernels::conv::{Conv2dFast, weight_grad};
use genzoo_nn::deterministic_init;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn rng_for(seed: u64, case: u64, _: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed * 1000 + case)
}

mod common;
#[path = "common/runs.rs"]
mod runs;
use common::assert_close;
use runs::assert_runs_close;

/// (batch, c_in, c_out, height, width, kernel, padding, stride).
type Case = (usize, usize, usize, usize, usize, usize, usize, usize);

/// Cases: square and odd kernels, no
/// padding, 1×1, non-square images, a kernel wider than the padding; stride 2 and 3 on even and
/// odd sizes, an even kernel (the VAE's 4×4, stride 2, padding 1), a kernel smaller than the stride;
/// batches of 8 and 12, several examples in each folded chunk of the batch.
const SHAPES: [Case; 14] = [
    (3, 4, 5, 7, 7, 3, 1, 1),
    (2, 3, 6, 8, 5, 3, 0, 1),
    (2, 6, 4, 6, 6, 1, 0, 1),
    (2, 2, 3, 9, 6, 5, 2, 1),
    (1, 5, 2, 5, 8, 3, 2, 1),
    (4, 8, 8, 4, 4, 3, 1, 1),
    (2, 3, 4, 8, 8, 3, 1, 2),
    (2, 3, 4, 7, 9, 3, 1, 2),
    (2, 3, 2, 8, 8, 4, 1, 2),
    (2, 4, 3, 6, 7, 1, 0, 2),
    (1, 2, 3, 10, 8, 5, 2, 3),
    (2, 3, 3, 9, 9, 2, 0, 3),
    (8, 3, 5, 6, 5, 3, 1, 1),
    (12, 4, 3, 7, 7, 3, 1, 2),
];

/// The weight gradient as `kh` matrix products equals burn's `conv2d_weight_backward`.
#[test]
fn weight_grad_matches_burn() {
    let d = Device::flex();
    for (i, &(b, c, o, h, w, k, p, st)) in SHAPES.iter().enumerate() {
        let x: Tensor<4> = standard_normal([b, c, h, w], &mut rng_for(1, i as u64, 0), &d);
        let (ho, wo) = ((h + 2 * p - k) / st + 1, (w + 2 * p - k) / st + 1);
        let dy: Tensor<4> = standard_normal([b, o, ho, wo], &mut rng_for(2, i as u64, 0), &d);
        let options = ConvOptions::new([st, st], [p, p], [1, 1], 1);
        let weight = Tensor::<4>::zeros([o, c, k, k], &d);
        let reference = conv2d_weight_backward(x.clone(), weight, dy.clone(), options.clone());
        let fast = weight_grad(x, dy, [k, k], options);
        assert_close(&format!("shape {i}"), fast, reference);
    }
}

/// A brute-force sum for one small case pins the reference itself:
/// `∂L/∂w[o,c,i,j] = Σ_{b,h,v} dy[b,o,h,v] · x_pad[b,c,h+i,v+j]`.
#[test]
fn weight_grad_matches_the_definition() {
    let d = Device::flex();
    let (b, c, o, h, w, k, p) = (2, 2, 3, 4, 5, 3, 1);
    let x: Tensor<4> = standard_normal([b, c, h, w], &mut rng_for(3, 0, 0), &d);
    let dy: Tensor<4> = standard_normal([b, o, h, w], &mut rng_for(4, 0, 0), &d);
    let xs = genzoo_nn::host::to_vec(x.clone(), "x").expect("x");
    let gs = genzoo_nn::host::to_vec(dy.clone(), "dy").expect("dy");
    let mut brute = vec![0f64; o * c * k * k];
    for (oi, ci, i, j) in (0..o).flat_map(|oi| {
        (0..c).flat_map(move |ci| (0..k).flat_map(move |i| (0..k).map(move |j| (oi, ci, i, j))))
    }) {
        let mut acc = 0f64;
        for bi in 0..b {
            for hh in 0..h {
                for vv in 0..w {
                    let (r, s) = (
                        (hh + i) as isize - p as isize,
                        (vv + j) as isize - p as isize,
                    );
                    if r < 0 || s < 0 || r >= h as isize || s >= w as isize {
                        continue;
                    }
                    let xv = xs[((bi * c + ci) * h + r as usize) * w + s as usize] as f64;
                    acc += gs[((bi * o + oi) * h + hh) * w + vv] as f64 * xv;
                }
            }
        }
        brute[((oi * c + ci) * k + i) * k + j] = acc;
    }
    let brute: Vec<f32> = brute.into_iter().map(|v| v as f32).collect();
    let brute = Tensor::<1>::from_floats(brute.as_slice(), &d).reshape([o, c, k, k]);
    let fast = weight_grad(x, dy, [k, k], ConvOptions::new([1, 1], [p, p], [1, 1], 1));
    assert_close("definition", fast, brute);
}

fn module(c: usize, o: usize, k: usize, p: usize, stride: usize, bias: bool) -> Conv2d {
    let conv = Conv2dConfig::new([c, o], [k, k])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .with_bias(bias)
        .init(&Device::flex().autodiff());
    deterministic_init(conv, 7).expect("init")
}

/// Through autodiff, `forward_fast` gives burn's value and gradients for x, weight and bias;
/// also with no bias, with a frozen input, and for stride-2 layers (flex's forward and the
/// batch-folded one) and a 4×4 stride-1 one.
#[test]
fn forward_fast_matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    let cases = [
        (3, 4, 5, 7, 3, 1, 1, true, true),
        (2, 6, 4, 6, 1, 0, 1, true, true),
        (2, 3, 3, 8, 3, 1, 1, false, true),
        (2, 3, 5, 6, 3, 1, 1, true, false),
        (2, 3, 4, 8, 3, 1, 2, true, true),
        (2, 3, 4, 9, 4, 1, 2, true, true),
        // Stride 1 takes the shifted products for ∂w, stride 2 burn's weight gradient.
        (2, 8, 4, 28, 4, 1, 1, false, true),
        // Stride 2 with ≥ 64 taps: the batch-folded forward (`folded`), odd and even sides,
        // with and without padding and bias.
        (2, 8, 5, 9, 3, 1, 2, true, true),
        (3, 4, 6, 14, 4, 1, 2, false, true),
        (2, 16, 3, 7, 3, 0, 2, true, false),
    ];
    for (i, (b, c, o, side, k, p, stride, bias, x_grad)) in cases.into_iter().enumerate() {
        let conv = module(c, o, k, p, stride, bias);
        let x0: Tensor<4> = standard_normal([b, c, side, side], &mut rng_for(5, i as u64, 0), &d);
        let run = |fast: bool| {
            let x = if x_grad {
                x0.clone().require_grad()
            } else {
                x0.clone()
            };
            let y = if fast {
                conv.forward_fast(x.clone())
            } else {
                conv.forward(x.clone())
            };
            // A loss with a non-uniform output gradient.
            let r = standard_normal(y.dims(), &mut rng_for(6, i as u64, 0), &d);
            let grads = (y.clone() * r).sum().backward();
            let gx = x.grad(&grads);
            let gw = conv.weight.grad(&grads).expect("weight grad");
            let gb = conv.bias.as_ref().and_then(|b| b.grad(&grads));
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

/// Without autodiff a layer outside Winograd's domain (here stride 2 with 27 taps, below
/// `folded::MIN_TAPS`) is burn's forward, bit for bit (3×3 stride-1 layers: `tests/winograd.rs`).
#[test]
fn inference_is_burns_forward() {
    let conv = module(3, 4, 3, 1, 2, true).valid();
    let x: Tensor<4> = standard_normal([2, 3, 6, 6], &mut rng_for(8, 0, 0), &Device::flex());
    let a = conv.forward_fast(x.clone());
    let b = conv.forward(x);
    assert_eq!((a - b).abs().max().into_scalar::<f32>(), 0.0);
}
