//! Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for Generative
//! Adversarial Networks"): a layer's weight divided by an estimate of its largest singular value,
//! so the layer is (about) 1-Lipschitz.
//!
//! With `W` viewed as a matrix `[out, in]` (a convolution's `[O, C, kh, kw]` as `[O, C·kh·kw]`)
//! and a stored unit vector `u` `[out]`, each training forward runs power iteration on the
//! detached weight and keeps the new `u`:
//! ```text
//! v ← Wᵀu / ‖Wᵀu‖,   u ← W v / ‖W v‖         (n_power times; Miyato et al. use 1)
//! σ = uᵀ W v,   W_SN = W / σ                  (u, v constants; the gradient flows through W
//!                                              in both W and σ, as in the paper's Algorithm 1)
//! ```
//! Outside training (a device without autodiff) `u` is left as it is and `v` is one step from it,
//! as PyTorch's `spectral_norm` does in eval mode. `u` is a [`RunningState`], like batch norm's
//! statistics: a float tensor visited with the parameters, so checkpoints hold it, resume
//! continues the same iteration, and no optimiser steps it (it has no gradient). burn has no
//! gradient-of-gradient, which rules out gradient penalties; this constraint needs none.
//!
//! # Shapes
//! `w: [out, in]` → `[out, in]`; [`SnLinear`]: `[B, in]` → `[B, out]`; [`SnConv2d`]: as its conv.

use burn::module::RunningState;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;

use crate::fast::Conv2dFast;

/// Guard of the normalisations `x / ‖x‖` against a zero vector.
const EPS: f64 = 1e-12;

/// The power-iteration state of one weight.
#[derive(Module, Debug)]
pub struct SpectralNorm {
    /// The left singular vector estimate, `[out]`.
    u: RunningState<Tensor<1>>,
    /// Power iterations per training forward.
    n_power: usize,
}

fn unit(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powi_scalar(2).sum().sqrt().add_scalar(EPS); // [1]
    x.div(norm.unsqueeze_dim(1))
}

impl SpectralNorm {
    /// State for a weight with `out` rows; `u` starts as a random unit vector (from burn's
    /// initialiser, like the weights: `materialize` and `deterministic_init` fix it by seed).
    pub fn new(out: usize, n_power: usize, device: &Device) -> Self {
        let u = Tensor::<1>::random([out], Distribution::Normal(0.0, 1.0), device);
        let u = unit(u.unsqueeze_dim(1)).reshape([out]);
        SpectralNorm {
            u: RunningState::new(u),
            n_power: n_power.max(1),
        }
    }

    /// `(u, v)` after the power iterations on the detached `w` (`[out, 1]`, `[in, 1]`).
    fn vectors(&self, w: &Tensor<2>, training: bool) -> (Tensor<2>, Tensor<2>) {
        let wd = w.clone().detach();
        let mut u = self.u.value_sync().to_device(&w.device()).unsqueeze_dim(1); // [out, 1]
        let mut v = unit(wd.clone().transpose().matmul(u.clone())); // [in, 1]
        if training {
            for i in 0..self.n_power {
                if i > 0 {
                    v = unit(wd.clone().transpose().matmul(u.clone()));
                }
                u = unit(wd.clone().matmul(v.clone()));
            }
            self.u.update(u.clone().reshape([u.dims()[0]]).detach());
            // Merge the update at once: burn's `RunningState` keeps it per thread until the
            // next read, and a module visit (checkpoints, EMA) does not read through that.
            let _ = self.u.value_sync();
        }
        (u.detach(), v.detach())
    }

    /// The estimate σ of the largest singular value of `w` (`[1, 1]`, differentiable in `w`).
    pub fn sigma(&self, w: &Tensor<2>) -> Tensor<2> {
        let training = w.device().is_autodiff();
        let (u, v) = self.vectors(w, training);
        u.transpose().matmul(w.clone().matmul(v)) // [1, 1]
    }

    /// `W / σ(W)`.
    ///
    /// # Shapes
    /// `[out, in]` → `[out, in]`.
    pub fn normalise(&self, w: Tensor<2>) -> Tensor<2> {
        let sigma = self.sigma(&w);
        w.div(sigma)
    }
}

/// A linear layer with a spectrally normalised weight.
#[derive(Module, Debug)]
pub struct SnLinear {
    /// The layer (its weight is `[in, out]`, burn's layout).
    pub linear: Linear,
    /// The weight's power-iteration state.
    pub sn: SpectralNorm,
}

impl SnLinear {
    /// `in → out`, with bias, `n_power` iterations per training forward.
    pub fn new(d_in: usize, d_out: usize, n_power: usize, device: &Device) -> Self {
        SnLinear {
            linear: LinearConfig::new(d_in, d_out).init(device),
            sn: SpectralNorm::new(d_out, n_power, device),
        }
    }

    /// The normalised weight `[in, out]` (burn's layout; normalised as the `[out, in]` matrix).
    pub fn weight(&self) -> Tensor<2> {
        let w = self.linear.weight.val().transpose(); // [out, in]
        self.sn.normalise(w).transpose()
    }

    /// `x W_SN + b`.
    ///
    /// # Shapes
    /// `[B, in]` → `[B, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let y = x.matmul(self.weight());
        match &self.linear.bias {
            Some(b) => y + b.val().unsqueeze_dim(0),
            None => y,
        }
    }
}

/// A 2-D convolution with a spectrally normalised kernel.
#[derive(Module, Debug)]
pub struct SnConv2d {
    /// The convolution.
    pub conv: Conv2d,
    /// The kernel's power-iteration state.
    pub sn: SpectralNorm,
}

impl SnConv2d {
    /// The convolution `config` builds, normalised with `n_power` iterations per training
    /// forward.
    pub fn new(config: &Conv2dConfig, n_power: usize, device: &Device) -> Self {
        let conv = config.init(device);
        let out = conv.weight.dims()[0];
        SnConv2d {
            conv,
            sn: SpectralNorm::new(out, n_power, device),
        }
    }

    /// The convolution with `W_SN`, through the fast path.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, O, Ho, Wo]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let w = self.conv.weight.val();
        let dims = w.dims();
        let w2 = self
            .sn
            .normalise(w.reshape([dims[0], dims[1] * dims[2] * dims[3]]));
        self.conv.forward_fast_with(x, w2.reshape(dims))
    }
}
