//! NICE (Dinh et al. 2014): additive couplings `y_B = x_B + m(x_A)` with alternating odd/even
//! partitions (volume-preserving), a final diagonal scaling (log-det = Σ s) and a logistic
//! prior. The paper's MNIST model: 4 couplings, each an MLP of 5 × 1000 ReLU units, on
//! dequantised pixels in [0, 1]. Trained by exact maximum likelihood; see [`super::stack`].
//!
//! # Shapes
//! `x: [B, D]` → `log p(x): [B]`.

use burn::prelude::*;

use super::config::{CouplingKind, NiceConfig};
use super::stack::{CouplingFlow, StackSpec, coupling_family};
use crate::{DataSpec, ModelError};

/// A built NICE.
#[derive(Module, Debug)]
pub struct Nice {
    /// The layers.
    pub flow: CouplingFlow,
}

impl NiceConfig {
    /// Build a NICE for `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Nice, ModelError> {
        self.validate()?;
        let spec = StackSpec {
            kind: CouplingKind::Additive,
            couplings: self.couplings,
            hidden: &self.hidden,
            activation: self.activation,
            // Unused by additive couplings.
            scale_bound: super::config::DEFAULT_SCALE_BOUND,
            prior: self.prior,
            logit_alpha: self.logit_alpha,
            scale_init: self.scale_init,
        };
        Ok(Nice {
            flow: CouplingFlow::new(&spec, data, "nice", device)?,
        })
    }
}

coupling_family!(Nice, "nice");
