//! Encoder and decoder networks of the VAE.
//!
//! # Shapes
//! - encoder: `x [B, D]` → `[B, 2L]` (μ then log-variance);
//! - decoder: `z [B, L]` → `[B, P·D]` with `P = 1` (Bernoulli logits) or `P = 2` (Gaussian
//!   mean then log-variance).
//!
//! The conv variant (images `[C, H, W]`, H and W divisible by 4):
//! `[B,C,H,W] −conv4×4/2→ [B,c₁,H/2,W/2] −conv4×4/2→ [B,c₂,H/4,W/4] −flatten→ MLP → [B,2L]`, and the
//! decoder mirrors it with transposed convolutions (`P·C` output channels).
//!
//! Both conv parts implement [`ConvGeometry`]: their receptive fields are read off these
//! modules (`genzoo rf --model mnist_vae_conv`) and checked by backpropagation (`--probe`).

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::prelude::*;
use genzoo_nn::fast::Conv2dFast;
use genzoo_nn::fast::ConvTranspose2dFast;
use genzoo_nn::{Activation, Mlp, MlpConfig};
use genzoo_rf::{ConvGeometry, RfError, RfNet, modules};

/// Kernel, stride and padding of the down/up-sampling convolutions: each halves (doubles) H, W.
const KERNEL: usize = 4;
const STRIDE: usize = 2;
const PAD: usize = 1;
/// Total down-sampling of the two convolutions.
pub const CONV_REDUCTION: usize = STRIDE * STRIDE;

/// The encoder (built once per run: variant sizes do not matter).
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Encoder {
    /// Fully connected.
    Mlp(Mlp),
    /// Convolutional front end then fully connected.
    Conv(ConvEncoder),
}

/// The decoder.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Decoder {
    /// Fully connected.
    Mlp(Mlp),
    /// Fully connected then transposed convolutions.
    Conv(ConvDecoder),
}

impl Encoder {
    /// `[B, D]` → `[B, 2L]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Encoder::Mlp(m) => m.forward(x),
            Encoder::Conv(c) => c.forward(x),
        }
    }

    /// The convolutional part, if any.
    pub fn conv_geometry(&self) -> Option<&dyn ConvGeometry> {
        match self {
            Encoder::Mlp(_) => None,
            Encoder::Conv(c) => Some(c),
        }
    }
}

impl Decoder {
    /// `[B, L]` → `[B, P·D]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Decoder::Mlp(m) => m.forward(z),
            Decoder::Conv(c) => c.forward(z),
        }
    }

    /// The convolutional part, if any.
    pub fn conv_geometry(&self) -> Option<&dyn ConvGeometry> {
        match self {
            Decoder::Mlp(_) => None,
            Decoder::Conv(c) => Some(c),
        }
    }
}

/// Convolutional encoder.
#[derive(Module, Debug)]
pub struct ConvEncoder {
    conv1: Conv2d,
    conv2: Conv2d,
    head: Mlp,
    #[module(skip)]
    image: [usize; 3],
    #[module(skip)]
    activation: Activation,
}

/// Transposed-convolutional decoder.
#[derive(Module, Debug)]
pub struct ConvDecoder {
    head: Mlp,
    deconv1: ConvTranspose2d,
    deconv2: ConvTranspose2d,
    /// `[c₂, H/4, W/4]`, the shape the head's output is folded into.
    #[module(skip)]
    folded: [usize; 3],
    #[module(skip)]
    activation: Activation,
}

/// Build the pair for an MLP VAE on `d`-dimensional data.
pub fn mlp_pair(
    d: usize,
    hidden: &[usize],
    latent: usize,
    out_params: usize,
    activation: Activation,
    bias: bool,
    device: &Device,
) -> (Encoder, Decoder) {
    let enc_dims = [&[d][..], hidden, &[2 * latent]].concat();
    let mut rev: Vec<usize> = hidden.to_vec();
    rev.reverse();
    let dec_dims = [&[latent][..], &rev, &[out_params * d]].concat();
    let enc = MlpConfig {
        dims: enc_dims,
        activation,
        bias,
    }
    .init(device);
    let dec = MlpConfig {
        dims: dec_dims,
        activation,
        bias,
    }
    .init(device);
    (Encoder::Mlp(enc), Decoder::Mlp(dec))
}

