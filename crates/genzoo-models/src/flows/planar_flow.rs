//! Planar and radial flows as a family (Rezende & Mohamed 2015), in two modes.
//!
//! **Reverse KL to an unnormalised target** (`target = "u1"…"u4"`, the paper's §6.1): push
//! z₀ ~ q₀ = N(0, I) through the layers, `z_K = f_K ∘ … ∘ f_1(z₀)`, and minimise
//! ```text
//! F = E_{z₀~q₀}[log q₀(z₀) − Σ_k log|det ∂f_k/∂z_{k−1}| + U(z_K)] = KL(q_K ‖ e^{−U}/Z) − log Z
//! ```
//! F is the reported bound (`F ≥ −log Z`); with log Z from [`Energy::log_normaliser`] the KL
//! itself is reported too. Optionally the energy is annealed, `β_t U`, as in the paper. In this
//! mode the trainer's data is ignored except for the batch's row count: z₀ is drawn from the
//! step's RNG, so a run needs no files (any 2D toy source will do).
//!
//! **Density estimation** (no target): the layers map data to the base, `z = f_K ∘ … ∘ f_1(x)`,
//! `log p(x) = log N(z) + Σ log|det|`, fitted by maximum likelihood; sampling inverts the layers
//! (radial in closed form, planar by bisection).
//!
//! In both modes the model's density is exact: in target mode `log q(x)` inverts the layers.
//!
//! # Shapes
//! `x: [B, D]` → `log p(x): [B]`; target mode `D = 2`.

use crate::step::minimise;
use burn::prelude::*;
use genzoo_nn::noise::standard_normal;
use rand_chacha::ChaCha8Rng;

use super::config::{PlanarConfig, PlanarKind};
use super::{Bijection, Energy, Planar, Radial, check_width, forward_all, inverse_all};
use super::{nll_metrics, nll_step};
use crate::family::Optimizers;
use crate::likelihood::standard_normal_log_prob;
use crate::{
    Batch, DataKind, DataSpec, ExactLikelihood, Family, Metrics, ModelError, Sample, StepCx,
};

/// Dimension of the energies' space.
const TARGET_DIM: usize = 2;
/// Starting weight of the annealed energy (the paper's β₀ = 0.01).
const ANNEAL_START: f64 = 0.01;

/// One layer of a [`PlanarFlow`].
#[derive(Module, Debug)]
pub enum PlanarLayer {
    /// A planar layer.
    Planar(Planar),
    /// A radial layer.
    Radial(Radial),
}

impl Bijection for PlanarLayer {
    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        match self {
            PlanarLayer::Planar(l) => l.forward(x),
            PlanarLayer::Radial(l) => l.forward(x),
        }
    }
    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        match self {
            PlanarLayer::Planar(l) => l.inverse(y),
            PlanarLayer::Radial(l) => l.inverse(y),
        }
    }
}

/// A built planar/radial flow.
#[derive(Module, Debug)]
pub struct PlanarFlow {
    /// The layers, in the direction of their cheap map.
    pub layers: Vec<PlanarLayer>,
    #[module(skip)]
    target: Option<Energy>,
    #[module(skip)]
    anneal_steps: u64,
    #[module(skip)]
    dim: usize,
}

impl PlanarConfig {
    /// Build the flow for `data` (continuous; 2D when fitting a target).
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<PlanarFlow, ModelError> {
        self.validate()?;
        if data.kind != DataKind::Continuous {
            return Err(ModelError::DataMismatch(
                "planar flows model continuous data".into(),
            ));
        }
        let dim = data.dim();
        if self.target.is_some() && dim != TARGET_DIM {
            return Err(ModelError::DataMismatch(format!(
                "a planar flow fitted to an energy lives in 2D; use a toy data source (its points are not used), got {dim} dimensions"
            )));
        }
        let layers = (0..self.layers)
            .map(|_| match self.kind {
                PlanarKind::Planar => PlanarLayer::Planar(Planar::new(dim, device)),
                PlanarKind::Radial => PlanarLayer::Radial(Radial::new(dim, device)),
            })
            .collect();
        Ok(PlanarFlow {
            layers,
            target: self.target,
            anneal_steps: self.anneal_steps,
            dim,
        })
    }
}

impl PlanarFlow {
    /// The target energy, in reverse-KL mode.
    pub fn target(&self) -> Option<Energy> {
        self.target
    }

    /// `log q(x)` (target mode: the pushed-forward q_K) or `log p(x)` (density mode).
    ///
    /// # Shapes
    /// `x: [B, D]` → `[B]`.
    pub fn log_density(&self, x: Tensor<2>) -> Tensor<1> {
        let (z, ld) = match self.target {
            Some(_) => inverse_all(self.layers.iter(), x),
            None => forward_all(&self.layers, x),
        };
        standard_normal_log_prob(z) + ld
    }

    /// Draw `n` points z₀ ~ N(0, I) and push them through the layers: `(z_K, log q_K(z_K))`.
    ///
    /// # Shapes
    /// → (`[n, D]`, `[n]`).
    pub fn push_forward(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> (Tensor<2>, Tensor<1>) {
        let z0 = standard_normal([n, self.dim], rng, device);
        let log_q0 = standard_normal_log_prob(z0.clone());
        let (z, ld) = forward_all(&self.layers, z0);
        (z, log_q0 - ld)
    }

    /// Weight of the energy at `step` under annealing.
    fn energy_weight(&self, step: u64) -> f64 {
        if self.anneal_steps == 0 {
            1.0
        } else {
            (ANNEAL_START + step as f64 / self.anneal_steps as f64).min(1.0)
        }
    }
}

impl Family for PlanarFlow {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "planar";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        check_width(&batch.x, self.dim, "planar")?;
        let Some(energy) = self.target else {
            let lp = self.log_density(batch.x.clone());
            return Ok(nll_step(self, lp, optim));
        };
        let [rows, _] = batch.x.dims();
        let (z, log_q) = self.push_forward(rows, cx.rng, &batch.x.device());
        let u = energy.energy(z);
        let weight = self.energy_weight(cx.step);
        let loss = (log_q.clone() + u.clone().mul_scalar(weight)).mean();
        let bound = (log_q + u).mean().into_scalar::<f32>() as f64;
        let (model, loss_value, grad_norm) = minimise(self, loss, optim);
        let metrics = vec![
            ("loss", loss_value),
            ("bound", bound),
            ("kl", bound + energy.log_normaliser()),
            ("energy_weight", weight),
            ("grad_norm", grad_norm),
        ];
        Ok((model, metrics))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        check_width(&batch.x, self.dim, "planar")?;
        let Some(energy) = self.target else {
            return Ok(nll_metrics(self.log_density(batch.x.clone())));
        };
        let [rows, _] = batch.x.dims();
        let (z, log_q) = self.push_forward(rows, cx.rng, &batch.x.device());
        let bound = (log_q + energy.energy(z)).mean().into_scalar::<f32>() as f64;
        let log_z = energy.log_normaliser();
        Ok(vec![
            ("bound", bound),
            ("kl", bound + log_z),
            ("log_z", log_z),
        ])
    }
}

impl Sample for PlanarFlow {
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        Ok(match self.target {
            Some(_) => self.push_forward(n, rng, device).0,
            None => {
                inverse_all(
                    self.layers.iter(),
                    standard_normal([n, self.dim], rng, device),
                )
                .0
            }
        })
    }
}

impl ExactLikelihood for PlanarFlow {
    fn log_prob(&self, x: Tensor<2>) -> Result<Tensor<1>, ModelError> {
        check_width(&x, self.dim, "planar")?;
        Ok(self.log_density(x))
    }
}
