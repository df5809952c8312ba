//! CPC's networks: for images a conv patch encoder and a row-causal context network; for 1-D
//! sequences a strided conv encoder and a GRU context (the paper's audio setting).
//!
//! Encoder (per patch): `conv3×3(C → w) → ReLU → conv3×3(w → 2w) → ReLU → flatten → Linear → z`
//! (valid convs: a p-pixel patch leaves (p − 4)²).
//!
//! Context (over the grid of z): `L` convs with a 2 × 3 kernel (rows i − 1 and i, columns j ± 1),
//! padded by one row on top only, so the output at row i depends on input rows ≤ i and never on
//! the rows below, which the predictions target (tested by gradients); ReLU between layers. After
//! L layers c_i sees rows i − L .. i, columns j ± L.
//!
//! Sequence encoder: `[conv(kernel 2s, stride s, padding s/2) → ReLU]` per stride s, then a
//! 1 × 1 conv to z: each conv divides the length by its stride exactly (L → ⌊L/s⌋), so z has
//! T = L / Πs steps (the paper: strides 5, 4, 2, 2, 2, kernels 10, 8, 4, 4, 4, 512 channels,
//! on 16 kHz audio). Sequence context: a GRU over z_1..z_t, causal by construction.
//!
//! The sequence networks keep their time axis where the grid has its rows (`[B, D, T, 1]`), so
//! the loss, its negatives and the probe's pooling are the image setting's with one column.
//!
//! # Shapes
//! Encoder `[P, C, p, p]` → `[P, D]`; context `[B, D, G, G]` → `[B, Cc, G, G]`;
//! sequence encoder `[B, C·L]` → `[B, D, T, 1]`; GRU context `[B, D, T, 1]` → `[B, Cc, T, 1]`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use burn::tensor::ops::PadMode;
use genzoo_nn::Gru;
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

/// The sequence setting's networks: strided conv encoder and GRU context.
#[derive(Module, Debug)]
pub struct SequenceNet {
    convs: Vec<Conv2d>,
    out: Conv2d,
    gru: Gru,
    #[module(skip)]
    channels: usize,
}

impl SequenceNet {
    /// Encoder of `c`-channel sequences with one conv `width` wide per stride (kernel 2s,
    /// padding s/2: each stride must be even), z of `latent`, GRU context of `context` units.
    pub fn new(
        c: usize,
        strides: &[usize],
        width: usize,
        latent: usize,
        context: usize,
        device: &Device,
    ) -> Self {
        SequenceNet {
            convs: strides
                .iter()
                .enumerate()
                .map(|(i, &st)| {
                    Conv2dConfig::new([if i == 0 { c } else { width }, width], [1, 2 * st])
                        .with_stride([1, st])
                        .with_padding(burn::nn::PaddingConfig2d::Explicit(0, st / 2, 0, st / 2))
                        .init(device)
                })
                .collect(),
            out: Conv2dConfig::new([width, latent], [1, 1]).init(device),
            gru: Gru::new(latent, context, device),
            channels: c,
        }
    }

    /// z of every step.
    ///
    /// # Shapes
    /// `[B, C·L]` → `[B, D, T, 1]`.
    pub fn encode(&self, x: Tensor<2>) -> Tensor<4> {
        let [b, cl] = x.dims();
        let mut h = x.reshape([b, self.channels, 1, cl / self.channels]);
        for conv in &self.convs {
            h = relu(conv.forward_fast(h));
        }
        self.out.forward_fast(h).swap_dims(2, 3)
    }

    /// c of every step: the GRU over z_1..z_t.
    ///
    /// # Shapes
    /// `[B, D, T, 1]` → `[B, Cc, T, 1]`.
    pub fn context(&self, z: Tensor<4>) -> Tensor<4> {
        let [b, d, t, _] = z.dims();
        let seq = z.reshape([b, d, t]).swap_dims(1, 2); // [B, T, D]
        let c = self.gru.forward(seq); // [B, T, Cc]
        let cc = c.dims()[2];
        c.swap_dims(1, 2).reshape([b, cc, t, 1])
    }
}
