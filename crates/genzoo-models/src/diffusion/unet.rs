//! The denoising U-Net (Ho et al. 2020, appendix B; after PixelCNN++), sized for 28×28 and
//! 32×32 images on a CPU.
//!
//! ```text
//! x ─conv₃ₓ₃→ [level 0: R res blocks] ─down→ [level 1] ─down→ … [level L−1 (+attention)]
//!                                                              │ middle: res, attention, res
//! out ←conv₃ₓ₃←SiLU←GN← [level 0: R+1 blocks] ←up← … ←up← [level L−1: R+1 blocks] ←┘
//! ```
//! Every down-path activation (after `conv_in`, each block and each down-sampling) is
//! concatenated to the input of one up-path block; the step enters every block through its
//! embedding. Level ℓ has `base · mult[ℓ]` channels; down-sampling is a stride-2 3×3
//! convolution, up-sampling nearest-neighbour ×2 then a 3×3 convolution. Attention (single
//! head) follows each block of the lowest level and sits in the middle.
//!
//! # Shapes
//! `x: [B, C, H, W]` (H, W divisible by 2^(L−1)), `t: [B]` → `[B, C, H, W]`.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use genzoo_nn::conv::Conv2dFast;
use genzoo_nn::group_norm::GroupNormFast;

use super::attention::SelfAttention;
use super::resblock::{ResBlock, conv3x3};
use super::time_embedding::TimeEmbedding;

/// Ratio of the step-embedding width to the base width (Ho et al.: 4).
const TEMB_MULT: usize = 4;
/// Factor of each down-/up-sampling.
pub const RESAMPLE: usize = 2;

/// Architecture of a [`UNet`].
#[derive(Clone, Debug, PartialEq)]
pub struct UNetConfig {
    /// Image channels.
    pub image_channels: usize,
    /// Base width.
    pub base: usize,
    /// Width multiplier per level.
    pub mult: Vec<usize>,
    /// Residual blocks per level on the way down (R; R+1 on the way up).
    pub res_blocks: usize,
    /// Self-attention at the lowest resolution and in the middle.
    pub attention: bool,
    /// GroupNorm groups (must divide `base`).
    pub groups: usize,
    /// Width of the sinusoidal step features (even, ≥ 4) fed to the step MLP. Decoupled from
    /// `base` so a narrow network still resolves nearby steps: at width 8 the ladder has 4
    /// frequencies with periods 6.3, 135, 2900 and 63000 steps, so nearby steps are told apart
    /// only by the fastest pair, which aliases every 6 steps. Ho et al. use 128 (their base width).
    pub time_features: usize,
}

/// One level of the down path.
#[derive(Module, Debug)]
pub struct DownLevel {
    blocks: Vec<ResBlock>,
    attn: Vec<SelfAttention>,
    down: Option<Conv2d>,
}

/// One level of the up path.
#[derive(Module, Debug)]
pub struct UpLevel {
    blocks: Vec<ResBlock>,
    attn: Vec<SelfAttention>,
    up: Option<Conv2d>,
}

/// The built U-Net.
#[derive(Module, Debug)]
pub struct UNet {
    time: TimeEmbedding,
    conv_in: Conv2d,
    down: Vec<DownLevel>,
    mid1: ResBlock,
    mid_attn: Option<SelfAttention>,
    mid2: ResBlock,
    up: Vec<UpLevel>,
    norm_out: GroupNorm,
    conv_out: Conv2d,
}

