//! Every family's configuration, tagged by name: the `[model]` table of a run config.
//!
//! ```toml
//! [model]
//! family = "vae"
//! hidden = [200, 200]
//! latent = 50
//! ```

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::vae::VaeConfig;

/// A family and its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "lowercase")]
pub enum ModelConfig {
    /// Variational autoencoder.
    Vae(VaeConfig),
}

/// Family names a config may use, for error messages.
pub const FAMILIES: &[&str] = &["vae"];

impl ModelConfig {
    /// The family's name.
    pub fn family(&self) -> &'static str {
        match self {
            ModelConfig::Vae(_) => "vae",
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            ModelConfig::Vae(c) => c.validate(),
        }
    }
}
