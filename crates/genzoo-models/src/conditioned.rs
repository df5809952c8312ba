//! The time-conditioned network f(x, t) shared by the families that learn a field over a path
//! from noise to data (diffusion's denoiser, a rectified flow's velocity): the U-Net of
//! `genzoo_nn::unet` for images, or a small MLP for 2-D toys.
//!
//! MLP: `[x, sinusoidal(t)] → Linear → SiLU → … → Linear → D` (the usual toy denoiser, e.g.
//! tanelp/tiny-diffusion).
//!
//! # Shapes
//! `x: [B, D]` (flattened examples), `t: [B]` → `[B, D]`.

use burn::prelude::*;
use genzoo_nn::unet::{UNet, UNetConfig};
use genzoo_nn::{Activation, Mlp, MlpConfig};
use serde::{Deserialize, Serialize};

use crate::{DataSpec, ModelError};
use genzoo_nn::time_embedding::sinusoidal;

/// Which network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetKind {
    /// The U-Net (images `[C, H, W]`).
    #[default]
    Unet,
    /// An MLP over flattened examples (2-D toys).
    Mlp,
}

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

/// Build the network a config names, sized to `data`, and the `[C, H, W]` it reshapes rows to
/// (`[1, 1, D]` for flat data). `what` names the family in messages.
pub fn build(
    kind: NetKind,
    unet: &UNetConfig,
    hidden: &[usize],
    time_features: usize,
    data: &DataSpec,
    device: &Device,
) -> Result<(Net, [usize; 3]), ModelError> {
    match kind {
        NetKind::Mlp => {
            let d = data.dim();
            let net = MlpDenoiser::new(d, hidden, time_features, device);
            Ok((Net::Mlp(net), [1, 1, d]))
        }
        NetKind::Unet => {
            let image = data.image().ok_or_else(|| {
                ModelError::DataMismatch(format!(
                    "the U-Net needs images [C, H, W], the data has examples {:?}; use net = \"mlp\"",
                    data.example_shape
                ))
            })?;
            let reduction = unet.reduction();
            if image[1] % reduction != 0 || image[2] % reduction != 0 {
                return Err(ModelError::DataMismatch(format!(
                    "a U-Net with {} levels needs height and width divisible by {reduction}, got {}x{}",
                    unet.channel_mult.len(),
                    image[1],
                    image[2]
                )));
            }
            Ok((Net::UNet(unet.init(image[0], time_features, device)), image))
        }
    }
}
