//! A stack of coupling layers and a diagonal scaling: the body of NICE and RealNVP.
//! ```text
//! z = S ∘ c_K ∘ … ∘ c_1 ∘ [logit](x),   log p(x) = log p_Z(z) + Σ log|det|
//! sampling: x = [logit⁻¹] ∘ c_1⁻¹ ∘ … ∘ c_K⁻¹ ∘ S⁻¹(z),  z ~ p_Z
//! ```
//! Coupling k changes the dimensions of parity k mod 2, so two consecutive layers transform
//! every dimension.
//!
//! # Shapes
//! `x: [B, D]` → `z: [B, D]`, `log p(x): [B]`.

use burn::prelude::*;
use genzoo_nn::Activation;
use rand_chacha::ChaCha8Rng;

use super::config::{CouplingKind, ScaleInit};
use super::{Bijection, Coupling, Logit, Prior, Scaling, forward_all, inverse_all};
use crate::{DataKind, DataSpec, ModelError};

/// Coupling layers, a scaling and a prior.
#[derive(Module, Debug)]
pub struct CouplingFlow {
    /// The coupling layers, data side first.
    pub couplings: Vec<Coupling>,
    /// The final diagonal scaling.
    pub scaling: Scaling,
    #[module(skip)]
    prior: Prior,
    #[module(skip)]
    logit: Option<Logit>,
    #[module(skip)]
    dim: usize,
    #[module(skip)]
    scale_init: ScaleInit,
}

/// Architecture of a [`CouplingFlow`].
#[derive(Clone, Debug)]
pub struct StackSpec<'a> {
    /// Additive or affine couplings.
    pub kind: CouplingKind,
    /// Number of couplings.
    pub couplings: usize,
    /// Hidden widths of each conditioner.
    pub hidden: &'a [usize],
    /// Conditioner nonlinearity.
    pub activation: Activation,
    /// Bound of the affine log-scale.
    pub scale_bound: f64,
    /// Base density.
    pub prior: Prior,
    /// Logit squeeze α (0: no logit pre-processing).
    pub logit_alpha: f64,
    /// Start of the diagonal scaling.
    pub scale_init: ScaleInit,
}

impl CouplingFlow {
    /// Build the stack for `data` (continuous, at least 2 dimensions).
    pub fn new(
        spec: &StackSpec,
        data: &DataSpec,
        family: &str,
        device: &Device,
    ) -> Result<Self, ModelError> {
        if data.kind != DataKind::Continuous {
            return Err(ModelError::DataMismatch(format!(
                "{family} models continuous data; use a toy or the dequantised MNIST view"
            )));
        }
        let dim = data.dim();
        if dim < 2 {
            return Err(ModelError::DataMismatch(format!(
                "{family} couples halves of the input and needs at least 2 dimensions, got {dim}"
            )));
        }
        let couplings = (0..spec.couplings)
            .map(|k| {
                Coupling::new(
                    spec.kind,
                    k,
                    dim,
                    spec.hidden,
                    spec.activation,
                    spec.scale_bound,
                    device,
                )
            })
            .collect();
        Ok(CouplingFlow {
            couplings,
            scaling: Scaling::new(dim, device),
            prior: spec.prior,
            logit: (spec.logit_alpha > 0.0).then_some(Logit {
                alpha: spec.logit_alpha,
            }),
            dim,
            scale_init: spec.scale_init,
        })
    }

    /// Whether the scaling is to be fitted to the first batch ([`ScaleInit::Data`]).
    pub fn fits_scale(&self) -> bool {
        self.scale_init == ScaleInit::Data
    }

    /// This flow with its scaling fitted to `x` ([`Scaling::fitted_to`]): every coordinate of
    /// `z` then has the prior's standard deviation over the rows of `x`.
    ///
    /// # Shapes
    /// `x: [B, D]` with B ≥ 2.
    pub fn with_scaling_fitted_to(self, x: Tensor<2>) -> Self {
        let x = match &self.logit {
            Some(l) => l.forward(x).0,
            None => x,
        };
        let (h, _) = forward_all(&self.couplings, x.detach()); // [B, D], before the scaling
        let target = self.prior.std();
        CouplingFlow {
            scaling: self.scaling.fitted_to(h, target),
            ..self
        }
    }

