//! The whole EfficientNet: stem, MBConv blocks, head, classifier.
//! ```text
//! x ─resize to r×r─▶ swish(BN(conv3×3/s_stem)) ─▶ MBConv × N ─▶ swish(BN(conv1×1)) ─▶ mean_{h,w}
//!   ─▶ features [B, C_head] ─dropout─▶ linear ─▶ logits [B, classes]
//! ```
//! Inputs whose side differs from the architecture's resolution are resized bilinearly first
//! (MNIST's 28×28 to, say, 32×32); a small input can instead keep its size with a stride-1
//! stem (see `EfficientNetConfig::stem_stride`).
//!
//! # Shapes
//! `[B, C_in, H, W]` → (features `[B, C_head]`, logits `[B, classes]`).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use rand_chacha::ChaCha8Rng;

use super::architecture::{Architecture, STEM_KERNEL};
use super::conv_bn::{ConvBn, ConvBnSpec};
use super::mbconv::MbConv;
use super::stochastic::dropout;

/// A built EfficientNet.
#[derive(Module, Debug)]
pub struct EfficientNet {
    /// 3×3 stem.
    pub stem: ConvBn,
    /// MBConv blocks.
    pub blocks: Vec<MbConv>,
    /// 1×1 head convolution.
    pub head: ConvBn,
    /// Classifier.
    pub fc: Linear,
    /// Input side the network was built for.
    #[module(skip)]
    pub resolution: usize,
    /// Dropout before the classifier.
    #[module(skip)]
    pub dropout: f64,
}

impl Architecture {
    /// Build the network.
    pub fn init(&self, device: &Device) -> EfficientNet {
        let stem = ConvBnSpec {
            c_in: self.in_channels,
            c_out: self.stem,
            kernel: STEM_KERNEL,
            stride: self.stem_stride,
            groups: 1,
            side: self.scaling.resolution,
        }
        .init(device);
        let blocks = self
            .blocks
            .iter()
            .map(|b| MbConv::new(b, self.bias, device))
            .collect();
        let head = ConvBnSpec {
            c_in: self.last_block_channels(),
            c_out: self.head,
            kernel: 1,
            stride: 1,
            groups: 1,
            side: self.head_side,
        }
        .init(device);
        let fc = LinearConfig::new(self.head, self.classes)
            .with_bias(self.bias)
            .init(device);
        EfficientNet {
            stem,
            blocks,
            head,
            fc,
            resolution: self.scaling.resolution,
            dropout: self.scaling.dropout,
        }
    }
}

impl EfficientNet {
    /// Penultimate features and logits. `rng`: the step's stream in training (stochastic depth
    /// and dropout), `None` at evaluation.
    ///
    /// # Shapes
    /// `x: [B, C_in, H, W]` → (`[B, C_head]`, `[B, classes]`).
    pub fn forward(
        &self,
        x: Tensor<4>,
        mut rng: Option<&mut ChaCha8Rng>,
    ) -> (Tensor<2>, Tensor<2>) {
        let [b, _, h, w] = x.dims();
        let r = self.resolution;
        let x = if (h, w) == (r, r) {
            x
        } else {
            let options =
                InterpolateOptions::new(InterpolateMode::Bilinear).with_output_size([r, r]);
            interpolate(x, options) // [B, C_in, r, r]
        };
        let mut h = self.stem.forward_silu(x); // [B, C_stem, r/s, r/s]
        for block in &self.blocks {
            h = block.forward(h, rng.as_deref_mut());
        }
        let h = self.head.forward_silu(h); // [B, C_head, h', w']
        let [_, c, _, _] = h.dims();
        let features = h.mean_dim(3).mean_dim(2).reshape([b, c]); // [B, C_head]
        let logits = self
            .fc
            .forward(dropout(features.clone(), self.dropout, rng));
        (features, logits)
    }
}
