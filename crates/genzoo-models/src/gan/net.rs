//! The generators and discriminators: MLPs for flat data (PacGAN's toy nets) and DCGAN's
//! convolutional pair for 28×28 images. The discriminators optionally normalise every layer
//! spectrally and judge `pack` samples at once (PacGAN): m consecutive examples of the batch
//! are concatenated (features for the MLP, channels for DCGAN) into one input.
//!
//! ```text
//! MLP G      z ─[Linear → BN → ReLU]×n→ Linear → x
//! MLP D      x^(m) ─[Linear → maxout_k]×n→ Linear → logit      (k = 1: LeakyReLU 0.2)
//! DCGAN G    z → Linear → [2c, H/4, W/4] → BN → ReLU → ConvT₄ₓ₄/2 → [c, H/2, W/2] → BN → ReLU
//!              → ConvT₄ₓ₄/2 → [C, H, W] → tanh
//! DCGAN D    x^(m) → Conv₄ₓ₄/2 → [c, H/2, W/2] → LReLU → Conv₄ₓ₄/2 → [2c, H/4, W/4] → (BN) → LReLU
//!              → Linear → logit
//! ```
//! Radford et al. put no batch norm on D's first layer; with spectral normalisation D has none.

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, tanh};
use genzoo_nn::fast::{BatchNormFast, Conv2dFast, ConvTranspose2dFast, leaky_relu_fast};
use genzoo_nn::mlp::LEAKY_RELU_SLOPE;
use genzoo_nn::spectral_norm::{SnConv2d, SnLinear};

/// Power iterations per training forward of a spectrally normalised layer (Miyato et al.: 1).
const SN_POWER_ITERATIONS: usize = 1;

/// Batch norm over the features of `[B, F]` (as `[B, F, 1, 1]`, through the fused path).
fn bn_flat(bn: &BatchNorm, x: Tensor<2>) -> Tensor<2> {
    let [b, f] = x.dims();
    bn.forward_fast(x.reshape([b, f, 1, 1])).reshape([b, f])
}

/// A linear layer, spectrally normalised or not.
#[derive(Module, Debug)]
pub enum DLinear {
    /// Plain.
    Plain(Linear),
    /// `W / σ(W)`.
    Sn(SnLinear),
}

impl DLinear {
    fn new(d_in: usize, d_out: usize, sn: bool, device: &Device) -> Self {
        if sn {
            DLinear::Sn(SnLinear::new(d_in, d_out, SN_POWER_ITERATIONS, device))
        } else {
            DLinear::Plain(LinearConfig::new(d_in, d_out).init(device))
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            DLinear::Plain(l) => l.forward(x),
            DLinear::Sn(l) => l.forward(x),
        }
    }
}

/// A convolution, spectrally normalised or not.
#[derive(Module, Debug)]
pub enum DConv {
    /// Plain.
    Plain(Conv2d),
    /// `W / σ(W)`.
    Sn(SnConv2d),
}

impl DConv {
    fn new(config: &Conv2dConfig, sn: bool, device: &Device) -> Self {
        if sn {
            DConv::Sn(SnConv2d::new(config, SN_POWER_ITERATIONS, device))
        } else {
            DConv::Plain(config.init(device))
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        match self {
            DConv::Plain(c) => c.forward_fast(x),
            DConv::Sn(c) => c.forward(x),
        }
    }
}

/// The MLP generator.
#[derive(Module, Debug)]
pub struct MlpGen {
    hidden: Vec<Linear>,
    norms: Vec<BatchNorm>,
    out: Linear,
}

impl MlpGen {
    /// `latent → hidden… → data`.
    pub fn new(latent: usize, hidden: &[usize], data: usize, device: &Device) -> Self {
        let mut d = latent;
        let (mut layers, mut norms) = (Vec::new(), Vec::new());
        for &h in hidden {
            // Bias-free before batch norm, as PacGAN's `use_bias=False`: BN's β is the bias.
            layers.push(LinearConfig::new(d, h).with_bias(false).init(device));
            norms.push(BatchNormConfig::new(h).init(device));
            d = h;
        }
        MlpGen {
            hidden: layers,
            norms,
            out: LinearConfig::new(d, data).init(device),
        }
    }

    /// # Shapes
    /// `[B, L]` → `[B, D]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let mut h = z;
        for (l, bn) in self.hidden.iter().zip(&self.norms) {
            h = relu(bn_flat(bn, l.forward(h)));
        }
        self.out.forward(h)
    }
}

/// The MLP discriminator with maxout units.
#[derive(Module, Debug)]
pub struct MlpDisc {
    hidden: Vec<DLinear>,
    out: DLinear,
    maxout: usize,
}

