//! CPC's networks: a conv patch encoder and a row-causal context network.
//!
//! Encoder (per patch): `conv3×3(C → w) → ReLU → conv3×3(w → 2w) → ReLU → flatten → Linear → z`
//! (valid convs: a p-pixel patch leaves (p − 4)²).
//!
//! Context (over the grid of z): `L` convs with a 2 × 3 kernel (rows i − 1 and i, columns j ± 1),
//! padded by one row on top only, so the output at row i depends on input rows ≤ i and never on
//! the rows below, which the predictions target (tested by gradients); ReLU between layers. After
//! L layers c_i sees rows i − L .. i, columns j ± L.
//!
//! # Shapes
//! Encoder `[P, C, p, p]` → `[P, D]`; context `[B, D, G, G]` → `[B, Cc, G, G]`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::ops::PadMode;
use genzoo_nn::fast::Conv2dFast;

/// The patch encoder.
#[derive(Module, Debug)]
pub struct PatchEncoder {
    conv1: Conv2d,
    conv2: Conv2d,
    out: Linear,
}

impl PatchEncoder {
    /// An encoder of `c`-channel patches of side `patch` into `latent` values, first conv
    /// `width` wide.
    pub fn new(c: usize, patch: usize, width: usize, latent: usize, device: &Device) -> Self {
        let inner = patch - 4;
        PatchEncoder {
            conv1: Conv2dConfig::new([c, width], [3, 3]).init(device),
            conv2: Conv2dConfig::new([width, 2 * width], [3, 3]).init(device),
            out: LinearConfig::new(2 * width * inner * inner, latent).init(device),
        }
    }

    /// # Shapes
    /// `[P, C, p, p]` → `[P, D]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let h = relu(self.conv1.forward_fast(x));
        let h = relu(self.conv2.forward_fast(h));
        self.out.forward(h.flatten::<2>(1, 3))
    }
}

/// The row-causal context network.
#[derive(Module, Debug)]
pub struct Context {
    layers: Vec<Conv2d>,
}

impl Context {
    /// `layers` causal convs from `latent` to `width` channels.
    pub fn new(latent: usize, width: usize, layers: usize, device: &Device) -> Self {
        Context {
            layers: (0..layers)
                .map(|l| {
                    let c_in = if l == 0 { latent } else { width };
                    Conv2dConfig::new([c_in, width], [2, 3]).init(device)
                })
                .collect(),
        }
    }

    /// # Shapes
    /// `[B, D, G, G]` → `[B, Cc, G, G]`.
    pub fn forward(&self, z: Tensor<4>) -> Tensor<4> {
        let last = self.layers.len().saturating_sub(1);
        let mut h = z;
        for (l, conv) in self.layers.iter().enumerate() {
            // (left, right, top, bottom): one row above, none below, so row i sees rows ≤ i.
            let padded = h.pad((1, 1, 1, 0), PadMode::Constant(0.0));
            h = conv.forward_fast(padded);
            if l < last {
                h = relu(h);
            }
        }
        h
    }
}
