//! Diffusion models: DDPM training (Ho et al. 2020, "Denoising Diffusion Probabilistic
//! Models") and DDPM and DDIM sampling (Song et al. 2021, "Denoising Diffusion Implicit
//! Models") from one network.
//!
//! Network, process and samplers are kept apart (as in ermongroup/ddim):
//! - [`schedule`]: β_t, ᾱ_t, β̃_t (linear and cosine, f64);
//! - [`process`]: the forward marginal q(x_t | x_0) and the ε/x₀/v targets;
//! - [`samplers`]: DDPM ancestral (σ² = β or β̃), DDIM (η, S, uniform/quad skip), DDIM
//!   inversion, slerp — pure code over a `(x_t, t) ↦ prediction` closure;
//! - the network: [`crate::conditioned`], the U-Net of `genzoo_nn::unet` (configured by
//!   `[model.unet]`) or an MLP, shared with the rectified flow;
//! - [`config`], [`model`]: the family.

pub mod config;
pub mod model;
pub mod process;
pub mod samplers;
pub mod schedule;

pub use config::{DdpmConfig, NetKind};
pub use model::Ddpm;
pub use process::Prediction;
pub use samplers::{DdpmVariance, Skip};
pub use schedule::{NoiseSchedule, ScheduleKind};