impl MlpDisc {
    /// `pack·data → hidden… → 1`, each hidden layer `maxout` pieces per unit.
    pub fn new(input: usize, hidden: &[usize], maxout: usize, sn: bool, device: &Device) -> Self {
        let mut d = input;
        let mut layers = Vec::new();
        for &h in hidden {
            layers.push(DLinear::new(d, h * maxout, sn, device));
            d = h;
        }
        MlpDisc {
            hidden: layers,
            out: DLinear::new(d, 1, sn, device),
            maxout,
        }
    }

    /// # Shapes
    /// `[B', pack·D]` → `[B']`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<1> {
        let mut h = x;
        for l in &self.hidden {
            let y = l.forward(h); // [B', H·k]
            h = if self.maxout == 1 {
                leaky_relu_fast(y, LEAKY_RELU_SLOPE)
            } else {
                let [b, hk] = y.dims();
                let units = hk / self.maxout;
                y.reshape([b, units, self.maxout])
                    .max_dim(2)
                    .reshape([b, units])
            };
        }
        let [b, _] = h.dims();
        self.out.forward(h).reshape([b])
    }
}

fn conv4x4(c_in: usize, c_out: usize) -> Conv2dConfig {
    Conv2dConfig::new([c_in, c_out], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
}

fn deconv4x4(c_in: usize, c_out: usize, device: &Device) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([c_in, c_out], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

/// DCGAN's generator.
#[derive(Module, Debug)]
pub struct DcganGen {
    fc: Linear,
    bn0: BatchNorm,
    up1: ConvTranspose2d,
    bn1: BatchNorm,
    up2: ConvTranspose2d,
    /// `[C, H, W]` of the images.
    image: [usize; 3],
    base: usize,
}

impl DcganGen {
    /// `latent → [C, H, W]` (H, W divisible by 4) with base width `c`.
    pub fn new(latent: usize, image: [usize; 3], c: usize, device: &Device) -> Self {
        let [ch, h, w] = image;
        DcganGen {
            fc: LinearConfig::new(latent, 2 * c * (h / 4) * (w / 4)).init(device),
            bn0: BatchNormConfig::new(2 * c).init(device),
            up1: deconv4x4(2 * c, c, device),
            bn1: BatchNormConfig::new(c).init(device),
            up2: deconv4x4(c, ch, device),
            image,
            base: c,
        }
    }

    /// # Shapes
    /// `[B, L]` → `[B, C·H·W]` in [−1, 1].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let [b, _] = z.dims();
        let [ch, h, w] = self.image;
        let x = self.fc.forward(z).reshape([b, 2 * self.base, h / 4, w / 4]);
        let x = relu(self.bn0.forward_fast(x));
        let x = relu(self.bn1.forward_fast(self.up1.forward_fast(x))); // [B, c, H/2, W/2]
        tanh(self.up2.forward_fast(x)).reshape([b, ch * h * w]) // [B, C·H·W]
    }
}

/// DCGAN's discriminator.
#[derive(Module, Debug)]
pub struct DcganDisc {
    c1: DConv,
    c2: DConv,
    bn2: Option<BatchNorm>,
    fc: DLinear,
    /// `[pack·C, H, W]` of one input.
    input: [usize; 3],
}

impl DcganDisc {
    /// Judges `[pack·C, H, W]` inputs with base width `c`.
    pub fn new(input: [usize; 3], c: usize, sn: bool, device: &Device) -> Self {
        let [ch, h, w] = input;
        DcganDisc {
            c1: DConv::new(&conv4x4(ch, c), sn, device),
            c2: DConv::new(&conv4x4(c, 2 * c), sn, device),
            bn2: (!sn).then(|| BatchNormConfig::new(2 * c).init(device)),
            fc: DLinear::new(2 * c * (h / 4) * (w / 4), 1, sn, device),
            input,
        }
    }

    /// # Shapes
    /// `[B', pack·C·H·W]` → `[B']`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<1> {
        let [b, _] = x.dims();
        let [ch, h, w] = self.input;
        let x = x.reshape([b, ch, h, w]);
        let x = leaky_relu_fast(self.c1.forward(x), LEAKY_RELU_SLOPE); // [B', c, H/2, W/2]
        let mut x = self.c2.forward(x); // [B', 2c, H/4, W/4]
        if let Some(bn) = &self.bn2 {
            x = bn.forward_fast(x);
        }
        let x = leaky_relu_fast(x, LEAKY_RELU_SLOPE).flatten::<2>(1, 3);
        self.fc.forward(x).reshape([b])
    }
}
