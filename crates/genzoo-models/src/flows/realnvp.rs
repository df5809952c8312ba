//! RealNVP (Dinh et al. 2017) with MLP conditioners: affine couplings `y_B = x_B ⊙ e^{s} + t`
//! with tanh-bounded log-scales, alternating partitions, a diagonal scaling and (by default) a
//! Gaussian prior; an optional logit pre-processing for data in [0, 1]. Trained by exact
//! maximum likelihood; see [`super::stack`] for the maps.
//!
//! # Shapes
//! `x: [B, D]` → `log p(x): [B]`.

use burn::prelude::*;

use super::config::{CouplingKind, RealNvpConfig, ScaleInit};
use super::stack::{CouplingFlow, StackSpec, coupling_family};
use crate::{DataSpec, ModelError};

/// A built RealNVP.
#[derive(Module, Debug)]
pub struct RealNvp {
    /// The layers.
    pub flow: CouplingFlow,
}

impl RealNvpConfig {
    /// Build a RealNVP for `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<RealNvp, ModelError> {
        self.validate()?;
        let spec = StackSpec {
            kind: CouplingKind::Affine,
            couplings: self.couplings,
            hidden: &self.hidden,
            activation: self.activation,
            scale_bound: self.scale_bound,
            prior: self.prior,
            logit_alpha: self.logit_alpha,
            scale_init: ScaleInit::Zero,
        };
        Ok(RealNvp {
            flow: CouplingFlow::new(&spec, data, "realnvp", device)?,
        })
    }
}

coupling_family!(RealNvp, "realnvp");
