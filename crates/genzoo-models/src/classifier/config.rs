//! Classifier hyper-parameters (the `[model]` table with `family = "classifier"`), separate
//! from the built module.
//!
//! ```toml
//! [model]
//! family = "classifier"
//! backbone = "cnn"            # mlp | cnn | efficientnet
//! loss = "ce"                 # ce | soft_accuracy | soft_f1 | ce_soft_f1
//! temperature = 1.0           # τ of the soft surrogates
//! positive_class = 3          # optional: "3 vs the rest", a binary task (labels 1 / 0)
//! ```

use genzoo_nn::Activation;
use serde::{Deserialize, Serialize};

use super::backbone::BackboneKind;
use super::efficientnet::EfficientNetConfig;
use super::loss::LossKind;
use crate::ModelError;

/// MNIST's digit classes.
pub const DEFAULT_CLASSES: usize = 10;
/// Classes of a one-vs-rest task.
pub const BINARY_CLASSES: usize = 2;

fn default_classes() -> usize {
    DEFAULT_CLASSES
}
fn default_temperature() -> f64 {
    1.0
}
fn default_true() -> bool {
    true
}
fn default_hidden() -> Vec<usize> {
    vec![256, 256]
}
fn default_channels() -> [usize; 3] {
    [32, 64, 128]
}
fn default_features() -> usize {
    128
}

/// Hyper-parameters of a [`Classifier`](super::Classifier).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifierConfig {
    /// Network: `"mlp"`, `"cnn"` or `"efficientnet"`.
    #[serde(default)]
    pub backbone: BackboneKind,
    /// Classes of the data's labels (labels must lie in `0..classes`).
    #[serde(default = "default_classes")]
    pub classes: usize,
    /// Turn the task into "this label vs the rest": targets become 1 for `positive_class` and
    /// 0 otherwise (two outputs; F1 is reported for class 1). On MNIST one digit is about 1:9.
    #[serde(default)]
    pub positive_class: Option<u8>,
    /// Training loss.
    #[serde(default)]
    pub loss: LossKind,
    /// Temperature τ of the soft surrogates: `softmax(logits/τ)`.
    #[serde(default = "default_temperature")]
    pub temperature: f64,
    /// Whether linear and conv layers carry bias terms (EfficientNet: its SE and final linear
    /// layers; its convolutions feed batch norm, whose β is the bias, and never have one).
    #[serde(default = "default_true")]
    pub bias: bool,
    /// Hidden widths of the `mlp` backbone.
    #[serde(default = "default_hidden")]
    pub mlp_hidden: Vec<usize>,
    /// Nonlinearity of the `mlp` backbone.
    #[serde(default)]
    pub activation: Activation,
    /// Conv widths of the `cnn` backbone.
    #[serde(default = "default_channels")]
    pub cnn_channels: [usize; 3],
    /// Penultimate (feature) width of the `cnn` backbone.
    #[serde(default = "default_features")]
    pub cnn_features: usize,
    /// Scaling of the `efficientnet` backbone.
    #[serde(default)]
    pub efficientnet: EfficientNetConfig,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        Self {
            backbone: BackboneKind::default(),
            classes: DEFAULT_CLASSES,
            positive_class: None,
            loss: LossKind::default(),
            temperature: 1.0,
            bias: true,
            mlp_hidden: default_hidden(),
            activation: Activation::default(),
            cnn_channels: default_channels(),
            cnn_features: default_features(),
            efficientnet: EfficientNetConfig::default(),
        }
    }
}

impl ClassifierConfig {
    /// Outputs of the network: 2 for a one-vs-rest task, else `classes`.
    pub fn outputs(&self) -> usize {
        if self.positive_class.is_some() {
            BINARY_CLASSES
        } else {
            self.classes
        }
    }

    /// Refuse configurations that cannot build.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::InvalidConfig(m));
        if self.classes < BINARY_CLASSES {
            return bad(format!(
                "classifier.classes must be >= 2, got {}",
                self.classes
            ));
        }
        if let Some(p) = self.positive_class
            && usize::from(p) >= self.classes
        {
            return bad(format!(
                "classifier.positive_class {p} is not one of the {} classes",
                self.classes
            ));
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(format!(
                "classifier.temperature must be > 0, got {}",
                self.temperature
            ));
        }
        if self.mlp_hidden.contains(&0) || self.cnn_channels.contains(&0) || self.cnn_features == 0
        {
            return bad("classifier widths must be >= 1".into());
        }
        self.efficientnet.validate()
    }
}
