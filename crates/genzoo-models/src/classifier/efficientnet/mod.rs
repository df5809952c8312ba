//! EfficientNet (Tan & Le 2019, "EfficientNet: Rethinking Model Scaling for Convolutional
//! Neural Networks", ICML), with the reference implementation's exact layer sizes.
//!
//! - [`scaling`]: compound scaling (α, β, γ), the B0..B7 presets, channel and repeat rounding;
//! - [`architecture`]: B0's stage table resolved into every layer size for one scaling;
//! - [`cost`]: parameters and multiply-adds per layer, analytically;
//! - [`conv_bn`]: convolution + batch norm in real training mode;
//! - [`squeeze_excite`], [`stochastic`] (stochastic depth, dropout), [`mbconv`]: the block;
//! - [`net`]: stem, blocks, head and classifier as one burn module;
//! - [`config`]: the `[model.efficientnet]` table.

pub mod architecture;
pub mod config;
pub mod conv_bn;
pub mod cost;
pub mod mbconv;
pub mod net;
pub mod scaling;
pub mod squeeze_excite;
pub mod stochastic;

pub use architecture::Architecture;
pub use config::EfficientNetConfig;
pub use cost::{LayerCost, layer_costs, total_cost};
pub use net::EfficientNet;
pub use scaling::{Preset, Scaling, compound, round_filters, round_repeats};
