//! genzoo's hand-written CPU kernels, behind burn's layers and nothing else.
//!
//! Layers call them through the extension traits on burn's modules (`conv.forward_fast(x)`);
//! `genzoo-nn` re-exports those traits as `genzoo_nn::fast`, so families never name this crate.
//! Every op reaches the backend through one mechanism, [`dispatch`]: an f32 tensor on burn's
//! flex CPU backend (with or without autodiff) runs the hand-written forward and backward;
//! anything else (another backend or dtype, the switch off) is burn's own op. Every path is
//! tested equal to burn's in value and gradient (`tests/`); timings are in BENCHMARKS.md.
//!
//! - [`conv`]: burn's `Conv2d` with its weight gradient as batched matrix products over
//!   shifted views, and the choice among the convolution paths below.
//! - [`winograd`]: 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3) — forward, input and
//!   weight gradient — in cache-sized groups of images.
//! - [`folded`]: strided convolutions with many taps as one product over the batch's columns.
//! - [`depthwise`]: depthwise convolutions (`groups = C`, EfficientNet's).
//! - [`conv_transpose`]: burn's `ConvTranspose2d` with gradients through the paths above.
//! - [`group_norm`], [`batch_norm`]: the norms, optionally followed by SiLU, fused.
//! - [`gru`]: the GRU recurrence with its backward through time, one op.
//! - [`leaky_relu`]: LeakyReLU as one op.
//! - [`max_pool`]: burn's `MaxPool2d`, optionally after a ReLU, as one op.
//! - [`silu`]: SiLU / swish as one op.
//! - [`fastmath`]: branch-free `exp`, `sigmoid` and `dot` on `f32` slices that vectorise.
//! - [`switch`]: the process-wide fast-path switch and the count of fast ops taken.
//! - [`timing`]: the median wall time of repeated runs, for benchmarks and per-op examples.

pub mod batch_norm;
pub mod conv;
pub mod conv_transpose;
pub mod depthwise;
pub(crate) mod dispatch;
pub mod fastmath;
pub mod folded;
pub mod group_norm;
pub mod gru;
pub(crate) mod host;
pub mod leaky_relu;
pub mod max_pool;
pub mod silu;
pub mod switch;
pub mod timing;
pub mod winograd;

pub use switch::{fast_ops_recorded, is_fast, set_fast};
