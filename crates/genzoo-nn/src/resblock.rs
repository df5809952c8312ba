//! The U-Net's residual block (Ho et al. 2020, after Wide ResNet / PixelCNN++):
//! ```text
//! h = conv₃ₓ₃(SiLU(GN(x))) + Linear(SiLU(temb))     (the step enters as a per-channel bias)
//! h = conv₃ₓ₃(SiLU(GN(h)))
//! out = skip(x) + h                                 (skip: 1×1 conv when widths differ)
//! ```
//!
//! # Shapes
//! `x: [B, C_in, H, W]`, `temb: [B, E]` → `[B, C_out, H, W]`.

use crate::fast::Conv2dFast;
use crate::fast::GroupNormFast;
use crate::fast::silu_fast;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;

/// Kernel of the block's convolutions.
const KERNEL: usize = 3;
/// "Same" padding of a 3×3 convolution.
const SAME: usize = 1;

/// A 3×3 convolution with "same" padding.
pub fn conv3x3(c_in: usize, c_out: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([c_in, c_out], [KERNEL, KERNEL])
        .with_padding(PaddingConfig2d::Explicit(SAME, SAME, SAME, SAME))
        .init(device)
}

/// One residual block.
#[derive(Module, Debug)]
pub struct ResBlock {
    norm1: GroupNorm,
    conv1: Conv2d,
    temb: Linear,
    norm2: GroupNorm,
    conv2: Conv2d,
    skip: Option<Conv2d>,
}

impl ResBlock {
    /// A block from `c_in` to `c_out` channels, with `groups` GroupNorm groups (dividing both)
    /// and a step embedding of width `temb`.
    pub fn new(c_in: usize, c_out: usize, temb: usize, groups: usize, device: &Device) -> Self {
        ResBlock {
            norm1: GroupNormConfig::new(groups, c_in).init(device),
            conv1: conv3x3(c_in, c_out, device),
            temb: LinearConfig::new(temb, c_out).init(device),
            norm2: GroupNormConfig::new(groups, c_out).init(device),
            conv2: conv3x3(c_out, c_out, device),
            skip: (c_in != c_out).then(|| Conv2dConfig::new([c_in, c_out], [1, 1]).init(device)),
        }
    }

    /// # Shapes
    /// `x: [B, C_in, H, W]`, `temb: [B, E]` → `[B, C_out, H, W]`.
    pub fn forward(&self, x: Tensor<4>, temb: Tensor<2>) -> Tensor<4> {
        let h = self
            .conv1
            .forward_fast(self.norm1.forward_silu_fast(x.clone())); // [B, C_out, H, W]
        let bias = self
            .temb
            .forward(silu_fast(temb))
            .unsqueeze_dims::<4>(&[2, 3]); // [B, C_out, 1, 1]
        let h = h + bias;
        let h = self.conv2.forward_fast(self.norm2.forward_silu_fast(h));
        let x = match &self.skip {
            Some(conv) => conv.forward_fast(x),
            None => x,
        };
        x + h
    }
}
