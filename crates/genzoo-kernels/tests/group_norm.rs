//! The fused GroupNorm (`genzoo_kernels::group_norm`), alone and followed by SiLU, against burn's
//! `GroupNorm` (and `silu`): value and the
//! gradients of input, γ and β, to 1e-5 relative to the largest entry; and the normalisation
//! identity itself (each group has mean β and, with γ = 1, variance 1 − ε/(var + ε)).
// These compare genzoo's kernels with burn's own ops, which clippy.toml otherwise forbids.
#![allow(clippy::disallowed_methods)]

use burn::nn::{GroupNorm, GroupNormConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;
use genzoo_kernels::group_norm::GroupNormFast;
use genzoo_nn::deterministic_init;
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod common;
use common::assert_close;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn norm(groups: usize, c: usize, device: &Device) -> GroupNorm {
    // Random γ, β (not the 1, 0 of a fresh norm) so their gradients and effect are exercised.
    deterministic_init(GroupNormConfig::new(groups, c).init(device), 3).expect("init")
}

/// (batch, channels, groups, height, width).
const SHAPES: [(usize, usize, usize, usize, usize); 4] = [
    (3, 8, 4, 5, 5),
    (2, 6, 3, 4, 7),
    (2, 4, 1, 3, 3),
    (1, 6, 6, 2, 2),
];

#[test]
fn matches_burn_in_value_and_gradient() {
    let d = Device::flex().autodiff();
    for (i, &(b, c, g, h, w)) in SHAPES.iter().enumerate() {
        let gn = norm(g, c, &d);
        // An offset and scale far from 0 and 1, where cancellation would show.
        let x0 = standard_normal([b, c, h, w], &mut rng(i as u64), &d)
            .mul_scalar(3.0)
            .add_scalar(2.0);
        let r = standard_normal([b, c, h, w], &mut rng(100 + i as u64), &d);
        let run = |fast: bool, act: bool| {
            let x = x0.clone().require_grad();
            let y = match (fast, act) {
                (false, false) => gn.forward(x.clone()),
                (true, false) => gn.forward_fast(x.clone()),
                (false, true) => silu(gn.forward(x.clone())),
                (true, true) => gn.forward_silu_fast(x.clone()),
            };
            let grads = (y.clone() * r.clone()).sum().backward();
            let gx = x.grad(&grads).expect("∂x");
            let gg = gn.gamma.as_ref().and_then(|p| p.grad(&grads)).expect("∂γ");
            let gb = gn.beta.as_ref().and_then(|p| p.grad(&grads)).expect("∂β");
            (y.inner(), gx, gg, gb)
        };
        for act in [false, true] {
            let (y0, gx0, gg0, gb0) = run(false, act);
            let recorded = genzoo_kernels::fast_ops_recorded();
            let (y1, gx1, gg1, gb1) = run(true, act);
            let case = format!("shape {i}, silu {act}");
            assert!(
                genzoo_kernels::fast_ops_recorded() > recorded,
                "{case}: burn's path ran"
            );
            assert_close(&format!("{case}: value"), y1, y0);
            assert_close(&format!("{case}: ∂x"), gx1, gx0);
            assert_close(&format!("{case}: ∂γ"), gg1, gg0);
            assert_close(&format!("{case}: ∂β"), gb1, gb0);
        }
    }
}

#[test]
fn inference_matches_burn_and_normalises() {
    let d = Device::flex();
    let (b, c, g, h) = (2, 6, 3, 4);
    let gn = GroupNormConfig::new(g, c).init(&d); // γ = 1, β = 0
    let x = standard_normal([b, c, h, h], &mut rng(7), &d)
        .mul_scalar(5.0)
        .add_scalar(-1.0);
    let recorded = genzoo_kernels::fast_ops_recorded();
    let y = gn.forward_fast(x.clone());
    assert!(
        genzoo_kernels::fast_ops_recorded() > recorded,
        "burn's path ran"
    );
    assert_close("inference", y.clone(), gn.forward(x));
    let groups = y.reshape([b * g, c / g * h * h]); // [B·G, M]
    let mean = groups.clone().mean_dim(1).abs().max().into_scalar::<f32>();
    let var = groups
        .var_bias(1)
        .sub_scalar(1.0)
        .abs()
        .max()
        .into_scalar::<f32>();
    assert!(mean < 1e-5, "group mean {mean}");
    assert!(var < 1e-3, "group variance off 1 by {var}");
}
