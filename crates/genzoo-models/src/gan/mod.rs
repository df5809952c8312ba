//! Generative adversarial networks (Goodfellow et al. 2014): a generator G(z) and a
//! discriminator D(x) playing `min_G max_D E log D(x) + E log(1 − D(G(z)))`.
//!
//! At a fixed G the best discriminator is `D*(x) = p_data(x) / (p_data(x) + p_g(x))`, where the
//! game's value is `−log 4 + 2·JSD(p_data ‖ p_g)` (tested by quadrature in `tests/gan.rs`).
//! - [`config`]: architecture, losses, prior, k, label smoothing, spectral norm, packing;
//! - [`loss`]: the minimax, non-saturating and hinge losses on D's logits;
//! - [`net`]: MLP and DCGAN generators and discriminators;
//! - [`model`]: the family, two optimiser groups `["gen", "disc"]`.

pub mod config;
pub mod loss;
pub mod model;
pub mod net;

pub use config::{GanArch, GanConfig, GanLoss, Prior};
pub use model::Gan;