/// Build the pair for a conv VAE on `[C, H, W]` images.
#[allow(clippy::too_many_arguments)]
pub fn conv_pair(
    image: [usize; 3],
    channels: [usize; 2],
    hidden: &[usize],
    latent: usize,
    out_params: usize,
    activation: Activation,
    bias: bool,
    device: &Device,
) -> (Encoder, Decoder) {
    let [c, h, w] = image;
    let [c1, c2] = channels;
    let folded = [c2, h / CONV_REDUCTION, w / CONV_REDUCTION];
    let flat = folded.iter().product::<usize>();
    let down = |i, o| {
        Conv2dConfig::new([i, o], [KERNEL, KERNEL])
            .with_stride([STRIDE, STRIDE])
            .with_padding(PaddingConfig2d::Explicit(PAD, PAD, PAD, PAD))
            .with_bias(bias)
            .init(device)
    };
    let up = |i, o| {
        ConvTranspose2dConfig::new([i, o], [KERNEL, KERNEL])
            .with_stride([STRIDE, STRIDE])
            .with_padding([PAD, PAD])
            .with_bias(bias)
            .init(device)
    };
    let enc_head = [&[flat][..], hidden, &[2 * latent]].concat();
    let mut rev: Vec<usize> = hidden.to_vec();
    rev.reverse();
    let dec_head = [&[latent][..], &rev, &[flat]].concat();
    let encoder = ConvEncoder {
        conv1: down(c, c1),
        conv2: down(c1, c2),
        head: MlpConfig {
            dims: enc_head,
            activation,
            bias,
        }
        .init(device),
        image,
        activation,
    };
    let decoder = ConvDecoder {
        head: MlpConfig {
            dims: dec_head,
            activation,
            bias,
        }
        .init(device),
        deconv1: up(c2, c1),
        deconv2: up(c1, out_params * c),
        folded,
        activation,
    };
    (Encoder::Conv(encoder), Decoder::Conv(decoder))
}

impl ConvEncoder {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [b, _] = x.dims();
        let [c, h, w] = self.image;
        let x = x.reshape([b, c, h, w]); // [B, C, H, W]
        let x = self.features(x); // [B, c2, H/4, W/4]
        let x = x.flatten::<2>(1, 3); // [B, c2·H/4·W/4]
        self.head.forward(x)
    }

    /// The convolutions: `[B, C, H, W]` → `[B, c2, H/4, W/4]`.
    fn features(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.activation.apply(self.conv1.forward_fast(x)); // [B, c1, H/2, W/2]
        self.activation.apply(self.conv2.forward_fast(x)) // [B, c2, H/4, W/4]
    }
}

impl ConvDecoder {
    fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let [b, _] = z.dims();
        let [c2, h4, w4] = self.folded;
        let x = self.activation.apply(self.head.forward(z)); // [B, c2·H/4·W/4]
        let x = x.reshape([b, c2, h4, w4]); // [B, c2, H/4, W/4]
        let x = self.upsample(x); // [B, P·C, H, W]
        x.flatten::<2>(1, 3) // [B, P·C·H·W]
    }

    /// The transposed convolutions: `[B, c2, H/4, W/4]` → `[B, P·C, H, W]`.
    fn upsample(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.activation.apply(self.deconv1.forward_fast(x)); // [B, c1, H/2, W/2]
        self.deconv2.forward_fast(x) // [B, P·C, H, W]
    }
}

/// The encoder's convolutions, from the image to the `[c2, H/4, W/4]` map the head flattens
/// (the head is fully connected: every latent sees the whole image).
impl ConvGeometry for ConvEncoder {
    fn rf_input(&self) -> [usize; 3] {
        self.image
    }

    fn rf_net(&self) -> Result<RfNet, RfError> {
        Ok(RfNet::chain(
            "vae.encoder",
            vec![
                modules::conv2d("conv1", &self.conv1)?,
                modules::conv2d("conv2", &self.conv2)?,
            ],
        ))
    }

    fn rf_forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.features(x)
    }
}

/// The decoder's transposed convolutions, from the folded `[c2, H/4, W/4]` map to the output
/// image (the head before them is fully connected).
impl ConvGeometry for ConvDecoder {
    fn rf_input(&self) -> [usize; 3] {
        self.folded
    }

    fn rf_net(&self) -> Result<RfNet, RfError> {
        Ok(RfNet::chain(
            "vae.decoder",
            vec![
                modules::conv_transpose2d("deconv1", &self.deconv1),
                modules::conv_transpose2d("deconv2", &self.deconv2),
            ],
        ))
    }

    fn rf_forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.upsample(x)
    }
}
