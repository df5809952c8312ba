//! Building blocks shared by every genzoo family, on burn's device-dispatch API.
//!
//! - [`conv`]: burn's `Conv2d` with its weight gradient as one batched matrix product per kernel
//!   position over shifted views (`forward_fast`; ~1.6× burn's on the CPU backend).
//! - [`winograd`]: 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3) — forward, input and
//!   weight gradient — in cache-sized groups of images (what `conv` runs for those layers).
//! - [`depthwise`]: depthwise convolutions (`groups = C`, EfficientNet's) with hand-written
//!   forward and gradients, taken by `conv` for those layers.
//! - [`group_norm`]: burn's `GroupNorm`, optionally followed by SiLU, as one fused pass with a
//!   hand-written backward (`forward_fast`, `forward_silu_fast`).
//! - [`max_pool`]: burn's `MaxPool2d`, optionally after a ReLU, as one op with a hand-written
//!   backward (`forward_fast`, `forward_relu_fast`).
//! - [`silu`]: SiLU / swish as one op with a hand-written backward (`silu_fast`).
//! - [`fastmath`]: branch-free `exp`, `sigmoid` and `dot` on `f32` slices that vectorise (for
//!   hand-written host loops such as NADE's gradient).
//! - [`mlp`]: a multilayer perceptron with a chosen activation and optional bias.
//! - [`noise`]: Gaussian and uniform noise drawn from a portable, seedable RNG, so a run's
//!   randomness is a function of `(seed, step)` and resumes exactly.
//! - [`params`]: a module's float parameters by their construction path (`encoder.layers.0.weight`),
//!   the key under which checkpoints, optimiser state and EMA shadows are stored.
//! - [`optim`]: Adam and AdamW whose state is keyed by parameter path.
//! - [`ema`]: an exponential moving average of a module's weights.
//! - [`timing`]: the median wall time of repeated runs, for benchmarks and per-op examples.
//! - [`receptive_field`]: receptive fields of conv nets (presets, TOML descriptions, genzoo's
//!   own nets through [`ConvGeometry`](receptive_field::ConvGeometry)) and a gradient check.

pub mod batch_norm;
pub mod conv;
pub mod conv_transpose;
pub mod depthwise;
pub mod ema;
pub mod error;
pub mod fastmath;
pub mod folded;
pub mod group_norm;
pub mod host;
pub mod max_pool;
pub mod mlp;
pub mod noise;
pub mod optim;
pub mod params;
pub mod receptive_field;
pub mod silu;
pub mod timing;
pub mod winograd;

pub use ema::Ema;
pub use error::NnError;
pub use mlp::{Activation, Mlp, MlpConfig};
pub use optim::{Adam, AdamConfig, StepReport};
pub use params::{
    NamedTensor, deterministic_init, load_named, materialize, named_params, normal_init,
};
