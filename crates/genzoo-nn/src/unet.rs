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

use crate::fast::Conv2dFast;
use crate::fast::GroupNormFast;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use serde::{Deserialize, Serialize};

use crate::NnError;
use crate::attention::SelfAttention;
use crate::resblock::{ResBlock, conv3x3};
use crate::time_embedding::TimeEmbedding;

/// Ratio of the step-embedding width to the base width (Ho et al.: 4).
const TEMB_MULT: usize = 4;
/// Factor of each down-/up-sampling.
pub const RESAMPLE: usize = 2;

/// Architecture of a [`UNet`]: the `[model.unet]` table of a family that uses one.
///
/// ```toml
/// [model.unet]
/// channels = 32             # base width
/// channel_mult = [1, 2, 2]  # width multiplier per level
/// res_blocks = 1
/// attention = true          # at the lowest resolution and in the middle
/// groups = 8                # GroupNorm groups, dividing `channels`
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UNetConfig {
    /// Base width.
    #[serde(default = "default_channels")]
    pub channels: usize,
    /// Width multiplier per resolution level.
    #[serde(default = "default_mult")]
    pub channel_mult: Vec<usize>,
    /// Residual blocks per level on the way down (R; R+1 on the way up).
    #[serde(default = "default_res_blocks")]
    pub res_blocks: usize,
    /// Self-attention at the lowest resolution and in the middle.
    #[serde(default = "default_true")]
    pub attention: bool,
    /// GroupNorm groups (must divide `channels`).
    #[serde(default = "default_groups")]
    pub groups: usize,
}

fn default_channels() -> usize {
    32
}
fn default_mult() -> Vec<usize> {
    vec![1, 2, 2]
}
fn default_res_blocks() -> usize {
    1
}
fn default_true() -> bool {
    true
}
fn default_groups() -> usize {
    8
}

impl Default for UNetConfig {
    fn default() -> Self {
        UNetConfig::mnist()
    }
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
    /// The MNIST U-Net: base 32, multipliers (1, 2, 2), one block per level, attention at 7×7.
    pub fn mnist() -> Self {
        UNetConfig {
            channels: default_channels(),
            channel_mult: default_mult(),
            res_blocks: default_res_blocks(),
            attention: true,
            groups: default_groups(),
        }
    }

    /// Refuse architectures that cannot build; `table` names the config table in the message
    /// (`"model.unet"`).
    pub fn validate(&self, table: &str) -> Result<(), NnError> {
        let bad = |m: String| Err(NnError::InvalidConfig(m));
        if self.channels == 0 || self.groups == 0 || !self.channels.is_multiple_of(self.groups) {
            return bad(format!(
                "{table}.channels ({1}) must be >= 1, and {table}.groups ({0}) must divide it",
                self.groups, self.channels
            ));
        }
        if self.channel_mult.is_empty() || self.channel_mult.contains(&0) {
            return bad(format!(
                "{table}.channel_mult must be non-empty and positive, got {:?}",
                self.channel_mult
            ));
        }
        if self.res_blocks == 0 {
            return bad(format!("{table}.res_blocks must be >= 1"));
        }
        Ok(())
    }

    /// How much the lowest level is smaller than the input along each side: image height and
    /// width must be divisible by it.
    pub fn reduction(&self) -> usize {
        RESAMPLE.pow(self.channel_mult.len().saturating_sub(1) as u32)
    }

    /// Build the network for images with `image_channels` channels. `time_features` is the
    /// width of the sinusoidal step features (even, ≥ 4) fed to the step MLP. It is decoupled
    /// from the base width so a narrow network still resolves nearby steps: at width 8 the
    /// ladder has 4 frequencies with periods 6.3, 135, 2900 and 63000 steps, so nearby steps
    /// are told apart only by the fastest pair, which aliases every 6 steps. Ho et al. use 128
    /// (their base width).
    pub fn init(&self, image_channels: usize, time_features: usize, device: &Device) -> UNet {
        let (base, g) = (self.channels, self.groups);
        let temb = TEMB_MULT * base;
        let levels = self.channel_mult.len();
        let lowest = levels - 1;
        let mut skips = vec![base]; // widths of the activations the up path will consume
        let mut ch = base;
        let mut down = Vec::with_capacity(levels);
        for (level, &m) in self.channel_mult.iter().enumerate() {
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
        for (level, &m) in self.channel_mult.iter().enumerate().rev() {
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
            time: TimeEmbedding::new(time_features, temb, device),
            conv_in: conv3x3(image_channels, base, device),
            down,
            mid1,
            mid_attn,
            mid2,
            up,
            norm_out: GroupNormConfig::new(g, ch).init(device),
            conv_out: conv3x3(ch, image_channels, device),
        }
    }
}

/// Nearest-neighbour ×2 up-sampling (burn's `interpolate`: on the flex backend its backward is
/// much faster than that of the equivalent reshape + `repeat_dim`; docs/history/speed.md,
/// "Figures formerly quoted in code comments (moved 2026-12-05)").
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
