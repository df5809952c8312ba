//! Squeeze-and-excitation (Hu et al. 2018) as EfficientNet uses it:
//! ```text
//! s = mean_{h,w} x          [B, C]       (squeeze)
//! e = σ(W₂ swish(W₁ s + b₁) + b₂)         W₁: C → C_se, W₂: C_se → C  (excite)
//! y = x ⊙ e                              (per-channel gate)
//! ```
//! with `C_se = max(1, ⌊0.25 · block input channels⌋)` (the ratio is of the block's input, not
//! of the expanded width). The reference writes W₁, W₂ as 1×1 convolutions on the 1×1 pooled
//! map; linear layers on `[B, C]` are the same map with the same parameters.
//!
//! # Shapes
//! `[B, C, H, W]` → `[B, C, H, W]`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use genzoo_nn::fast::silu_fast;

/// The SE gate of one block.
#[derive(Module, Debug)]
pub struct SqueezeExcite {
    /// `C → C_se`.
    pub reduce: Linear,
    /// `C_se → C`.
    pub expand: Linear,
}

impl SqueezeExcite {
    /// A gate over `channels` through `squeezed` units.
    pub fn new(channels: usize, squeezed: usize, bias: bool, device: &Device) -> Self {
        Self {
            reduce: LinearConfig::new(channels, squeezed)
                .with_bias(bias)
                .init(device),
            expand: LinearConfig::new(squeezed, channels)
                .with_bias(bias)
                .init(device),
        }
    }

    /// # Shapes
    /// `[B, C, H, W]` → `[B, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, _, _] = x.dims();
        let s = x.clone().mean_dim(3).mean_dim(2).reshape([b, c]); // [B, C]
        let e = sigmoid(self.expand.forward(silu_fast(self.reduce.forward(s)))); // [B, C]
        x * e.reshape([b, c, 1, 1]) // [B, C, H, W], gate broadcast over H, W
    }
}
