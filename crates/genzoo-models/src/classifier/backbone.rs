//! The networks a classifier can use, each mapping examples to penultimate features and
//! logits:
//! - `mlp`: `x [B, D] → act(MLP) → features [B, h_last] → linear → logits`;
//! - `cnn`: the small conv net of [`super::cnn`];
//! - `efficientnet`: [`super::efficientnet`] at any preset or φ.
//!
//! # Shapes
//! `x: [B, D]` (flattened examples) → (`[B, F]`, `[B, classes]`).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use genzoo_nn::{Activation, Mlp, MlpConfig};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::cnn::Cnn;
use super::efficientnet::EfficientNet;

/// Which backbone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackboneKind {
    /// Fully connected.
    Mlp,
    /// The small conv net (the MNIST feature net).
    #[default]
    Cnn,
    /// EfficientNet.
    EfficientNet,
}

/// A fully connected backbone.
#[derive(Module, Debug)]
pub struct MlpNet {
    body: Mlp,
    fc: Linear,
}

impl MlpNet {
    /// `d → hidden… → classes`, `activation` after every hidden layer.
    pub fn new(
        d: usize,
        hidden: &[usize],
        activation: Activation,
        classes: usize,
        bias: bool,
        device: &Device,
    ) -> Self {
        let dims = [&[d][..], hidden].concat();
        let last = dims.last().copied().unwrap_or(d);
        Self {
            body: MlpConfig {
                dims,
                activation,
                bias,
            }
            .init(device),
            fc: LinearConfig::new(last, classes)
                .with_bias(bias)
                .init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        // genzoo's Mlp leaves its last layer linear; the features are that layer activated.
        let features = if self.body.layers.is_empty() {
            x
        } else {
            self.body.activation.apply(self.body.forward(x)) // [B, h_last]
        };
        let logits = self.fc.forward(features.clone());
        (features, logits)
    }
}

/// The built backbone.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Backbone {
    /// Fully connected.
    Mlp(MlpNet),
    /// Small conv net.
    Cnn(Cnn),
    /// EfficientNet.
    EfficientNet(EfficientNet),
}

impl Backbone {
    /// `rng`: the step's stream in training (EfficientNet's stochastic depth and dropout),
    /// `None` at evaluation. `image`: `[C, H, W]` of the flattened examples.
    ///
    /// # Shapes
    /// `x: [B, D]` → (`[B, F]`, `[B, classes]`).
    pub fn forward(
        &self,
        x: Tensor<2>,
        image: Option<[usize; 3]>,
        rng: Option<&mut ChaCha8Rng>,
    ) -> (Tensor<2>, Tensor<2>) {
        let [b, _] = x.dims();
        let as_image = |x: Tensor<2>| {
            // Conv backbones are only built for image data (checked at init).
            let [c, h, w] = image.unwrap_or([1, 1, 1]);
            x.reshape([b, c, h, w]) // [B, C, H, W]
        };
        match self {
            Backbone::Mlp(m) => m.forward(x),
            Backbone::Cnn(c) => c.forward(as_image(x)),
            Backbone::EfficientNet(e) => e.forward(as_image(x), rng),
        }
    }
}
