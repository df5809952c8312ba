//! Contrastive predictive coding (van den Oord, Li & Vinyals 2018, "Representation Learning
//! with Contrastive Predictive Coding"), in the paper's vision setting on MNIST and its audio
//! setting on generated 1-D sequences (strided convs, a GRU context; `SequenceNet`).
//!
//! Each image is cut into an overlapping grid of patches; an encoder maps every patch to z; a
//! context network that sees only the rows at and above row i summarises them into c_i; for
//! k = 1..K a linear map W_k predicts the z of the patch k rows below, and InfoNCE trains the
//! score `z_{i+k}ᵀ W_k c_i` to pick the true patch among N − 1 negatives (other patches of the
//! batch). Minimising the loss L maximises the bound `I(x_{i+k}; c_i) ≥ log N − L`.
//! - [`config`]: grid, widths, K, the number of negatives;
//! - [`patches`]: the grid of patches of a batch of images;
//! - [`net`]: the patch encoder and the row-causal context network; the sequence networks;
//! - [`infonce`]: the loss on a matrix of scores, positive first;
//! - [`model`]: the family, and its features for a linear probe ([`crate::Embed`]).

pub mod config;
pub mod infonce;
pub mod model;
pub mod net;
pub mod patches;

pub use config::{CpcConfig, FeatureSource};
pub use infonce::{info_nce, top1_accuracy};
pub use model::Cpc;
