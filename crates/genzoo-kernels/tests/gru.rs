//! The fused GRU recurrence (`genzoo_kernels::gru::gru_fast`) against the same equations in
//! burn's ops (`gru_reference`): value and every gradient (∂gx, ∂W_hh, ∂b_hh) through autodiff,
//! the inference forward, and one value checked by hand; to 1e-5 relative to the largest entry.
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::prelude::*;
use genzoo_kernels::gru::{gru_fast, gru_reference};
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

/// Batch, steps, hidden: enough steps that the gradient travels far back through h.
const B: usize = 5;
const T: usize = 9;
const H: usize = 7;

fn inputs(d: &Device) -> (Tensor<3>, Tensor<2>, Tensor<1>) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let gx: Tensor<3> = standard_normal([B, T, 3 * H], &mut rng, d);
    let w: Tensor<2> = standard_normal([3 * H, H], &mut rng, d);
    let b: Tensor<1> = standard_normal([3 * H], &mut rng, d);
    // Recurrent weights of scale ~1 keep every gate away from saturation on some entries and
    // in it on others.
    (gx * 1.5, w * 0.8, b * 0.5)
}

#[test]
fn gru_fast_matches_reference_in_value_and_every_gradient() {
    let d = Device::flex().autodiff();
    let (gx0, w0, b0) = inputs(&d);
    let r: Tensor<3> = standard_normal([B, T, H], &mut ChaCha8Rng::seed_from_u64(4), &d);
    let run = |fast: bool| {
        let (gx, w, b) = (
            gx0.clone().require_grad(),
            w0.clone().require_grad(),
            b0.clone().require_grad(),
        );
        let y = if fast {
            gru_fast(gx.clone(), w.clone(), b.clone())
        } else {
            gru_reference(gx.clone(), w.clone(), b.clone())
        };
        let grads = (y.clone() * r.clone()).sum().backward();
        (
            y.inner(),
            gx.grad(&grads).expect("gx grad"),
            w.grad(&grads).expect("w grad"),
            b.grad(&grads).expect("b grad"),
        )
    };
    let (y0, dgx0, dw0, db0) = run(false);
    let recorded = genzoo_kernels::fast_ops_recorded();
    let (y1, dgx1, dw1, db1) = run(true);
    assert!(genzoo_kernels::fast_ops_recorded() > recorded, "not taken");
    assert_close("value", y1, y0);
    assert_close("∂gx", dgx1, dgx0);
    assert_close("∂W_hh", dw1, dw0);
    assert_close("∂b_hh", db1, db0);
}

#[test]
fn gru_fast_inference_matches_reference_and_a_hand_computed_first_step() {
    let d = Device::flex();
    let (gx, w, b) = inputs(&d);
    let y = gru_fast(gx.clone(), w.clone(), b.clone());
    assert_close(
        "inference",
        y.clone(),
        gru_reference(gx.clone(), w, b.clone()),
    );
    // h_{−1} = 0: h_0 = (1 − z)·n with r = σ(gx_r + b_r), z = σ(gx_z + b_z),
    // n = tanh(gx_n + r·b_n), computed here in f64.
    let gx = gx.into_data().try_to_vec::<f32>().expect("f32");
    let b = b.into_data().try_to_vec::<f32>().expect("f32");
    let y = y.into_data().try_to_vec::<f32>().expect("f32");
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    for j in 0..H {
        let r = sig(f64::from(gx[j] + b[j]));
        let z = sig(f64::from(gx[H + j] + b[H + j]));
        let n = (f64::from(gx[2 * H + j]) + r * f64::from(b[2 * H + j])).tanh();
        let h0 = (1.0 - z) * n;
        assert!(
            (f64::from(y[j]) - h0).abs() < 1e-6,
            "h_0[{j}] = {} vs {h0}",
            y[j]
        );
    }
}
