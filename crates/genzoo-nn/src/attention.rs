//! Single-head self-attention over the pixels of a feature map, with a residual connection
//! (Ho et al. 2020 use it at 16×16; here at the U-Net's lowest resolution):
//! ```text
//! h = GN(x) as N = H·W tokens of width C;  q, k, v = h W_q, h W_k, h W_v
//! out = x + (softmax(q kᵀ / √C) v) W_o
//! ```
//!
//! # Shapes
//! `x: [B, C, H, W]` → `[B, C, H, W]`.

use crate::fast::GroupNormFast;
use burn::nn::{GroupNorm, GroupNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Self-attention block.
#[derive(Module, Debug)]
pub struct SelfAttention {
    norm: GroupNorm,
    qkv: Linear,
    out: Linear,
}

impl SelfAttention {
    /// Attention over `channels`-wide tokens, GroupNorm with `groups` groups.
    pub fn new(channels: usize, groups: usize, device: &Device) -> Self {
        SelfAttention {
            norm: GroupNormConfig::new(groups, channels).init(device),
            qkv: LinearConfig::new(channels, 3 * channels).init(device),
            out: LinearConfig::new(channels, channels).init(device),
        }
    }

    /// # Shapes
    /// `x: [B, C, H, W]` → `[B, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, c, h, w] = x.dims();
        let tokens = self
            .norm
            .forward_fast(x.clone())
            .reshape([b, c, h * w]) // [B, C, N]
            .swap_dims(1, 2); // [B, N, C]
        let mut qkv = self.qkv.forward(tokens).chunk(3, 2); // 3 × [B, N, C]
        let (v, k, q) = match (qkv.pop(), qkv.pop(), qkv.pop()) {
            (Some(v), Some(k), Some(q)) => (v, k, q),
            // chunk(3) of a width-3C axis always yields three parts.
            _ => unreachable!("qkv has width 3C"),
        };
        let scores = q.matmul(k.swap_dims(1, 2)).div_scalar((c as f64).sqrt()); // [B, N, N]
        let attended = softmax(scores, 2).matmul(v); // [B, N, C]
        let out = self
            .out
            .forward(attended)
            .swap_dims(1, 2) // [B, C, N]
            .reshape([b, c, h, w]); // [B, C, H, W]
        x + out
    }
}