    /// Width of an example.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The map to the base space and its log-det.
    ///
    /// # Shapes
    /// `x: [B, D]` → (`[B, D]`, `[B]`).
    pub fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (x, ld0) = match &self.logit {
            Some(l) => l.forward(x),
            None => {
                let [b, _] = x.dims();
                let device = x.device();
                (x, Tensor::zeros([b], &device))
            }
        };
        let (h, ld1) = forward_all(&self.couplings, x);
        let (z, ld2) = self.scaling.forward(h);
        (z, ld0 + ld1 + ld2)
    }

    /// The map back to data space (and its log-det).
    ///
    /// # Shapes
    /// `z: [B, D]` → (`[B, D]`, `[B]`).
    pub fn inverse(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let (h, ld2) = self.scaling.inverse(z);
        let (x, ld1) = inverse_all(self.couplings.iter(), h);
        match &self.logit {
            Some(l) => {
                let (x, ld0) = l.inverse(x);
                (x, ld0 + ld1 + ld2)
            }
            None => (x, ld1 + ld2),
        }
    }

    /// `log p(x)` in nats.
    ///
    /// # Shapes
    /// `x: [B, D]` → `[B]`.
    pub fn log_prob(&self, x: Tensor<2>) -> Tensor<1> {
        let (z, ld) = self.forward(x);
        self.prior.log_prob(z) + ld
    }

    /// `n` samples, `[n, D]`.
    pub fn sample(&self, n: usize, rng: &mut ChaCha8Rng, device: &Device) -> Tensor<2> {
        self.inverse(self.prior.sample(n, self.dim, rng, device)).0
    }
}

/// `Family`, `Sample` and `ExactLikelihood` for a family that wraps a [`CouplingFlow`] in its
/// field `flow`: maximum likelihood, exact log p(x), samples by inversion.
macro_rules! coupling_family {
    ($t:ty, $name:literal) => {
        impl $crate::Family for $t {
            const GROUPS: &'static [&'static str] = &["model"];
            const NAME: &'static str = $name;

            fn train_step(
                self,
                batch: &$crate::Batch,
                optim: &mut $crate::Optimizers,
                cx: &mut $crate::StepCx,
            ) -> Result<(Self, $crate::Metrics), $crate::ModelError> {
                $crate::flows::check_width(&batch.x, self.flow.dim(), $name)?;
                let mut model = self;
                // Once, before the first update: a resumed run restores the fitted scale.
                if cx.step == 0 && model.flow.fits_scale() {
                    model.flow = model.flow.with_scaling_fitted_to(batch.x.clone());
                }
                let lp = model.flow.log_prob(batch.x.clone());
                Ok($crate::flows::nll_step(model, lp, optim))
            }

            fn eval_step(
                &self,
                batch: &$crate::Batch,
                _cx: &mut $crate::StepCx,
            ) -> Result<$crate::Metrics, $crate::ModelError> {
                $crate::flows::check_width(&batch.x, self.flow.dim(), $name)?;
                Ok($crate::flows::nll_metrics(
                    self.flow.log_prob(batch.x.clone()),
                ))
            }
        }

        impl $crate::Sample for $t {
            fn sample(
                &self,
                n: usize,
                rng: &mut rand_chacha::ChaCha8Rng,
                device: &burn::prelude::Device,
            ) -> Result<burn::prelude::Tensor<2>, $crate::ModelError> {
                Ok(self.flow.sample(n, rng, device))
            }
        }

        impl $crate::ExactLikelihood for $t {
            fn log_prob(
                &self,
                x: burn::prelude::Tensor<2>,
            ) -> Result<burn::prelude::Tensor<1>, $crate::ModelError> {
                $crate::flows::check_width(&x, self.flow.dim(), $name)?;
                Ok(self.flow.log_prob(x))
            }
        }
    };
}
pub(crate) use coupling_family;