impl UNetConfig {
    /// Build the network.
    pub fn init(&self, device: &Device) -> UNet {
        let (base, g) = (self.base, self.groups);
        let temb = TEMB_MULT * base;
        let levels = self.mult.len();
        let lowest = levels - 1;
        let mut skips = vec![base]; // widths of the activations the up path will consume
        let mut ch = base;
        let mut down = Vec::with_capacity(levels);
        for (level, &m) in self.mult.iter().enumerate() {
            let out = base * m;
            let mut blocks = Vec::new();
            for _ in 0..self.res_blocks {
                blocks.push(ResBlock::new(ch, out, temb, g, device));
                ch = out;
                skips.push(ch);
            }
            let with_attn = self.attention && level == lowest;
            let attn = (0..self.res_blocks)
                .filter(|_| with_attn)
                .map(|_| SelfAttention::new(ch, g, device))
                .collect();
            let down_conv = (level != lowest).then(|| {
                skips.push(ch);
                Conv2dConfig::new([ch, ch], [3, 3])
                    .with_stride([RESAMPLE, RESAMPLE])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init(device)
            });
            down.push(DownLevel {
                blocks,
                attn,
                down: down_conv,
            });
        }
        let mid1 = ResBlock::new(ch, ch, temb, g, device);
        let mid_attn = self.attention.then(|| SelfAttention::new(ch, g, device));
        let mid2 = ResBlock::new(ch, ch, temb, g, device);
        let mut up = Vec::with_capacity(levels);
        for (level, &m) in self.mult.iter().enumerate().rev() {
            let out = base * m;
            let mut blocks = Vec::new();
            for _ in 0..=self.res_blocks {
                let skip = skips.pop().unwrap_or(0);
                blocks.push(ResBlock::new(ch + skip, out, temb, g, device));
                ch = out;
            }
            let with_attn = self.attention && level == lowest;
            let attn = (0..=self.res_blocks)
                .filter(|_| with_attn)
                .map(|_| SelfAttention::new(ch, g, device))
                .collect();
            let up_conv = (level != 0).then(|| conv3x3(ch, ch, device));
            up.push(UpLevel {
                blocks,
                attn,
                up: up_conv,
            });
        }
        UNet {
            time: TimeEmbedding::new(self.time_features, temb, device),
            conv_in: conv3x3(self.image_channels, base, device),
            down,
            mid1,
            mid_attn,
            mid2,
            up,
            norm_out: GroupNormConfig::new(g, ch).init(device),
            conv_out: conv3x3(ch, self.image_channels, device),
        }
    }
}

/// Nearest-neighbour ×2 up-sampling (burn's `interpolate`: on the flex backend its backward is
/// ~5× faster than that of the equivalent reshape + `repeat_dim`).
///
/// # Shapes
/// `[B, C, H, W]` → `[B, C, 2H, 2W]`.
fn upsample_nearest(x: Tensor<4>) -> Tensor<4> {
    let [_, _, h, w] = x.dims();
    let options = InterpolateOptions::new(InterpolateMode::Nearest)
        .with_output_size([h * RESAMPLE, w * RESAMPLE]);
    interpolate(x, options)
}

impl UNet {
    /// The prediction at `x` and steps `t`.
    ///
    /// # Shapes
    /// `x: [B, C, H, W]`, `t: [B]` → `[B, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>, t: Tensor<1>) -> Tensor<4> {
        let temb = self.time.forward(t); // [B, 4·base]
        let mut h = self.conv_in.forward_fast(x); // [B, base, H, W]
        let mut hs = vec![h.clone()];
        for level in &self.down {
            for (i, block) in level.blocks.iter().enumerate() {
                h = block.forward(h, temb.clone());
                if let Some(a) = level.attn.get(i) {
                    h = a.forward(h);
                }
                hs.push(h.clone());
            }
            if let Some(down) = &level.down {
                h = down.forward_fast(h); // [B, C, H/2, W/2]
                hs.push(h.clone());
            }
        }
        h = self.mid1.forward(h, temb.clone());
        if let Some(a) = &self.mid_attn {
            h = a.forward(h);
        }
        h = self.mid2.forward(h, temb.clone());
        for level in &self.up {
            for (i, block) in level.blocks.iter().enumerate() {
                if let Some(skip) = hs.pop() {
                    h = Tensor::cat(vec![h, skip], 1); // [B, C + C_skip, H, W]
                }
                h = block.forward(h, temb.clone());
                if let Some(a) = level.attn.get(i) {
                    h = a.forward(h);
                }
            }
            if let Some(up) = &level.up {
                h = up.forward_fast(upsample_nearest(h)); // [B, C, 2H, 2W]
            }
        }
        self.conv_out
            .forward_fast(self.norm_out.forward_silu_fast(h))
    }
}
