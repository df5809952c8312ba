//! Spectral normalisation against an SVD: after power iteration the normalised weight's largest
//! singular value is 1, σ's gradient is the top singular pair's outer product, inference leaves
//! the state alone, and the state is a checkpointed tensor.
#![allow(clippy::unwrap_used)]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2dConfig;
use burn::prelude::*;
use genzoo_nn::spectral_norm::{SnConv2d, SnLinear, SpectralNorm};
use genzoo_nn::{deterministic_init, host::to_vec, named_params, noise::standard_normal};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn matrix(t: Tensor<2>) -> DMatrix<f64> {
    let [r, c] = t.dims();
    let v = to_vec(t, "w").unwrap();
    DMatrix::from_row_slice(r, c, &v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>())
}

fn top_singular(m: &DMatrix<f64>) -> f64 {
    m.clone().svd(false, false).singular_values.max()
}

#[test]
fn power_iteration_bounds_the_largest_singular_value_by_one() {
    let d = Device::flex().autodiff();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let w = standard_normal([16, 24], &mut rng, &d);
    let sn = deterministic_init(SpectralNorm::new(16, 1, &d), 3).unwrap();
    let sigma_true = top_singular(&matrix(w.clone().detach()));
    // One iteration per training forward, as in training: σ converges over the calls.
    for _ in 0..200 {
        let _ = sn.sigma(&w);
    }
    let sigma = sn.sigma(&w).into_scalar::<f32>() as f64;
    assert!(
        (sigma - sigma_true).abs() < 1e-3 * sigma_true,
        "{sigma} vs {sigma_true}"
    );
    let normalised = sn.normalise(w).detach();
    let s = top_singular(&matrix(normalised));
    assert!((s - 1.0).abs() < 1e-3, "largest singular value {s}");
}

#[test]
fn sigma_gradient_is_the_top_singular_pair() {
    // ∂σ₁/∂W = u₁ v₁ᵀ for a simple top singular value; σ = uᵀWv with u, v held constant gives
    // exactly that once the iteration has converged.
    let d = Device::flex().autodiff();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let w0 = standard_normal([6, 9], &mut rng, &d).detach();
    let sn = deterministic_init(SpectralNorm::new(6, 1, &d), 4).unwrap();
    for _ in 0..200 {
        let _ = sn.sigma(&w0);
    }
    let w = w0.clone().require_grad();
    let grads = sn.sigma(&w).sum().backward();
    let g = matrix(w.grad(&grads).unwrap());
    let svd = matrix(w0).svd(true, true);
    let k = svd.singular_values.imax();
    let (u, vt) = (svd.u.unwrap(), svd.v_t.unwrap());
    let outer = u.column(k) * vt.row(k);
    assert!((g - outer).abs().max() < 1e-3);
}

#[test]
fn inference_keeps_the_state_and_the_state_is_checkpointed() {
    let d = Device::flex().autodiff();
    let layer = deterministic_init(SnLinear::new(5, 3, 1, &d), 7).unwrap();
    let names: Vec<String> = named_params(&layer)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(names.contains(&"sn.u".to_string()), "{names:?}");
    let x = standard_normal([4, 5], &mut ChaCha8Rng::seed_from_u64(1), &d);
    let _ = layer.forward(x.clone());
    let u_trained = named_params(&layer).unwrap();
    let eval = layer.valid();
    let xi = x.inner();
    let a = eval.forward(xi.clone());
    let b = eval.forward(xi);
    assert_eq!(to_vec(a, "a").unwrap(), to_vec(b, "b").unwrap());
    let u_after = named_params(&eval).unwrap();
    assert_eq!(u_trained, u_after, "inference must not move u");
}

#[test]
fn convolution_kernel_is_normalised_as_a_matrix() {
    let d = Device::flex().autodiff();
    let config =
        Conv2dConfig::new([3, 8], [3, 3]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1));
    let conv = deterministic_init(SnConv2d::new(&config, 1, &d), 9).unwrap();
    let x = standard_normal([2, 3, 6, 6], &mut ChaCha8Rng::seed_from_u64(2), &d);
    for _ in 0..200 {
        let _ = conv.forward(x.clone());
    }
    let w = conv.conv.weight.val().detach();
    let w2 = conv.sn.normalise(w.reshape([8, 27])).detach();
    let s = top_singular(&matrix(w2));
    assert!((s - 1.0).abs() < 1e-3, "{s}");
    // And the layer's output is the convolution with that kernel.
    let y = conv.forward(x.clone());
    assert_eq!(y.dims(), [2, 8, 6, 6]);
}
