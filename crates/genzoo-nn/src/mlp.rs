//! Multilayer perceptron: `h_{l+1} = act(W_l h_l + b_l)`, no activation after the last layer.
//!
//! # Shapes
//! input `[B, dims[0]]` → output `[B, dims[last]]`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation;
use serde::{Deserialize, Serialize};

/// Hidden-layer nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(0, x)`.
    #[default]
    Relu,
    /// `tanh(x)`, the IWAE paper's choice for its VAEs.
    Tanh,
    /// `x·σ(x)` (swish).
    Silu,
    /// `max(0.2x, x)`, the usual GAN discriminator choice.
    LeakyRelu,
}

/// Slope of [`Activation::LeakyRelu`] for negative inputs (DCGAN's value).
pub const LEAKY_RELU_SLOPE: f64 = 0.2;

impl Activation {
    /// Apply elementwise.
    pub fn apply<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
            Activation::Silu => crate::fast::silu_fast(x),
            Activation::LeakyRelu => crate::fast::leaky_relu_fast(x, LEAKY_RELU_SLOPE),
        }
    }
}

/// Hyper-parameters of an [`Mlp`].
#[derive(Clone, Debug)]
pub struct MlpConfig {
    /// Layer widths, input first and output last (at least two entries).
    pub dims: Vec<usize>,
    /// Nonlinearity between layers.
    pub activation: Activation,
    /// Whether every layer has a bias term.
    pub bias: bool,
}

impl MlpConfig {
    /// Build the network; parameters are named `layers.{i}.weight` / `layers.{i}.bias`.
    pub fn init(&self, device: &Device) -> Mlp {
        let layers = self
            .dims
            .windows(2)
            .map(|w| {
                LinearConfig::new(w[0], w[1])
                    .with_bias(self.bias)
                    .init(device)
            })
            .collect();
        Mlp {
            layers,
            activation: self.activation,
        }
    }
}

/// A stack of linear layers.
#[derive(Module, Debug)]
pub struct Mlp {
    /// The linear layers, input side first.
    pub layers: Vec<Linear>,
    /// Nonlinearity between layers.
    #[module(skip)]
    pub activation: Activation,
}

impl Mlp {
    /// # Shapes
    /// `[B, d_in]` → `[B, d_out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len().saturating_sub(1);
        self.layers.iter().enumerate().fold(x, |h, (i, layer)| {
            let h = layer.forward(h);
            if i < last {
                self.activation.apply(h)
            } else {
                h
            }
        })
    }
}
