//! The small convolutional classifier whose penultimate layer is genzoo's MNIST feature space
//! (FID, KID, precision/recall):
//! ```text
//! [B,1,28,28] ─conv3×3 c₁,ReLU─▶ [B,c₁,28,28] ─maxpool2─▶ [B,c₁,14,14]
//!   ─conv3×3 c₂,ReLU─▶ [B,c₂,14,14] ─maxpool2─▶ [B,c₂,7,7] ─conv3×3 c₃,ReLU─▶ [B,c₃,7,7]
//!   ─flatten, linear F, ReLU─▶ features [B,F] ─linear─▶ logits [B,classes]
//! ```
//! Defaults c = (32, 64, 128), F = 128 (conv32-pool-conv64-pool-conv128-fc128-fc10). Pooling
//! right after the first convolution puts the two wide convolutions on 14×14 and 7×7 maps:
//! 8.3M multiply-adds per image instead of 29M for conv32-conv64-pool-conv128-pool, which
//! proved too slow for a feature net every session retrains (its measured step:
//! docs/history/speed.md, "Figures formerly quoted in code comments (moved 2026-12-05)").
//! Convolutions are SAME-padded (pad 1), pools floor odd sides. Every layer has a bias unless
//! the config says `bias = false`.
//!
//! # Shapes
//! `[B, C, H, W]` → (`[B, F]`, `[B, classes]`).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::relu;
use genzoo_nn::fast::Conv2dFast;
use genzoo_nn::fast::MaxPoolFast;
use genzoo_rf::{ConvGeometry, RfError, RfNet, modules};

/// Kernel side of every convolution.
const KERNEL: usize = 3;
/// SAME padding of a 3×3 convolution.
const PAD: usize = 1;
/// Side and stride of the max pools.
const POOL: usize = 2;

/// The conv net.
#[derive(Module, Debug)]
pub struct Cnn {
    conv1: Conv2d,
    pool1: MaxPool2d,
    conv2: Conv2d,
    pool2: MaxPool2d,
    conv3: Conv2d,
    fc1: Linear,
    fc2: Linear,
    #[module(skip)]
    image: [usize; 3],
}

impl Cnn {
    /// A net for `[C, H, W]` images with conv widths `channels`, `features` penultimate units.
    pub fn new(
        image: [usize; 3],
        channels: [usize; 3],
        features: usize,
        classes: usize,
        bias: bool,
        device: &Device,
    ) -> Self {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [KERNEL, KERNEL])
                .with_padding(PaddingConfig2d::Explicit(PAD, PAD, PAD, PAD))
                .with_bias(bias)
                .init(device)
        };
        let pool = || {
            MaxPool2dConfig::new([POOL, POOL])
                .with_strides([POOL, POOL])
                .init()
        };
        let [c, h, w] = image;
        let flat = channels[2] * (h / POOL / POOL) * (w / POOL / POOL);
        Self {
            conv1: conv(c, channels[0]),
            pool1: pool(),
            conv2: conv(channels[0], channels[1]),
            pool2: pool(),
            conv3: conv(channels[1], channels[2]),
            fc1: LinearConfig::new(flat, features)
                .with_bias(bias)
                .init(device),
            fc2: LinearConfig::new(features, classes)
                .with_bias(bias)
                .init(device),
            image,
        }
    }

    /// The convolutional part: `[B, C, H, W]` → `[B, c₃, H/4, W/4]`.
    fn conv_features(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.pool1.forward_relu_fast(self.conv1.forward_fast(x)); // [B, c1, H/2, W/2]
        let x = self.pool2.forward_relu_fast(self.conv2.forward_fast(x)); // [B, c2, H/4, W/4]
        relu(self.conv3.forward_fast(x)) // [B, c3, H/4, W/4]
    }

    /// # Shapes
    /// `[B, C, H, W]` → (features `[B, F]`, logits `[B, classes]`).
    pub fn forward(&self, x: Tensor<4>) -> (Tensor<2>, Tensor<2>) {
        let h = self.conv_features(x).flatten::<2>(1, 3); // [B, c3·H/4·W/4]
        let features = relu(self.fc1.forward(h)); // [B, F]
        let logits = self.fc2.forward(features.clone()); // [B, classes]
        (features, logits)
    }
}

/// The convolutions and pools, up to the map the first linear layer flattens.
impl ConvGeometry for Cnn {
    fn rf_input(&self) -> [usize; 3] {
        self.image
    }

    fn rf_net(&self) -> Result<RfNet, RfError> {
        Ok(RfNet::chain(
            "classifier.cnn",
            vec![
                modules::conv2d("conv1", &self.conv1)?,
                modules::max_pool2d("pool1", &self.pool1)?,
                modules::conv2d("conv2", &self.conv2)?,
                modules::max_pool2d("pool2", &self.pool2)?,
                modules::conv2d("conv3", &self.conv3)?,
            ],
        ))
    }

    fn rf_forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.conv_features(x)
    }
}
