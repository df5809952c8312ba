//! Fully visible sigmoid belief network (Neal 1992; Frey 1998): each conditional is a logistic
//! regression on the earlier dimensions, all n of them held in one masked weight matrix.
//!
//! ```text
//! ℓ = x (W ⊙ M)ᵀ + b,   M[i, j] = 1 if pos(j) < pos(i) else 0
//! ```
//! # Shapes
//! `x: [B, n]` → logits `[B, n]`. Parameters: `weight [n, n]`, `bias [n]`.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::TensorData;
use rand_chacha::ChaCha8Rng;

use super::{
    FvsbnConfig, Ordering, check_binary, check_width, log_prob_from_logits, nll_metrics, nll_step,
    sample_sequential,
};
use crate::family::Optimizers;
use crate::{Batch, DataSpec, ExactLikelihood, Family, Metrics, ModelError, Sample, StepCx};

/// A built FVSBN.
#[derive(Module, Debug)]
pub struct Fvsbn {
    weight: Param<Tensor<2>>,
    bias: Param<Tensor<1>>,
    /// The autoregressive mask (a constant, not trained).
    mask: Tensor<2>,
    #[module(skip)]
    ordering: Ordering,
}

impl FvsbnConfig {
    /// Build an FVSBN for `data` (binary vectors); weights start at zero (the problem is a set
    /// of convex logistic regressions, so no symmetry needs breaking).
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Fvsbn, ModelError> {
        self.validate()?;
        let n = check_binary(data, "FVSBN")?;
        let ordering = Ordering::of_kind(self.order, n, self.order_seed, 0);
        let pos = ordering.position();
        let mask: Vec<f32> = (0..n * n)
            .map(|k| if pos[k % n] < pos[k / n] { 1.0 } else { 0.0 })
            .collect();
        Ok(Fvsbn {
            weight: Param::from_tensor(Tensor::zeros([n, n], device)),
            bias: Param::from_tensor(Tensor::zeros([n], device)),
            mask: Tensor::from_data(TensorData::new(mask, [n, n]), device),
            ordering,
        })
    }
}

impl Fvsbn {
    /// All n logits.
    ///
    /// # Shapes
    /// `x: [B, n]` → `[B, n]`.
    pub fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        let w = self.weight.val() * self.mask.clone(); // [n, n], row i = inputs of output i
        x.matmul(w.transpose()) + self.bias.val().unsqueeze_dim(0)
    }

    /// The model's ordering.
    pub fn ordering(&self) -> &Ordering {
        &self.ordering
    }
}

impl Family for Fvsbn {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "fvsbn";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        _cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        let lp = self.log_prob(batch.x.clone())?;
        Ok(nll_step(self, lp, optim))
    }

    fn eval_step(&self, batch: &Batch, _cx: &mut StepCx) -> Result<Metrics, ModelError> {
        Ok(nll_metrics(self.log_prob(batch.x.clone())?))
    }
}

impl ExactLikelihood for Fvsbn {
    fn log_prob(&self, x: Tensor<2>) -> Result<Tensor<1>, ModelError> {
        check_width(&x, self.ordering.len(), "FVSBN")?;
        Ok(log_prob_from_logits(x.clone(), self.logits(x)))
    }
}

impl Sample for Fvsbn {
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        sample_sequential(n, &self.ordering, rng, device, |x| self.logits(x))
    }
}
