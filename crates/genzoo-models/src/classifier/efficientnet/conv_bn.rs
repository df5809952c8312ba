//! Convolution (no bias) → batch norm, the unit every EfficientNet convolution is built from.
//!
//! Batch norm runs in real training mode: on an autodiff device it normalises with the batch's
//! statistics and folds them into running estimates,
//! ```text
//! μ̂ ← (1 − m)·μ̂ + m·μ_batch,   σ̂² ← (1 − m)·σ̂² + m·σ²_batch,   m = 0.01, ε = 1e-3
//! ```
//! (TensorFlow's reference uses decay 0.99 = 1 − m and ε = 1e-3; PyTorch's port momentum 0.01);
//! on the inference device (`module.valid()`) it normalises with μ̂, σ̂² and changes nothing.
//! burn's σ²_batch is the biased (1/n) variance over batch and positions; PyTorch folds in the
//! unbiased one, a factor n/(n−1) that is below 1.01 for any n ≥ 100 (batch × H × W here).
//! The convolution has no bias: β of the batch norm is one.
//!
//! burn keeps each new running value pending per thread and folds it in at the next forward,
//! so a module read between steps (a checkpoint, an EMA update) would see statistics one step
//! old; [`ConvBn::forward`] folds the pending value right away, so weights and statistics on
//! disk are those of the same step and resume stays exact.
//!
//! # Shapes
//! `[B, C_in, H, W]` → `[B, C_out, ⌈H/s⌉, ⌈W/s⌉]` (SAME padding for the input side it was built for).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;

use super::architecture::same_padding;
use genzoo_nn::fast::BatchNormFast;
use genzoo_nn::fast::Conv2dFast;

/// Running-statistics momentum in burn's convention (weight of the new batch).
pub const BN_MOMENTUM: f64 = 0.01;
/// Batch-norm ε of the reference.
pub const BN_EPSILON: f64 = 1e-3;

/// Shape of one conv + BN unit.
#[derive(Clone, Copy, Debug)]
pub struct ConvBnSpec {
    /// Input channels.
    pub c_in: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel side.
    pub kernel: usize,
    /// Stride.
    pub stride: usize,
    /// Groups (`c_in` for a depthwise convolution).
    pub groups: usize,
    /// Side of the input map (fixes the SAME padding).
    pub side: usize,
}

/// Convolution without bias, then batch norm.
#[derive(Module, Debug)]
pub struct ConvBn {
    /// The convolution.
    pub conv: Conv2d,
    /// Its batch norm.
    pub bn: BatchNorm,
}

impl ConvBnSpec {
    /// Build the unit.
    pub fn init(&self, device: &Device) -> ConvBn {
        let (begin, end) = same_padding(self.side, self.kernel, self.stride);
        let conv = Conv2dConfig::new([self.c_in, self.c_out], [self.kernel, self.kernel])
            .with_stride([self.stride, self.stride])
            .with_groups(self.groups)
            .with_padding(PaddingConfig2d::Explicit(begin, begin, end, end))
            .with_bias(false)
            .init(device);
        let bn = BatchNormConfig::new(self.c_out)
            .with_momentum(BN_MOMENTUM)
            .with_epsilon(BN_EPSILON)
            .init(device);
        ConvBn { conv, bn }
    }
}

impl ConvBn {
    /// # Shapes
    /// `[B, C_in, H, W]` → `[B, C_out, H', W']`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.bn.forward_fast(self.conv.forward_fast(x));
        self.fold_statistics();
        y
    }

    /// `silu(self.forward(x))`, the norm and the activation fused.
    ///
    /// # Shapes
    /// `[B, C_in, H, W]` → `[B, C_out, H', W']`.
    pub fn forward_silu(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.bn.forward_silu_fast(self.conv.forward_fast(x));
        self.fold_statistics();
        y
    }

    /// Fold this step's pending running statistics in now (see the module doc).
    fn fold_statistics(&self) {
        let _ = self.bn.running_mean.value_sync();
        let _ = self.bn.running_var.value_sync();
    }
}
