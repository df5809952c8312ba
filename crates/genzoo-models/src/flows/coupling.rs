//! Coupling layers: half of the dimensions pass unchanged and parametrise a simple invertible
//! map of the other half.
//! ```text
//! additive (NICE, Dinh et al. 2014, eq. 4):   y_B = x_B + m(x_A),                 log|det| = 0
//! affine (RealNVP, Dinh et al. 2017, eq. 6):  y_B = x_B ⊙ exp(s(x_A)) + t(x_A),   log|det| = Σ s
//!                                             s = S · tanh(ŝ/S)   (log-scale bounded by ±S)
//! y_A = x_A;  inverse: x_B = y_B − m(y_A),  or  x_B = (y_B − t(y_A)) ⊙ exp(−s(y_A))
//! ```
//! The partition alternates with the layer's position: layer k changes the dimensions whose index
//! has parity k mod 2 (NICE's odd/even split; for 2D data the two coordinates take turns).
//! m, and (ŝ, t), come from one MLP (`genzoo_nn::Mlp`) whose last layer starts at zero, so every
//! coupling starts as the identity. The tanh bound keeps a single layer from scaling by more than
//! e^{±S}, which keeps early training stable.
//!
//! # Shapes
//! `[B, D]` ↔ `[B, D]`; the net maps `[B, |A|]` → `[B, |B|]` (additive) or `[B, 2|B|]` (affine).

use burn::nn::{Initializer, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_nn::{Activation, Mlp, MlpConfig};

use super::Bijection;
use super::config::CouplingKind;

/// One coupling layer.
#[derive(Module, Debug)]
pub struct Coupling {
    /// The conditioner: x_A → m, or x_A → (ŝ, t).
    pub net: Mlp,
    #[module(skip)]
    kind: CouplingKind,
    /// Dimensions passed through (A), in increasing order.
    #[module(skip)]
    keep: Vec<usize>,
    /// Dimensions transformed (B), in increasing order.
    #[module(skip)]
    change: Vec<usize>,
    /// Position of dimension d in `[A, B]`: gathers the concatenation back into data order.
    #[module(skip)]
    merge: Vec<usize>,
    /// Bound S of the affine log-scale.
    #[module(skip)]
    scale_bound: f64,
}

impl Coupling {
    /// Coupling layer number `index` on `dim`-dimensional rows (`dim ≥ 2`); its conditioner has
    /// hidden widths `hidden`.
    pub fn new(
        kind: CouplingKind,
        index: usize,
        dim: usize,
        hidden: &[usize],
        activation: Activation,
        scale_bound: f64,
        device: &Device,
    ) -> Self {
        let parity = index % 2;
        let (change, keep): (Vec<usize>, Vec<usize>) = (0..dim).partition(|i| i % 2 == parity);
        let mut merge = vec![0; dim];
        for (pos, &d) in keep.iter().chain(&change).enumerate() {
            merge[d] = pos;
        }
        let out = match kind {
            CouplingKind::Additive => change.len(),
            CouplingKind::Affine => 2 * change.len(),
        };
        let dims = [&[keep.len()][..], hidden, &[out]].concat();
        let mut net = MlpConfig {
            dims: dims.clone(),
            activation,
            bias: true,
        }
        .init(device);
        if let (Some(last), Some(&width)) = (net.layers.last_mut(), dims.iter().rev().nth(1)) {
            *last = LinearConfig::new(width, out)
                .with_initializer(Initializer::Zeros)
                .init(device);
        }
        Coupling {
            net,
            kind,
            keep,
            change,
            merge,
            scale_bound,
        }
    }

    /// The dimensions this layer transforms.
    pub fn changed(&self) -> &[usize] {
        &self.change
    }

    /// Columns `idx` of `x`: `[B, D]` → `[B, |idx|]`.
    fn columns(x: Tensor<2>, idx: &[usize]) -> Tensor<2> {
        let device = x.device();
        let idx: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
        let n = idx.len();
        x.select(
            1,
            Tensor::<1, Int>::from_data(TensorData::new(idx, [n]), &device),
        )
    }

    /// `[A | B]` back into data order.
    fn join(&self, a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
        Self::columns(Tensor::cat(vec![a, b], 1), &self.merge) // [B, D]
    }

    /// The conditioner's shift and log-scale (zero for additive), each `[B, |B|]`.
    fn shift_and_log_scale(&self, a: Tensor<2>) -> (Tensor<2>, Option<Tensor<2>>) {
        let out = self.net.forward(a);
        match self.kind {
            CouplingKind::Additive => (out, None),
            CouplingKind::Affine => {
                let nb = self.change.len();
                let bound = self.scale_bound;
                let s = out
                    .clone()
                    .narrow(1, 0, nb)
                    .div_scalar(bound)
                    .tanh()
                    .mul_scalar(bound);
                (out.narrow(1, nb, nb), Some(s))
            }
        }
    }
}

/// Row sums of an optional log-scale, or zeros for `rows` rows.
fn log_det(s: Option<Tensor<2>>, rows: usize, device: &Device) -> Tensor<1> {
    s.map_or_else(
        || Tensor::zeros([rows], device),
        |s| s.sum_dim(1).squeeze_dim(1),
    )
}

impl Bijection for Coupling {
    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [rows, _] = x.dims();
        let device = x.device();
        let a = Self::columns(x.clone(), &self.keep);
        let b = Self::columns(x, &self.change);
        let (t, s) = self.shift_and_log_scale(a.clone());
        let yb = match &s {
            Some(s) => b * s.clone().exp() + t,
            None => b + t,
        };
        (self.join(a, yb), log_det(s, rows, &device))
    }

    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let [rows, _] = y.dims();
        let device = y.device();
        let a = Self::columns(y.clone(), &self.keep);
        let b = Self::columns(y, &self.change);
        let (t, s) = self.shift_and_log_scale(a.clone());
        let xb = match &s {
            Some(s) => (b - t) * s.clone().neg().exp(),
            None => b - t,
        };
        (self.join(a, xb), log_det(s, rows, &device).neg())
    }
}
