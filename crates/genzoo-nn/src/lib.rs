//! Layers and blocks shared by every genzoo family, on burn's device-dispatch API.
//!
//! - [`fast`]: the fast forwards of burn's layers (convolutions, norms, pooling, SiLU), backed
//!   by `genzoo-kernels`; networks call these, never the kernels directly.
//! - [`gru`]: a one-layer GRU (PyTorch's gate layout) on the fused recurrence kernel.
//! - [`mlp`]: a multilayer perceptron with a chosen activation and optional bias.
//! - [`unet`]: the U-Net of the diffusion and flow-matching families, with its residual blocks
//!   ([`resblock`]), attention ([`attention`]) and step embedding ([`time_embedding`]).
//! - [`spectral_norm`]: a layer's weight over its largest singular value (power iteration),
//!   for GAN discriminators.
//! - [`noise`]: Gaussian and uniform noise drawn from a portable, seedable RNG, so a run's
//!   randomness is a function of `(seed, step)` and resumes exactly.
//! - [`params`]: a module's float parameters by their construction path (`encoder.layers.0.weight`),
//!   the key under which checkpoints, optimiser state and EMA shadows are stored.
//! - [`optim`]: Adam and AdamW whose state is keyed by parameter path. It lives here, below the
//!   families, because a family steps its own optimiser groups inside `train_step` (a GAN's
//!   generator and discriminator); the trainer owns the instances.
//! - [`ema`]: an exponential moving average of a module's weights.
//! - [`host`]: tensors read back to the host.
//! - [`fastmath`]: branch-free `exp`, `sigmoid` and `dot` on `f32` slices that vectorise, for
//!   hand-written host loops in families (NADE's gradient).

pub mod attention;
pub mod ema;
pub mod error;
pub mod fast;
pub mod gru;
pub mod host;
pub mod mlp;
pub mod noise;
pub mod optim;
pub mod params;
pub mod resblock;
pub mod spectral_norm;
pub mod time_embedding;
pub mod unet;

pub use ema::Ema;
pub use error::NnError;
pub use genzoo_kernels::fastmath;
pub use gru::Gru;
pub use mlp::{Activation, Mlp, MlpConfig};
pub use optim::{Adam, AdamConfig, StepReport};
pub use params::{
    NamedTensor, deterministic_init, load_named, materialize, named_params, normal_init,
};
