//! Variational autoencoder (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").
//!
//! Generative model `p(z) = N(0, I)`, `p(x|z)` Bernoulli (binary data, logits from the decoder)
//! or diagonal Gaussian (continuous data, mean and log-variance from the decoder). Inference
//! model `q(z|x) = N(μ(x), diag e^{s(x)})`, sampled by reparameterisation `z = μ + e^{s/2}·ε`.
//! Training minimises the negative ELBO
//! ```text
//! −ELBO(x) = −E_q[log p(x|z)] + KL(q(z|x) ‖ p(z))      (KL in closed form)
//! ```
//! and evaluation reports the importance-weighted bound of Burda et al. 2016 (IWAE) through
//! [`LatentVariable`](crate::LatentVariable), which tightens towards log p(x) as k grows.
//!
//! - [`config`]: hyper-parameters and presets;
//! - [`net`]: encoder and decoder networks (MLP and conv variants);
//! - [`model`]: the model, its loss, sampling and importance weights.

pub mod config;
pub mod model;
pub mod net;

pub use config::{VaeArch, VaeConfig};
pub use model::Vae;
