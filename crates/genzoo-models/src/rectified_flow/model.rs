//! The rectified-flow family: training by velocity regression on straight paths, sampling by
//! any solver of [`super::solvers`].
//!
//! Loss (Liu, Gong & Liu 2022, eq. 1): with x₀ from the coupling's source, x₁ from the data and
//! `x_t = t·x₁ + (1 − t)·x₀`,
//! `E_{t, (x₀, x₁)} ‖(x₁ − x₀) − v_θ(x_t, t)‖²`, averaged over examples and values.
//! Evaluation spreads t evenly over the batch, `t_i = (i + ½)/B` (t = 0 for a distilled map),
//! so successive validation losses are comparable.
//!
//! # Shapes
//! Rows are flattened examples `[B, D]`; x₀ of a coupling is `[B, D]` beside them
//! ([`Batch::x0`]).

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_nn::noise::standard_normal;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::config::{Coupling, MAX_STEPS, RectifiedFlowConfig, TimeSampling};
use super::solvers::{FixedStep, Tolerance, integrate_fixed, integrate_rk45};
use crate::conditioned::{Net, build};
use crate::family::Optimizers;
use crate::sampling::{
    IterativeSample, OnStep, Sampled, SamplerConfig, SamplerKind, SamplerRequest, check_kind,
};
use crate::step::minimise;
use crate::{Batch, DataSpec, Family, Metrics, ModelError, Sample, StepCx};

/// t ∈ [0, 1] is multiplied by this before the sinusoidal features, so the network sees the
/// range of diffusion's step indices (the paper's code feeds `999·t` to the same U-Net).
pub const TIME_SCALE: f64 = 999.0;

/// Most values (examples × dimensions) pushed through the network at once while sampling:
/// 250 MNIST images, as in diffusion.
pub const SAMPLE_CHUNK_VALUES: usize = 250 * 28 * 28;

/// A built rectified flow.
#[derive(Module, Debug)]
pub struct RectifiedFlow {
    net: Net,
    /// `[C, H, W]` for images, `[1, 1, D]` for flat data.
    #[module(skip)]
    image: [usize; 3],
    #[module(skip)]
    time: TimeSampling,
    #[module(skip)]
    logit: (f64, f64),
    #[module(skip)]
    coupling: Coupling,
    #[module(skip)]
    clip: Option<f64>,
    #[module(skip)]
    sampler: SamplerConfig,
}

impl RectifiedFlowConfig {
    /// Build a rectified flow sized to `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<RectifiedFlow, ModelError> {
        self.validate()?;
        let (net, image) = build(
            self.net,
            &self.unet,
            &self.hidden,
            self.time_features,
            data,
            device,
        )?;
        Ok(RectifiedFlow {
            net,
            image,
            time: self.time,
            logit: (self.logit_mean, self.logit_std),
            coupling: self.coupling,
            clip: self.clip,
            sampler: self.sampler,
        })
    }
}

impl RectifiedFlow {
    /// Values per example.
    pub fn dim(&self) -> usize {
        self.image.iter().product()
    }

    /// Where training pairs' x₀ comes from.
    pub fn coupling(&self) -> Coupling {
        self.coupling
    }

    /// v(x, t) for per-example times `t ∈ [0, 1]`.
    ///
    /// # Shapes
    /// `x: [B, D]`, `t: [B]` → `[B, D]`.
    pub fn velocity(&self, x: Tensor<2>, t: Tensor<1>) -> Tensor<2> {
        self.net.forward(x, t * TIME_SCALE, self.image)
    }

    /// v(x, t) with every example at time `t`.
    pub fn velocity_at(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let [b, _] = x.dims();
        let steps = Tensor::<1>::full([b], t, &x.device());
        self.velocity(x, steps)
    }

    fn check_width(&self, x: &Tensor<2>) -> Result<(), ModelError> {
        crate::step::check_width(x, self.dim(), "rectified flow")
    }

