//! The mobile inverted bottleneck block with squeeze-and-excitation (MBConv; Sandler et al.
//! 2018, Tan et al. 2019 "MnasNet"), as EfficientNet builds it:
//! ```text
//! h = swish(BN(W_expand ⋆ x))          1×1, C → e·C          (absent when e = 1)
//! h = swish(BN(W_dw ⋆_s h))            k×k depthwise, stride s
//! h = SE(h)                            squeeze-and-excitation
//! h = BN(W_project ⋆ h)                1×1, e·C → C_out, linear (no activation)
//! y = x + drop_path(h)                 when s = 1 and C = C_out, else y = h
//! ```
//! swish(x) = x·σ(x).
//!
//! # Shapes
//! `[B, C, H, W]` → `[B, C_out, ⌈H/s⌉, ⌈W/s⌉]`.

use burn::prelude::*;
use rand_chacha::ChaCha8Rng;

use super::architecture::BlockSpec;
use super::conv_bn::{ConvBn, ConvBnSpec};
use super::squeeze_excite::SqueezeExcite;
use super::stochastic::drop_path;

/// One MBConv block.
#[derive(Module, Debug)]
pub struct MbConv {
    /// 1×1 expansion (none when the expansion ratio is 1).
    pub expand: Option<ConvBn>,
    /// k×k depthwise convolution (carries the stride).
    pub depthwise: ConvBn,
    /// Channel gate.
    pub se: SqueezeExcite,
    /// 1×1 linear projection.
    pub project: ConvBn,
    /// Identity skip.
    #[module(skip)]
    pub skip: bool,
    /// Stochastic-depth rate of the branch.
    #[module(skip)]
    pub drop_rate: f64,
}

impl MbConv {
    /// Build the block `spec` describes.
    pub fn new(spec: &BlockSpec, bias: bool, device: &Device) -> Self {
        let expand = (spec.expanded != spec.input).then(|| {
            ConvBnSpec {
                c_in: spec.input,
                c_out: spec.expanded,
                kernel: 1,
                stride: 1,
                groups: 1,
                side: spec.in_side,
            }
            .init(device)
        });
        let depthwise = ConvBnSpec {
            c_in: spec.expanded,
            c_out: spec.expanded,
            kernel: spec.kernel,
            stride: spec.stride,
            groups: spec.expanded,
            side: spec.in_side,
        }
        .init(device);
        let project = ConvBnSpec {
            c_in: spec.expanded,
            c_out: spec.output,
            kernel: 1,
            stride: 1,
            groups: 1,
            side: spec.out_side,
        }
        .init(device);
        Self {
            expand,
            depthwise,
            se: SqueezeExcite::new(spec.expanded, spec.squeezed, bias, device),
            project,
            skip: spec.skip,
            drop_rate: spec.drop_rate,
        }
    }

    /// `rng`: the step's stream in training (stochastic depth), `None` at evaluation.
    ///
    /// # Shapes
    /// `[B, C, H, W]` → `[B, C_out, H', W']`.
    pub fn forward(&self, x: Tensor<4>, rng: Option<&mut ChaCha8Rng>) -> Tensor<4> {
        let h = match &self.expand {
            Some(e) => e.forward_silu(x.clone()), // [B, e·C, H, W]
            None => x.clone(),
        };
        let h = self.depthwise.forward_silu(h); // [B, e·C, H', W']
        let h = self.se.forward(h);
        let h = self.project.forward(h); // [B, C_out, H', W']
        if self.skip {
            x + drop_path(h, self.drop_rate, rng)
        } else {
            h
        }
    }
}
