//! The diffusion family: training by denoising, sampling by any sampler in [`super::samplers`].
//!
//! Loss (Ho et al. 2020, eq. 14, "L_simple", generalised to the x₀ and v targets):
//! `E_{t ~ U{0..T−1}, ε ~ N(0,I)} ‖target(x₀, ε, t) − f_θ(√ᾱ_t x₀ + √(1−ᾱ_t) ε, t)‖²`,
//! averaged over examples and values. Evaluation spreads t evenly over the batch (stratified),
//! so successive validation losses are comparable.

use crate::step::minimise;
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_nn::noise::standard_normal;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::DdpmConfig;
use super::process::{Coefs, Prediction, q_sample};
use super::samplers::{Chain, DdpmVariance, timesteps};
use super::schedule::NoiseSchedule;
use crate::conditioned::{Net, build};
use crate::family::Optimizers;
use crate::sampling::{
    Invert, IterativeSample, OnStep, Sampled, SamplerConfig, SamplerKind, SamplerRequest,
    check_kind,
};
use crate::{Batch, DataSpec, Family, Metrics, ModelError, Sample, StepCx};

/// Most values (examples × dimensions) pushed through the network at once while sampling:
/// 250 MNIST images. It bounds the memory of a U-Net pass and keeps its activations near the
/// caches, which made sampling faster than in larger chunks (BENCHMARKS.md, "Sampling in
/// chunks").
pub const SAMPLE_CHUNK_VALUES: usize = 250 * 28 * 28;

/// A built diffusion model.
#[derive(Module, Debug)]
pub struct Ddpm {
    net: Net,
    #[module(skip)]
    schedule: NoiseSchedule,
    #[module(skip)]
    prediction: Prediction,
    /// `[C, H, W]` for images, `[1, 1, D]` for flat data.
    #[module(skip)]
    image: [usize; 3],
    #[module(skip)]
    clip: Option<f64>,
    #[module(skip)]
    sampler: SamplerConfig,
}

impl DdpmConfig {
    /// Build a diffusion model sized to `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Ddpm, ModelError> {
        self.validate()?;
        let schedule = NoiseSchedule::new(self.schedule, self.timesteps)?;
        let (net, image) = build(
            self.net,
            &self.unet,
            &self.hidden,
            self.time_features,
            data,
            device,
        )?;
        Ok(Ddpm {
            net,
            schedule,
            prediction: self.prediction,
            image,
            clip: self.clip,
            sampler: self.sampler,
        })
    }
}

impl Ddpm {
    /// The noise schedule.
    pub fn schedule(&self) -> &NoiseSchedule {
        &self.schedule
    }

    /// What the network predicts.
    pub fn prediction(&self) -> Prediction {
        self.prediction
    }

    /// Values per example.
    pub fn dim(&self) -> usize {
        self.image.iter().product()
    }

    /// The network's raw prediction at `x` for per-example steps `t`.
    ///
    /// # Shapes
    /// `x: [B, D]`, `t: [B]` → `[B, D]`.
    pub fn predict(&self, x: Tensor<2>, t: Tensor<1>) -> Tensor<2> {
        self.net.forward(x, t, self.image)
    }

    /// The network's prediction with every example at step `t`.
    fn predict_at(&self, x: Tensor<2>, t: usize) -> Result<Tensor<2>, ModelError> {
        let [b, _] = x.dims();
        let steps = Tensor::<1>::full([b], t as f64, &x.device());
        Ok(self.predict(x, steps))
    }

    fn check_width(&self, x: &Tensor<2>) -> Result<(), ModelError> {
        crate::step::check_width(x, self.dim(), "diffusion model")
    }

    /// Mean squared error of the prediction at steps `t` (one per row of `x0`).
    fn loss(&self, x0: Tensor<2>, t: &[usize], rng: &mut ChaCha8Rng) -> Tensor<1> {
        let device = x0.device();
        let alpha_bars: Vec<f64> = t.iter().map(|&s| self.schedule.alpha_bar(s)).collect();
        let c = Coefs::new(&alpha_bars, &device);
        let eps = standard_normal(x0.dims(), rng, &device);
        let x_t = q_sample(x0.clone(), eps.clone(), &c);
        let target = self.prediction.target(x0, eps, &c);
        let steps: Vec<f32> = t.iter().map(|&s| s as f32).collect();
        let steps = Tensor::<1>::from_data(TensorData::new(steps, [t.len()]), &device);
        (self.predict(x_t, steps) - target).square().mean()
    }

    /// Examples per chunk of [`IterativeSample::sample_with`]: [`SAMPLE_CHUNK_VALUES`] values.
    pub fn sample_chunk(&self) -> usize {
        (SAMPLE_CHUNK_VALUES / self.dim().max(1)).max(1)
    }
}

