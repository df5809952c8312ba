//! The EfficientNet-B0 stage table and its scaled, fully resolved layer list.
//!
//! B0 (Tan & Le 2019, Table 1; the reference code's `_DEFAULT_BLOCKS_ARGS`):
//! ```text
//! stage  op           kernel stride expand  in → out  repeats
//! stem   conv3×3+BN   3      2      –        3 → 32    1
//! 1      MBConv1      3      1      1       32 → 16    1
//! 2      MBConv6      3      2      6       16 → 24    2
//! 3      MBConv6      5      2      6       24 → 40    2
//! 4      MBConv6      3      2      6       40 → 80    3
//! 5      MBConv6      5      1      6       80 → 112   3
//! 6      MBConv6      5      2      6      112 → 192   4
//! 7      MBConv6      3      1      6      192 → 320   1
//! head   conv1×1+BN, global average pool, dropout, linear   320 → 1280 → classes
//! ```
//! Scaling multiplies every channel count by the width (then `round_filters`) and every repeat
//! count by the depth (then `round_repeats`); only the first block of a stage changes channels
//! or strides. Padding is TensorFlow's SAME, resolved for the fixed input size (as
//! lukemelas/EfficientNet-PyTorch's `Conv2dStaticSamePadding`): the output side is
//! `ceil(side / stride)` and odd totals pad one more pixel at the bottom/right.

use super::scaling::{Scaling, round_filters, round_repeats};

/// Squeeze-and-excitation width as a fraction of the block's input channels.
pub const SE_RATIO: f64 = 0.25;
/// Stem output channels before scaling.
pub const STEM_CHANNELS: usize = 32;
/// Stem kernel side.
pub const STEM_KERNEL: usize = 3;
/// Stride of the reference stem.
pub const STEM_STRIDE: usize = 2;
/// Head channels before scaling.
pub const HEAD_CHANNELS: usize = 1280;

/// One row of the stage table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageArgs {
    /// Blocks in the stage before depth scaling.
    pub repeats: usize,
    /// Depthwise kernel side.
    pub kernel: usize,
    /// Stride of the stage's first block.
    pub stride: usize,
    /// Expansion ratio of the inverted bottleneck.
    pub expand: usize,
    /// Input channels before width scaling.
    pub input: usize,
    /// Output channels before width scaling.
    pub output: usize,
}

const fn stage(
    repeats: usize,
    kernel: usize,
    stride: usize,
    expand: usize,
    input: usize,
    output: usize,
) -> StageArgs {
    StageArgs {
        repeats,
        kernel,
        stride,
        expand,
        input,
        output,
    }
}

/// The seven stages of B0.
pub const B0_STAGES: [StageArgs; 7] = [
    stage(1, 3, 1, 1, 32, 16),
    stage(2, 3, 2, 6, 16, 24),
    stage(2, 5, 2, 6, 24, 40),
    stage(3, 3, 2, 6, 40, 80),
    stage(3, 5, 1, 6, 80, 112),
    stage(4, 5, 2, 6, 112, 192),
    stage(1, 3, 1, 6, 192, 320),
];

/// One resolved MBConv block.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockSpec {
    /// Input channels.
    pub input: usize,
    /// Channels after the 1×1 expansion (`input·expand`; no expansion layer when equal).
    pub expanded: usize,
    /// Output channels.
    pub output: usize,
    /// Depthwise kernel side.
    pub kernel: usize,
    /// Depthwise stride.
    pub stride: usize,
    /// Squeeze-and-excitation width: `max(1, ⌊input·SE_RATIO⌋)`.
    pub squeezed: usize,
    /// Side of the block's input map.
    pub in_side: usize,
    /// Side of its output map.
    pub out_side: usize,
    /// Identity skip (stride 1, same channels).
    pub skip: bool,
    /// Stochastic-depth drop probability of the residual branch.
    pub drop_rate: f64,
}

/// Every layer size of one EfficientNet, read by both the module builder and the cost counter.
#[derive(Clone, Debug, PartialEq)]
pub struct Architecture {
    /// The multipliers it was built from.
    pub scaling: Scaling,
    /// Input channels (3 for ImageNet, 1 for MNIST).
    pub in_channels: usize,
    /// Stem stride (2 in the reference; 1 keeps detail on tiny inputs).
    pub stem_stride: usize,
    /// Stem output channels.
    pub stem: usize,
    /// Side after the stem.
    pub stem_side: usize,
    /// The MBConv blocks in order.
    pub blocks: Vec<BlockSpec>,
    /// Head channels (the penultimate feature width).
    pub head: usize,
    /// Side of the head's map.
    pub head_side: usize,
    /// Number of classes.
    pub classes: usize,
    /// Whether the squeeze-and-excitation and final linear layers carry biases (the
    /// reference: yes). Convolutions followed by batch norm never do: β is their bias.
    pub bias: bool,
}

/// Output side of a SAME-padded layer.
pub fn same_out(side: usize, stride: usize) -> usize {
    side.div_ceil(stride)
}

/// SAME padding `(begin, end)` of one axis, the extra pixel at the end (TensorFlow's rule).
pub fn same_padding(side: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let out = same_out(side, stride);
    let total = ((out - 1) * stride + kernel).saturating_sub(side);
    (total / 2, total - total / 2)
}

impl Architecture {
    /// Resolve B0's table under `scaling`. `drop_connect` is the largest stochastic-depth
    /// rate; block `i` of `n` drops its branch with probability `drop_connect·i/n` (the
    /// reference's linear rule, 0 for the first block).
    pub fn new(
        scaling: Scaling,
        in_channels: usize,
        stem_stride: usize,
        classes: usize,
        drop_connect: f64,
        bias: bool,
    ) -> Self {
        let w = scaling.width;
        let stem = round_filters(STEM_CHANNELS, w);
        let stem_side = same_out(scaling.resolution, stem_stride);
        let total: usize = B0_STAGES
            .iter()
            .map(|s| round_repeats(s.repeats, scaling.depth))
            .sum();
        let mut blocks = Vec::with_capacity(total);
        let mut side = stem_side;
        for s in B0_STAGES {
            let (input, output) = (round_filters(s.input, w), round_filters(s.output, w));
            for j in 0..round_repeats(s.repeats, scaling.depth) {
                let (inp, stride) = if j == 0 {
                    (input, s.stride)
                } else {
                    (output, 1)
                };
                let out_side = same_out(side, stride);
                blocks.push(BlockSpec {
                    input: inp,
                    expanded: inp * s.expand,
                    output,
                    kernel: s.kernel,
                    stride,
                    squeezed: ((inp as f64 * SE_RATIO) as usize).max(1),
                    in_side: side,
                    out_side,
                    skip: stride == 1 && inp == output,
                    drop_rate: drop_connect * blocks.len() as f64 / total as f64,
                });
                side = out_side;
            }
        }
        Architecture {
            scaling,
            in_channels,
            stem_stride,
            stem,
            stem_side,
            blocks,
            head: round_filters(HEAD_CHANNELS, w),
            head_side: side,
            classes,
            bias,
        }
    }

    /// Channels entering the head.
    pub fn last_block_channels(&self) -> usize {
        self.blocks.last().map_or(self.stem, |b| b.output)
    }
}