    /// Mean squared error of the velocity against x₁ − x₀ at times `t` (one per row).
    ///
    /// # Shapes
    /// `x0, x1: [B, D]`, `t.len() == B` → scalar `[1]`.
    pub fn loss(&self, x0: Tensor<2>, x1: Tensor<2>, t: &[f64]) -> Tensor<1> {
        let device = x1.device();
        let b = t.len();
        let tv: Vec<f32> = t.iter().map(|&s| s as f32).collect();
        let tt = Tensor::<1>::from_data(TensorData::new(tv, [b]), &device);
        let tc = tt.clone().reshape([b, 1]); // [B, 1]
        let xt = x1.clone() * tc.clone() + x0.clone() * (tc.neg() + 1.0);
        (self.velocity(xt, tt) - (x1 - x0)).square().mean()
    }

    /// x₀ of a training or evaluation batch: the coupling's, or fresh noise.
    fn source(&self, batch: &Batch, rng: &mut ChaCha8Rng) -> Result<Tensor<2>, ModelError> {
        match (self.coupling, &batch.x0) {
            (Coupling::Pairs, Some(x0)) => {
                if x0.dims() != batch.x.dims() {
                    return Err(ModelError::DataMismatch(format!(
                        "coupled x0 has shape {:?}, the examples {:?}",
                        x0.dims(),
                        batch.x.dims()
                    )));
                }
                Ok(x0.clone())
            }
            (Coupling::Pairs, None) => Err(ModelError::DataMismatch(
                "coupling = \"pairs\" trains on a flow's (x0, x1) pairs: use data source = \"pairs\""
                    .into(),
            )),
            (Coupling::Independent, Some(_)) => Err(ModelError::DataMismatch(
                "the data holds (x0, x1) pairs but coupling = \"independent\" would ignore x0: set model.coupling = \"pairs\""
                    .into(),
            )),
            (Coupling::Independent, None) => {
                Ok(standard_normal(batch.x.dims(), rng, &batch.x.device()))
            }
        }
    }

    /// A training time.
    fn draw_time(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self.time {
            TimeSampling::Uniform => rng.random::<f64>(),
            TimeSampling::LogitNormal => {
                let u: f64 = StandardNormal.sample(rng);
                1.0 / (1.0 + (-(self.logit.0 + self.logit.1 * u)).exp())
            }
            TimeSampling::Zero => 0.0,
        }
    }

    /// Examples per chunk of a solve: [`SAMPLE_CHUNK_VALUES`] values.
    pub fn sample_chunk(&self) -> usize {
        (SAMPLE_CHUNK_VALUES / self.dim().max(1)).max(1)
    }

    /// Solve the ODE from `x0` (t = 0) to t = 1 with `sampler`, in one batch; the clip is
    /// applied to the endpoint. Returns the endpoint and the network evaluations it took.
    ///
    /// # Shapes
    /// `x0: [B, D]` → `[B, D]`.
    pub fn transport(
        &self,
        x0: Tensor<2>,
        sampler: &SamplerConfig,
        on_step: &mut OnStep,
    ) -> Result<(Tensor<2>, usize), ModelError> {
        self.check_width(&x0)?;
        check_kind(Self::NAME, SamplerKind::ODE, sampler.kind)?;
        sampler.validate(MAX_STEPS)?;
        let mut v = |x: Tensor<2>, t: f64| Ok(self.velocity_at(x, t));
        let steps = sampler.steps(MAX_STEPS);
        let fixed = |m: FixedStep| (m, steps * m.evaluations_per_step());
        let (x1, nfe) = match sampler.kind {
            SamplerKind::Rk45 => {
                let tol = Tolerance {
                    rtol: sampler.rtol,
                    atol: sampler.atol,
                };
                let sol = integrate_rk45(x0, tol, &mut v, &mut |n| on_step(n, n))?;
                (sol.x, sol.nfe)
            }
            kind => {
                let (method, nfe) = fixed(match kind {
                    SamplerKind::Heun => FixedStep::Heun,
                    SamplerKind::Rk4 => FixedStep::Rk4,
                    _ => FixedStep::Euler,
                });
                (integrate_fixed(method, x0, steps, &mut v, on_step)?, nfe)
            }
        };
        Ok((
            match self.clip {
                Some(c) => x1.clamp(-c, c),
                None => x1,
            },
            nfe,
        ))
    }
}