impl Family for Ddpm {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "ddpm";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        self.check_width(&batch.x)?;
        let [b, _] = batch.x.dims();
        let total = self.schedule.steps();
        let t: Vec<usize> = (0..b).map(|_| cx.rng.random_range(0..total)).collect();
        let loss = self.loss(batch.x.clone(), &t, cx.rng);
        let (model, loss, grad_norm) = minimise(self, loss, optim);
        Ok((model, vec![("loss", loss), ("grad_norm", grad_norm)]))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        self.check_width(&batch.x)?;
        let [b, _] = batch.x.dims();
        let total = self.schedule.steps();
        // Stratified steps: (i + ½)·T/B, the same for every evaluation of a batch size.
        let t: Vec<usize> = (0..b)
            .map(|i| ((i as f64 + 0.5) * total as f64 / b as f64) as usize)
            .collect();
        let loss = self.loss(batch.x.clone(), &t, cx.rng);
        Ok(vec![("loss", loss.into_scalar::<f32>() as f64)])
    }
}

impl Sample for Ddpm {
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

impl IterativeSample for Ddpm {
    fn sampler_kinds(&self) -> &'static [SamplerKind] {
        SamplerKind::DIFFUSION
    }

    fn default_sampler(&self) -> SamplerConfig {
        self.sampler
    }

    fn resolve_sampler(&self, request: &SamplerRequest) -> Result<SamplerConfig, ModelError> {
        let mut s = self.sampler.with_request(request);
        check_kind(Self::NAME, self.sampler_kinds(), s.kind)?;
        let total = self.schedule.steps();
        s.validate(total)?;
        s.steps = Some(s.steps(total));
        Ok(s)
    }

    fn network_calls(&self, sampler: &SamplerConfig) -> Result<Option<usize>, ModelError> {
        let total = self.schedule.steps();
        Ok(Some(
            timesteps(total, sampler.steps(total), sampler.skip)?.len(),
        ))
    }

    /// Drawn in chunks of [`Ddpm::sample_chunk`] examples.
    ///
    /// # Shapes
    /// → `[n, D]`.
    fn sample_with(
        &self,
        n: usize,
        sampler: &SamplerConfig,
        rng: &mut ChaCha8Rng,
        device: &Device,
        on_step: &mut OnStep,
    ) -> Result<Sampled, ModelError> {
        check_kind(Self::NAME, self.sampler_kinds(), sampler.kind)?;
        sampler.validate(self.schedule.steps())?;
        let total = self.schedule.steps();
        let taus = timesteps(total, sampler.steps(total), sampler.skip)?;
        let per_chunk = taus.len();
        let chunk_rows = self.sample_chunk();
        let chunks = n.div_ceil(chunk_rows);
        let mut parts = Vec::with_capacity(chunks);
        for chunk in 0..chunks {
            let rows = chunk_rows.min(n - chunk * chunk_rows);
            let x_t = standard_normal([rows, self.dim()], rng, device);
            let mut progress =
                |done: usize, _: usize| on_step(chunk * per_chunk + done, chunks * per_chunk);
            let mut denoise = |x: Tensor<2>, t: usize| self.predict_at(x, t);
            let mut chain = Chain {
                schedule: &self.schedule,
                prediction: self.prediction,
                denoise: &mut denoise,
                clip: self.clip,
            };
            parts.push(match sampler.kind {
                SamplerKind::Ddpm => {
                    chain.ddpm(x_t, &taus, DdpmVariance::Beta, rng, &mut progress)?
                }
                SamplerKind::DdpmTilde => {
                    chain.ddpm(x_t, &taus, DdpmVariance::BetaTilde, rng, &mut progress)?
                }
                SamplerKind::Ddim => chain.ddim(x_t, &taus, sampler.eta, rng, &mut progress)?,
                // Refused by check_kind above.
                SamplerKind::Euler | SamplerKind::Heun | SamplerKind::Rk4 | SamplerKind::Rk45 => {
                    return Err(ModelError::InvalidConfig(format!(
                        "the ddpm family does not sample with {}",
                        sampler.kind
                    )));
                }
            });
        }
        Ok(Sampled {
            x: Tensor::cat(parts, 0),
            nfe: per_chunk as f64,
        })
    }

    fn inversion(&self) -> Option<&dyn Invert> {
        Some(self)
    }
}

impl Invert for Ddpm {
    /// DDIM inversion of `x0` over S steps (`skip` spacing), then the η = 0 reconstruction;
    /// see [`Chain::ddim_invert`] for `refine`.
    fn invert_and_reconstruct(
        &self,
        x0: Tensor<2>,
        sampler: &SamplerConfig,
        refine: usize,
        rng: &mut ChaCha8Rng,
        on_step: &mut OnStep,
    ) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
        self.check_width(&x0)?;
        let t_max = self.schedule.steps();
        let taus = timesteps(t_max, sampler.steps(t_max), sampler.skip)?;
        let total = taus.len() * (refine + 2);
        let mut denoise = |x: Tensor<2>, t: usize| self.predict_at(x, t);
        // Inversion must not clip: x̂₀ of a latent far from the data would be distorted.
        let mut chain = Chain {
            schedule: &self.schedule,
            prediction: self.prediction,
            denoise: &mut denoise,
            clip: None,
        };
        let forward = taus.len() * (refine + 1);
        let latent = chain.ddim_invert(x0, &taus, refine, &mut |d, _| {
            on_step(d * (refine + 1), total)
        })?;
        let recon = chain.ddim(latent.clone(), &taus, 0.0, rng, &mut |d, _| {
            on_step(forward + d, total)
        })?;
        Ok((latent, recon))
    }
}
