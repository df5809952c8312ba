//! A one-layer GRU (Cho et al. 2014) over a sequence, PyTorch's `nn.GRU(batch_first=True)` with
//! `h_0 = 0`: gates `r | z | n` in that order, both biases, weights drawn from
//! U(−1/√H, 1/√H) as PyTorch draws them.
//! ```text
//! gx = x W_ihᵀ + b_ih                      (every step at once)
//! r = σ(gx_r + h W_hr + b_hr),  z = σ(gx_z + h W_hz + b_hz),  n = tanh(gx_n + r ⊙ (h W_hn + b_hn))
//! h ← (1 − z) ⊙ n + z ⊙ h
//! ```
//! The recurrence runs in `genzoo_kernels::gru` (one fused op with its backward through time on
//! flex, burn's ops elsewhere).
//!
//! # Shapes
//! `x: [B, T, I]` → `[B, T, H]`.

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;
use genzoo_kernels::gru::gru_fast;

/// A one-layer GRU.
#[derive(Module, Debug)]
pub struct Gru {
    /// `x → gx`, `[I] → [3H]` (burn stores the weight as `[I, 3H]`).
    input: Linear,
    /// `h → gh`, `[H] → [3H]`.
    hidden: Linear,
}

impl Gru {
    /// A GRU from `input` features to `hidden` units.
    pub fn new(input: usize, hidden: usize, device: &Device) -> Self {
        let k = 1.0 / (hidden as f64).sqrt();
        let init = Initializer::Uniform { min: -k, max: k };
        let linear = |i: usize| {
            LinearConfig::new(i, 3 * hidden)
                .with_initializer(init.clone())
                .init(device)
        };
        Gru {
            input: linear(input),
            hidden: linear(hidden),
        }
    }

    /// Hidden units H.
    pub fn hidden(&self) -> usize {
        self.hidden.weight.dims()[0]
    }

    /// h_t for every step.
    ///
    /// # Shapes
    /// `x: [B, T, I]` → `[B, T, H]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let gx = self.input.forward(x); // [B, T, 3H]
        let w_hh = self.hidden.weight.val().transpose(); // [3H, H]
        let b_hh = match &self.hidden.bias {
            Some(b) => b.val(),
            None => Tensor::zeros([w_hh.dims()[0]], &gx.device()),
        };
        gru_fast(gx, w_hh, b_hh)
    }
}
