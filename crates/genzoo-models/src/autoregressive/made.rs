//! Masked autoencoder for distribution estimation (Germain et al. 2015).
//!
//! A ReLU MLP whose weights are multiplied by the masks of [`super::masks`], so output d sees
//! only inputs earlier in the ordering; all n conditionals come out of one pass.
//! - Connectivity-agnostic training: step t uses mask set `t mod K` of K sets, each with its own
//!   hidden degrees (and, when order-agnostic, its own input ordering).
//! - Test time: `log p(x) = log (1/E) Σ_{s<E} p_s(x)` over the first E mask sets (log of the mean
//!   probability, not the mean of the logs).
//!
//! Mask set s is drawn from `rng_for(mask_seed, STREAM_MASKS, s)`, so masks are not stored:
//! the config rebuilds them exactly.
//!
//! # Shapes
//! `x: [B, n]` → logits `[B, n]`.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use genzoo_data::rng_for;
use rand_chacha::ChaCha8Rng;

use super::masks::{MadeMasks, made_masks};
use super::{
    MadeConfig, OrderKind, Ordering, check_binary, check_width, log_prob_from_logits, nll_metrics,
    nll_step, sample_sequential,
};
use crate::family::Optimizers;
use crate::{Batch, DataSpec, ExactLikelihood, Family, Metrics, ModelError, Sample, StepCx};

/// RNG stream of mask sets.
const STREAM_MASKS: u64 = u64::from_be_bytes(*b"mademask");

/// A built MADE.
#[derive(Module, Debug)]
pub struct Made {
    /// Hidden layers then the output layer.
    layers: Vec<Linear>,
    /// Direct input→output weights `[n, n]` (`[in, out]`), masked by the ordering; `None`
    /// unless the config asks for them.
    direct: Option<Param<Tensor<2>>>,
    #[module(skip)]
    config: MadeConfig,
    #[module(skip)]
    n: usize,
}

impl MadeConfig {
    /// Build a MADE for `data` (binary vectors).
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Made, ModelError> {
        self.validate()?;
        let n = check_binary(data, "MADE")?;
        if n < 2 {
            return Err(ModelError::DataMismatch(
                "MADE needs at least 2 dimensions".into(),
            ));
        }
        let dims = [&[n][..], &self.hidden, &[n]].concat();
        let layers = dims
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        // Zero start: the direct path begins as "no direct path" and learns only what helps.
        let direct = self
            .direct
            .then(|| Param::from_tensor(Tensor::<2>::zeros([n, n], device)));
        Ok(Made {
            layers,
            direct,
            config: self.clone(),
            n,
        })
    }
}

/// One mask set's weights with the mask applied: `W ⊙ M` per layer (`[in, out]`), and the
/// direct weights' (`[n, n]`).
struct MaskedWeights {
    layers: Vec<Tensor<2>>,
    direct: Option<Tensor<2>>,
}

impl Made {
    /// Mask set `s` (orderings natural unless order-agnostic).
    pub fn masks(&self, s: usize) -> MadeMasks {
        let mut rng = rng_for(self.config.mask_seed, STREAM_MASKS, s as u64);
        let kind = if self.config.order_agnostic {
            OrderKind::Random
        } else {
            OrderKind::Natural
        };
        let ordering = Ordering::of_kind(kind, self.n, self.config.mask_seed, s as u64);
        let device = self.layers[0].weight.device(); // the output layer always exists
        made_masks(ordering, &self.config.hidden, &mut rng, &device)
    }

    /// All n logits under mask set `s`.
    ///
    /// # Shapes
    /// `x: [B, n]` → `[B, n]`.
    pub fn logits_with(&self, x: Tensor<2>, masks: &MadeMasks) -> Tensor<2> {
        self.logits_masked(x, &self.masked(masks))
    }

    /// The weights of mask set `masks` with the mask applied (`W ⊙ M`), for many passes under
    /// one connectivity: sequential sampling makes `n` passes and would otherwise redo the
    /// products every time.
    fn masked(&self, masks: &MadeMasks) -> MaskedWeights {
        MaskedWeights {
            layers: self
                .layers
                .iter()
                .zip(&masks.layers)
                .map(|(layer, m)| layer.weight.val() * m.clone()) // [in, out]
                .collect(),
            direct: self.direct.as_ref().map(|w| w.val() * masks.direct.clone()), // [n, n]
        }
    }

    /// All n logits with masked weights.
    ///
    /// # Shapes
    /// `x: [B, n]` → `[B, n]`.
    fn logits_masked(&self, x: Tensor<2>, masked: &MaskedWeights) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let x_in = x.clone();
        let mut h = x;
        for (i, (layer, w)) in self.layers.iter().zip(&masked.layers).enumerate() {
            h = h.matmul(w.clone());
            if let Some(b) = &layer.bias {
                h = h + b.val().unsqueeze_dim(0);
            }
            if i < last {
                h = relu(h);
            }
        }
        match &masked.direct {
            Some(w) => h + x_in.matmul(w.clone()),
            None => h,
        }
    }

    /// Mask sets averaged at evaluation.
    pub fn ensemble(&self) -> usize {
        self.config.ensemble
    }

    /// `log p(x)` under an ensemble of the first `e` mask sets (log-mean-exp over sets).
    ///
    /// # Shapes
    /// `x: [B, n]` → `[B]`.
    pub fn log_prob_ensemble(&self, x: Tensor<2>, e: usize) -> Tensor<1> {
        let per: Vec<Tensor<1>> = (0..e.max(1))
            .map(|s| log_prob_from_logits(x.clone(), self.logits_with(x.clone(), &self.masks(s))))
            .collect();
        let stacked = Tensor::stack::<2>(per, 0); // [E, B]
        let max = stacked.clone().max_dim(0).detach(); // [1, B]
        let lse = (stacked - max.clone()).exp().sum_dim(0).log() + max; // [1, B]
        lse.squeeze_dim::<1>(0).sub_scalar((e.max(1) as f64).ln())
    }
}

impl Family for Made {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "made";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        check_width(&batch.x, self.n, "MADE")?;
        let masks = self.masks((cx.step % self.config.masks as u64) as usize);
        let lp = log_prob_from_logits(batch.x.clone(), self.logits_with(batch.x.clone(), &masks));
        Ok(nll_step(self, lp, optim))
    }

    fn eval_step(&self, batch: &Batch, _cx: &mut StepCx) -> Result<Metrics, ModelError> {
        check_width(&batch.x, self.n, "MADE")?;
        // Periodic validation uses the first mask set: cheap, and what model selection needs.
        let lp = log_prob_from_logits(
            batch.x.clone(),
            self.logits_with(batch.x.clone(), &self.masks(0)),
        );
        Ok(nll_metrics(lp))
    }
}

impl ExactLikelihood for Made {
    fn log_prob(&self, x: Tensor<2>) -> Result<Tensor<1>, ModelError> {
        check_width(&x, self.n, "MADE")?;
        Ok(self.log_prob_ensemble(x, self.config.ensemble))
    }
}

impl Sample for Made {
    /// Samples under the first mask set (each mask set is a distribution of its own).
    fn sample(
        &self,
        count: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        let masks = self.masks(0);
        let masked = self.masked(&masks);
        sample_sequential(count, &masks.ordering, rng, device, |x| {
            self.logits_masked(x, &masked)
        })
    }
}
