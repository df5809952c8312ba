//! Hyper-parameters of the autoregressive families, with presets.

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// How the dimensions are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    /// `0..n` (raster order for images), as in the papers' MNIST results.
    #[default]
    Natural,
    /// A random permutation drawn from `order_seed`.
    Random,
}

/// FVSBN: logistic regression on the earlier dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FvsbnConfig {
    /// Ordering of the dimensions.
    #[serde(default)]
    pub order: OrderKind,
    /// Seed of a random ordering.
    #[serde(default)]
    pub order_seed: u64,
}

/// NADE: a shared hidden layer of `hidden` sigmoid units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NadeConfig {
    /// Hidden units H (Larochelle & Murray use 500 on MNIST).
    pub hidden: usize,
    /// Ordering of the dimensions.
    #[serde(default)]
    pub order: OrderKind,
    /// Seed of a random ordering.
    #[serde(default)]
    pub order_seed: u64,
}

/// MADE: a masked MLP.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MadeConfig {
    /// Hidden widths (Figure 2 of Germain et al. uses [500]; their MNIST results use 8000-wide
    /// layers).
    pub hidden: Vec<usize>,
    /// Number of distinct masks (connectivity and, when `order_agnostic`, orderings) cycled
    /// through in training; 1 is a plain fixed-mask MADE.
    #[serde(default = "one")]
    pub masks: usize,
    /// Draw a new input ordering with every mask (order-agnostic training).
    #[serde(default)]
    pub order_agnostic: bool,
    /// Masks averaged at evaluation: log of the mean probability over the first `ensemble`
    /// masks (≤ `masks`).
    #[serde(default = "one")]
    pub ensemble: usize,
    /// Seed of degrees and orderings.
    #[serde(default)]
    pub mask_seed: u64,
    /// Add masked direct input→output weights (an FVSBN inside the MADE), as the reference
    /// code's MNIST runs do (`direct_input_connect = "Output"`).
    #[serde(default)]
    pub direct: bool,
}

fn one() -> usize {
    1
}

impl NadeConfig {
    /// Larochelle & Murray's MNIST model: 500 hidden units, raster order.
    pub fn mnist() -> Self {
        Self {
            hidden: 500,
            order: OrderKind::Natural,
            order_seed: 0,
        }
    }
}

impl MadeConfig {
    /// Germain et al.'s single-mask MNIST model: one hidden layer of 500 units.
    pub fn mnist() -> Self {
        Self {
            hidden: vec![500],
            masks: 1,
            order_agnostic: false,
            ensemble: 1,
            mask_seed: 0,
            direct: false,
        }
    }
}

impl FvsbnConfig {
    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        Ok(())
    }
}

impl NadeConfig {
    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.hidden == 0 {
            return Err(ModelError::InvalidConfig("nade.hidden must be >= 1".into()));
        }
        Ok(())
    }
}

impl MadeConfig {
    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(ModelError::InvalidConfig(format!(
                "made.hidden needs at least one layer of width >= 1, got {:?}",
                self.hidden
            )));
        }
        if self.masks == 0 {
            return Err(ModelError::InvalidConfig("made.masks must be >= 1".into()));
        }
        if self.ensemble == 0 || self.ensemble > self.masks {
            return Err(ModelError::InvalidConfig(format!(
                "made.ensemble must lie in 1..=masks ({}), got {}",
                self.masks, self.ensemble
            )));
        }
        Ok(())
    }
}
