//! Sinusoidal embedding of the diffusion step (Vaswani et al. 2017, as used by Ho et al. 2020's
//! `get_timestep_embedding`):
//! `emb(t)_i = sin(t·ω_i)`, `emb(t)_{h+i} = cos(t·ω_i)`, `ω_i = 10000^{−i/(h−1)}`, `h = dim/2`,
//! followed (in the U-Net) by `Linear → SiLU → Linear`.
//!
//! # Shapes
//! `t: [B]` (float steps) → `[B, dim]`.

use crate::fast::silu_fast;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;

/// Base of the geometric frequency ladder (Transformer's positional encoding).
const MAX_PERIOD: f64 = 10_000.0;

/// The sinusoidal features of `t`; `dim` must be even and ≥ 4.
pub fn sinusoidal(t: Tensor<1>, dim: usize) -> Tensor<2> {
    let half = dim / 2;
    let step = MAX_PERIOD.ln() / (half.max(2) - 1) as f64;
    let freqs: Vec<f32> = (0..half).map(|i| (-step * i as f64).exp() as f32).collect();
    let freqs = Tensor::<2>::from_data(TensorData::new(freqs, [1, half]), &t.device()); // [1, h]
    let args = t.unsqueeze_dim::<2>(1) * freqs; // [B, h]
    Tensor::cat(vec![args.clone().sin(), args.cos()], 1) // [B, 2h]
}

/// `sinusoidal → Linear → SiLU → Linear`.
#[derive(Module, Debug)]
pub struct TimeEmbedding {
    fc1: Linear,
    fc2: Linear,
    #[module(skip)]
    features: usize,
}

impl TimeEmbedding {
    /// Sinusoidal features of width `features`, embedded into width `out`.
    pub fn new(features: usize, out: usize, device: &Device) -> Self {
        TimeEmbedding {
            fc1: LinearConfig::new(features, out).init(device),
            fc2: LinearConfig::new(out, out).init(device),
            features,
        }
    }

    /// # Shapes
    /// `t: [B]` → `[B, out]`.
    pub fn forward(&self, t: Tensor<1>) -> Tensor<2> {
        let h = sinusoidal(t, self.features); // [B, features]
        self.fc2.forward(silu_fast(self.fc1.forward(h)))
    }
}