impl Family for RectifiedFlow {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "rectified_flow";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        self.check_width(&batch.x)?;
        let x0 = self.source(batch, cx.rng)?;
        let [b, _] = batch.x.dims();
        let t: Vec<f64> = (0..b).map(|_| self.draw_time(cx.rng)).collect();
        let loss = self.loss(x0, batch.x.clone(), &t);
        let (model, loss, grad_norm) = minimise(self, loss, optim);
        Ok((model, vec![("loss", loss), ("grad_norm", grad_norm)]))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        self.check_width(&batch.x)?;
        let x0 = self.source(batch, cx.rng)?;
        let [b, _] = batch.x.dims();
        let t: Vec<f64> = match self.time {
            TimeSampling::Zero => vec![0.0; b],
            _ => (0..b).map(|i| (i as f64 + 0.5) / b as f64).collect(),
        };
        let loss = self.loss(x0, batch.x.clone(), &t);
        Ok(vec![("loss", loss.into_scalar::<f32>() as f64)])
    }
}

impl Sample for RectifiedFlow {
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        Ok(self
            .sample_with(n, &self.sampler, rng, device, &mut |_, _| {})?
            .x)
    }
}

impl IterativeSample for RectifiedFlow {
    fn sampler_kinds(&self) -> &'static [SamplerKind] {
        SamplerKind::ODE
    }

    fn default_sampler(&self) -> SamplerConfig {
        self.sampler
    }

    fn resolve_sampler(&self, request: &SamplerRequest) -> Result<SamplerConfig, ModelError> {
        let mut s = self.sampler.with_request(request);
        check_kind(Self::NAME, self.sampler_kinds(), s.kind)?;
        s.validate(MAX_STEPS)?;
        s.steps = Some(s.steps(MAX_STEPS));
        Ok(s)
    }

    fn network_calls(&self, sampler: &SamplerConfig) -> Result<Option<usize>, ModelError> {
        let steps = sampler.steps(MAX_STEPS);
        Ok(match sampler.kind {
            SamplerKind::Euler => Some(steps),
            SamplerKind::Heun => Some(2 * steps),
            SamplerKind::Rk4 => Some(4 * steps),
            _ => None,
        })
    }

    /// Noise x₀ ~ N(0, I) carried to t = 1, in chunks of [`RectifiedFlow::sample_chunk`].
    fn sample_with(
        &self,
        n: usize,
        sampler: &SamplerConfig,
        rng: &mut ChaCha8Rng,
        device: &Device,
        on_step: &mut OnStep,
    ) -> Result<Sampled, ModelError> {
        if n == 0 {
            return Err(ModelError::InvalidConfig("asked for 0 samples".into()));
        }
        let chunk_rows = self.sample_chunk();
        let chunks = n.div_ceil(chunk_rows);
        let per_chunk = self.network_calls(sampler)?;
        let (mut parts, mut nfe, mut done) = (Vec::with_capacity(chunks), 0usize, 0usize);
        for chunk in 0..chunks {
            let rows = chunk_rows.min(n - chunk * chunk_rows);
            let x0 = standard_normal([rows, self.dim()], rng, device);
            let mut progress = |d: usize, _: usize| {
                let total = per_chunk.map_or(done + d, |c| c * chunks);
                on_step(done + d, total)
            };
            let (x1, calls) = self.transport(x0, sampler, &mut progress)?;
            done += calls;
            nfe += calls;
            parts.push(x1);
        }
        Ok(Sampled {
            x: Tensor::cat(parts, 0),
            nfe: nfe as f64 / chunks.max(1) as f64,
        })
    }
}
