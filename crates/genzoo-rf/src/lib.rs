//! Receptive fields of convolutional networks: per layer and per axis, the output size, the
//! jump (effective stride), the receptive-field size, the centre of the first unit and the
//! effective padding; for chains and for graphs with branches; checked against gradients.
//!
//! Along one axis, with kernel k, stride s, dilation d and begin padding p (Araujo, Norris &
//! Sim 2019, "Computing Receptive Fields of Convolutional Neural Networks", Distill,
//! doi:10.23915/distill.00021):
//! ```text
//! k_eff = d·(k − 1) + 1
//! r_out = r_in + (k_eff − 1)·j_in           r = 1 at the input
//! j_out = j_in·s                            j = 1
//! c_out = c_in + ((k_eff − 1)/2 − p)·j_in   c = 0   (centre of unit 0, in input pixels)
//! P     = (r − 1)/2 − c = Σ_l p_l·Π_{i<l} s_i      (effective padding)
//! ```
//! The top-down form `r_{l−1} = (r_l − 1)·s_l + k_eff,l` gives the same `r`. Unit `u` sees
//! input pixels `[u·j − P, u·j − P + r − 1]`: the effective padding is how far before pixel 0
//! the first unit's receptive field begins, as in google-research/receptive_field's
//! `RECEPTIVE_FIELD_TABLE.md` (VGG-16 pool5 at 224: r = 212, j = 32, c = 15.5, P = 90).
//! Output sizes follow the floor formula, with ceil mode and TensorFlow's SAME where a layer
//! asks for them ([`layer`]).
//!
//! - [`layer`]: one layer along one axis: padding, output size;
//! - [`axis`]: the receptive field of one axis and the recurrences;
//! - [`graph`]: a network as a graph of windows, transposed convolutions and merges;
//! - [`branches`]: merges take the largest receptive field; misaligned paths are reported;
//! - [`report`]: the per-layer analysis of a whole net;
//! - [`support`](mod@support): the exact input support of one unit (borders, dilation, up-sampling);
//! - [`presets`]: AlexNet-v2, VGG-16, ResNet-50, Inception-v3, MobileNet-v1 (TF-Slim);
//! - [`description`]: a network described in TOML;
//! - [`modules`]: geometry read off burn modules, and the [`ConvGeometry`] trait genzoo's
//!   networks implement;
//! - [`probe`](mod@probe): backpropagate from one output unit and measure the non-zero gradient.

pub mod axis;
pub mod branches;
pub mod description;
pub mod error;
pub mod graph;
pub mod layer;
pub mod modules;
pub mod presets;
pub mod probe;
pub mod report;
pub mod support;

pub use axis::{AxisRf, top_down_size};
pub use branches::Misalignment;
pub use description::{Described, parse};
pub use error::RfError;
pub use graph::{LayerKind, Node, NodeId, Op, RfLayer, RfNet};
pub use layer::{AxisWindow, Padding, Resolved, Window};
pub use modules::ConvGeometry;
pub use probe::{ProbeConfig, ProbeReport, UnitProbe, probe, probe_units};
pub use report::{RfReport, RfRow, analyse};
pub use support::{Support, support};
