//! Autoregressive models of binary vectors: FVSBN, NADE and MADE.
//!
//! The chain rule in an ordering o of the n dimensions,
//! ```text
//! p(x) = Π_{i=1..n} p(x_{o_i} | x_{o_<i}),   p(x_{o_i} = 1 | x_{o_<i}) = σ(ℓ_{o_i}(x_{o_<i}))
//! ```
//! turns density estimation on {0,1}^n into n logistic regressions, so log p(x) is exact:
//! `log p(x) = Σ_d x_d ℓ_d − softplus(ℓ_d)`. The three families differ only in how the logits ℓ
//! are computed from the earlier dimensions:
//! - [`fvsbn`]: one masked weight matrix (logistic regression on x_<i);
//! - [`nade`]: a shared hidden layer with O(nH) running sums (Larochelle & Murray 2011);
//! - [`made`]: a masked MLP with degree-based masks, order- and connectivity-agnostic training
//!   and mask ensembles at test time (Germain et al. 2015).
//!
//! Every model here computes all n logits in one pass (`logits`, `[B, n]` in data order), and
//! samples dimension by dimension in its ordering.

pub mod config;
pub mod fvsbn;
pub mod made;
pub mod masks;
pub mod nade;
pub mod nade_grad;
pub mod ordering;

pub use config::{FvsbnConfig, MadeConfig, NadeConfig, OrderKind};
pub use fvsbn::Fvsbn;
pub use made::Made;
pub use nade::Nade;
pub use ordering::Ordering;

use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::sigmoid;
use genzoo_nn::noise::uniform;
use rand_chacha::ChaCha8Rng;

use crate::likelihood::bernoulli_log_prob;
pub(crate) use crate::step::{check_width, nll_metrics, nll_step};
use crate::{DataKind, DataSpec, ModelError};

/// Refuse data that is not binary or not flat-able.
pub(crate) fn check_binary(data: &DataSpec, family: &str) -> Result<usize, ModelError> {
    if data.kind != DataKind::Binary {
        return Err(ModelError::DataMismatch(format!(
            "{family} models binary vectors; use a binary view (binary-fixed or binary-dynamic)"
        )));
    }
    Ok(data.dim())
}

/// `log p(x)` from all-position logits.
///
/// # Shapes
/// `x, logits: [B, n]` → `[B]`.
pub(crate) fn log_prob_from_logits(x: Tensor<2>, logits: Tensor<2>) -> Tensor<1> {
    bernoulli_log_prob(x, logits)
}

/// Sample `count` vectors dimension by dimension in `ordering`, recomputing all logits with
/// `logits` at each step and reading the one of the next dimension (n full passes).
pub(crate) fn sample_sequential(
    count: usize,
    ordering: &Ordering,
    rng: &mut ChaCha8Rng,
    device: &Device,
    logits: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Result<Tensor<2>, ModelError> {
    let n = ordering.len();
    let mut x = vec![0.0f32; count * n];
    for &d in ordering.order() {
        let xt = Tensor::<2>::from_data(TensorData::new(x.clone(), [count, n]), device); // [B, n]
        let p = sigmoid(logits(xt).narrow(1, d, 1)); // [B, 1]
        let u = uniform([count, 1], rng, device);
        let bits = genzoo_nn::host::to_vec(u.lower(p).float(), "sampled bits")?;
        for (b, v) in bits.into_iter().enumerate() {
            x[b * n + d] = v;
        }
    }
    Ok(Tensor::from_data(TensorData::new(x, [count, n]), device))
}
