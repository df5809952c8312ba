//! What every family's step shares: refusing a batch of the wrong width, and the one-optimiser
//! step (backpropagate a scalar loss, step the `"model"` group, report loss and gradient norm).
//! Families with several groups (a GAN) step each group themselves.

use burn::optim::GradientsParams;
use burn::prelude::*;

use crate::family::Optimizers;
use crate::{Metrics, ModelError};

/// Refuse a batch `x: [B, d]` unless `d == n`; `what` names the model in the message.
pub(crate) fn check_width(x: &Tensor<2>, n: usize, what: &str) -> Result<(), ModelError> {
    let [_, d] = x.dims();
    if d != n {
        return Err(ModelError::DataMismatch(format!(
            "the {what} was built for {n}-dimensional examples, the batch has {d}"
        )));
    }
    Ok(())
}

/// The model after one step of its single optimiser group on `loss`, the loss value and the
/// global gradient norm (before clipping).
pub(crate) fn minimise<M: Module>(
    model: M,
    loss: Tensor<1>,
    optim: &mut Optimizers,
) -> (M, f64, f64) {
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let value = loss.into_scalar::<f32>() as f64;
    let (model, report) = optim.groups[0].step(model, grads);
    (model, value, report.grad_norm)
}

/// One step of exact maximum likelihood: loss = mean NLL in nats.
pub(crate) fn nll_step<M: Module>(
    model: M,
    log_prob: Tensor<1>,
    optim: &mut Optimizers,
) -> (M, Metrics) {
    let (model, nll, grad_norm) = minimise(model, log_prob.mean().neg(), optim);
    (
        model,
        vec![("loss", nll), ("nll", nll), ("grad_norm", grad_norm)],
    )
}

/// Validation metrics from per-example log-likelihoods: the mean NLL in nats.
pub(crate) fn nll_metrics(log_prob: Tensor<1>) -> Metrics {
    vec![("nll", log_prob.mean().neg().into_scalar::<f32>() as f64)]
}
