//! The network behind the diffusion family: the U-Net for images, or a small MLP for 2-D toys.
//!
//! MLP: `[x, sinusoidal(t)] → Linear → SiLU → … → Linear → D` (the usual toy denoiser, e.g.
//! tanelp/tiny-diffusion).
//!
//! # Shapes
//! `x: [B, D]` (flattened examples), `t: [B]` → `[B, D]`.

use burn::prelude::*;
use genzoo_nn::{Activation, Mlp, MlpConfig};

use genzoo_nn::time_embedding::sinusoidal;
use genzoo_nn::unet::UNet;

/// A step-conditioned MLP.
#[derive(Module, Debug)]
pub struct MlpDenoiser {
    mlp: Mlp,
    #[module(skip)]
    time_features: usize,
}

impl MlpDenoiser {
    /// An MLP from `d` data values plus `time_features` step features through `hidden` to `d`.
    pub fn new(d: usize, hidden: &[usize], time_features: usize, device: &Device) -> Self {
        let dims = [&[d + time_features][..], hidden, &[d]].concat();
        MlpDenoiser {
            mlp: MlpConfig {
                dims,
                activation: Activation::Silu,
                bias: true,
            }
            .init(device),
            time_features,
        }
    }

    /// # Shapes
    /// `x: [B, D]`, `t: [B]` → `[B, D]`.
    pub fn forward(&self, x: Tensor<2>, t: Tensor<1>) -> Tensor<2> {
        let temb = sinusoidal(t, self.time_features); // [B, F]
        self.mlp.forward(Tensor::cat(vec![x, temb], 1)) // [B, D + F] → [B, D]
    }
}

/// Either network.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Net {
    /// Images.
    UNet(UNet),
    /// Flat data (2-D toys).
    Mlp(MlpDenoiser),
}

impl Net {
    /// The prediction for flattened examples; `image` is `[C, H, W]` for the U-Net.
    ///
    /// # Shapes
    /// `x: [B, D]`, `t: [B]` → `[B, D]`.
    pub fn forward(&self, x: Tensor<2>, t: Tensor<1>, image: [usize; 3]) -> Tensor<2> {
        match self {
            Net::Mlp(m) => m.forward(x, t),
            Net::UNet(u) => {
                let [b, _] = x.dims();
                let [c, h, w] = image;
                let x = x.reshape([b, c, h, w]); // [B, C, H, W]
                u.forward(x, t).flatten::<2>(1, 3) // [B, C·H·W]
            }
        }
    }
}
