//! The GAN family: one discriminator step on every training step and one generator step on
//! every k-th (`disc_steps`), each with its own optimiser group (`["gen", "disc"]`, configured
//! by `[optim.gen]` and `[optim.disc]`: the two time-scale rule gives D the larger rate).
//!
//! Per step t, with a batch x of B real examples and fresh z ~ p_z from the step's stream:
//! ```text
//! D:  ℓ_D(D(x), D(G(z).detach()))           → step "disc"
//! G:  ℓ_G(D(G(z')))  if (t + 1) mod k = 0   → step "gen"   (z' fresh)
//! ```
//! Metrics: `loss_d`, `loss_g`, `d_real` and `d_fake` (mean D(·) = σ(logit); for the hinge
//! loss σ of the raw score), the gradient norm of each group (`grad_norm_g` is 0 on steps
//! without a generator update), and `spread`, the generated batch's per-coordinate standard
//! deviation over the real batch's (near 0 when G collapses to a point).

use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use genzoo_nn::noise::{standard_normal, uniform};
use rand_chacha::ChaCha8Rng;

use super::config::{GanArch, GanConfig, GanLoss, Prior};
use super::loss::{disc_loss, gen_loss};
use super::net::{DcganDisc, DcganGen, MlpDisc, MlpGen};
use crate::family::Optimizers;
use crate::{Batch, DataSpec, Family, LatentGenerator, Metrics, ModelError, Sample, StepCx};

/// Most examples generated at once while sampling (bounds the memory of a DCGAN pass).
const SAMPLE_CHUNK: usize = 500;

/// The generator.
// One value per model: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator {
    /// MLP.
    Mlp(MlpGen),
    /// DCGAN.
    Dcgan(DcganGen),
}

impl Generator {
    /// # Shapes
    /// `[B, L]` → `[B, D]`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.forward(z),
        }
    }
}

/// The discriminator.
// One value per model: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Discriminator {
    /// MLP with maxout units.
    Mlp(MlpDisc),
    /// DCGAN.
    Dcgan(DcganDisc),
}

impl Discriminator {
    /// Logits of packed inputs.
    ///
    /// # Shapes
    /// `[B', pack·D]` → `[B']`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<1> {
        match self {
            Discriminator::Mlp(d) => d.forward(x),
            Discriminator::Dcgan(d) => d.forward(x),
        }
    }
}

/// A built GAN.
#[derive(Module, Debug)]
pub struct Gan {
    generator: Generator,
    discriminator: Discriminator,
    #[module(skip)]
    loss: GanLoss,
    #[module(skip)]
    prior: Prior,
    #[module(skip)]
    latent: usize,
    #[module(skip)]
    dim: usize,
    #[module(skip)]
    disc_steps: usize,
    #[module(skip)]
    real_label: f64,
    #[module(skip)]
    pack: usize,
}

impl GanConfig {
    /// Build a GAN sized to `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Gan, ModelError> {
        self.validate()?;
        let dim = data.dim();
        let (generator, discriminator) = match self.arch {
            GanArch::Mlp => (
                Generator::Mlp(MlpGen::new(self.latent, &self.gen_hidden, dim, device)),
                Discriminator::Mlp(MlpDisc::new(
                    self.pack * dim,
                    &self.disc_hidden,
                    self.maxout,
                    self.spectral_norm,
                    device,
                )),
            ),
            GanArch::Dcgan => {
                let image = data.image().ok_or_else(|| {
                    ModelError::DataMismatch(format!(
                        "DCGAN needs images [C, H, W], the data has examples {:?}; use arch = \"mlp\"",
                        data.example_shape
                    ))
                })?;
                let [c, h, w] = image;
                if h % 4 != 0 || w % 4 != 0 {
                    return Err(ModelError::DataMismatch(format!(
                        "DCGAN needs height and width divisible by 4, got {h}x{w}"
                    )));
                }
                (
                    Generator::Dcgan(DcganGen::new(self.latent, image, self.channels, device)),
                    Discriminator::Dcgan(DcganDisc::new(
                        [self.pack * c, h, w],
                        self.channels,
                        self.spectral_norm,
                        device,
                    )),
                )
            }
        };
        Ok(Gan {
            generator,
            discriminator,
            loss: self.loss,
            prior: self.prior,
            latent: self.latent,
            dim,
            disc_steps: self.disc_steps,
            real_label: self.real_label,
            pack: self.pack,
        })
    }
}

/// `[B, D]` → `[B / m, m·D]`: m consecutive examples side by side (PacGAN's packing).
fn packed(x: Tensor<2>, m: usize) -> Tensor<2> {
    let [b, d] = x.dims();
    x.reshape([b / m, m * d])
}

fn mean_value(t: Tensor<1>) -> f64 {
    t.mean().into_scalar::<f32>() as f64
}

/// Per-coordinate standard deviation over the batch, averaged over coordinates.
fn batch_spread(x: Tensor<2>) -> f64 {
    x.var(0).sqrt().mean().into_scalar::<f32>() as f64
}

impl Gan {
    /// `n` draws of z from the prior.
    ///
    /// # Shapes
    /// → `[n, L]`.
    pub fn prior_sample(&self, n: usize, rng: &mut ChaCha8Rng, device: &Device) -> Tensor<2> {
        match self.prior {
            Prior::Gaussian => standard_normal([n, self.latent], rng, device),
            Prior::Uniform => uniform([n, self.latent], rng, device)
                .mul_scalar(2.0)
                .sub_scalar(1.0),
        }
    }

    /// Latent width.
    pub fn latent_dim(&self) -> usize {
        self.latent
    }

    /// G(z).
    ///
    /// # Shapes
    /// `[B, L]` → `[B, D]`.
    pub fn generate(&self, z: Tensor<2>) -> Tensor<2> {
        self.generator.forward(z)
    }

    /// D's logits of single (unpacked) examples: each repeated `pack` times, so a packed
    /// discriminator judges m copies. With `pack = 1`, `logit D(x)`.
    ///
    /// # Shapes
    /// `[B, D]` → `[B]`.
    pub fn disc_logits(&self, x: Tensor<2>) -> Tensor<1> {
        let [b, d] = x.dims();
        let x = x.unsqueeze_dim::<3>(1).repeat_dim(1, self.pack); // [B, m, D]
        self.discriminator.forward(x.reshape([b, self.pack * d]))
    }

    fn check(&self, x: &Tensor<2>) -> Result<usize, ModelError> {
        crate::step::check_width(x, self.dim, "GAN")?;
        let [b, _] = x.dims();
        if b % self.pack != 0 {
            return Err(ModelError::DataMismatch(format!(
                "a GAN packing {} samples needs a batch size divisible by {}, got {b}",
                self.pack, self.pack
            )));
        }
        Ok(b)
    }

    /// D's logits of a real and a generated batch, packed.
    fn judge(&self, real: Tensor<2>, fake: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let m = self.pack;
        (
            self.discriminator.forward(packed(real, m)),
            self.discriminator.forward(packed(fake, m)),
        )
    }
}

/// Mean D(x) above this and mean D(G(z)) below [`D_LOST`]: the discriminator has won.
pub const D_WON: f64 = 0.99;
/// See [`D_WON`].
pub const D_LOST: f64 = 0.01;
/// A generated batch whose spread is below this fraction of the real batch's has collapsed.
pub const COLLAPSED_SPREAD: f64 = 0.1;

/// The training-health messages of a GAN from its interval-mean metrics (see
/// [`Family::health`]).
pub fn gan_health(metrics: &Metrics) -> Vec<String> {
    let get = |k: &str| metrics.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let mut out = Vec::new();
    if let (Some(real), Some(fake)) = (get("d_real"), get("d_fake"))
        && real > D_WON
        && fake < D_LOST
    {
        out.push(format!(
            "the discriminator wins completely (mean D(x) = {real:.3}, D(G(z)) = {fake:.4}): \
             the minimax generator loss has almost no gradient here; the non-saturating loss, \
             a lower discriminator rate ([optim.disc] lr), spectral norm or label smoothing \
             usually let the generator catch up"
        ));
    }
    if let Some(spread) = get("spread")
        && spread < COLLAPSED_SPREAD
    {
        out.push(format!(
            "the generator has collapsed: its samples spread {spread:.3} of the data's \
             (per-coordinate standard deviation); packing (model.pack = 2..4) or a lower \
             generator rate usually helps, and a restart from an earlier checkpoint may be needed"
        ));
    }
    out
}

impl Family for Gan {
    const GROUPS: &'static [&'static str] = &["gen", "disc"];
    const NAME: &'static str = "gan";

    fn health(metrics: &Metrics) -> Vec<String> {
        gan_health(metrics)
    }

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        let b = self.check(&batch.x)?;
        let device = batch.x.device();
        let z = self.prior_sample(b, cx.rng, &device);
        let fake = self.generator.forward(z).detach();
        let spread = batch_spread(fake.clone()) / batch_spread(batch.x.clone()).max(1e-12);
        let (real_logits, fake_logits) = self.judge(batch.x.clone(), fake);
        let d_real = mean_value(sigmoid(real_logits.clone()).detach());
        let d_fake = mean_value(sigmoid(fake_logits.clone()).detach());
        let loss_d = disc_loss(self.loss, real_logits, fake_logits.clone(), self.real_label);
        let loss_d_value = loss_d.clone().into_scalar::<f32>() as f64;
        let mut loss_g_value =
            gen_loss(self.loss, fake_logits.detach()).into_scalar::<f32>() as f64;
        // Step each part in place: move it out of the model, update it, put it back.
        let mut model = self;
        let grads = GradientsParams::from_grads(loss_d.backward(), &model.discriminator);
        let (discriminator, report_d) = optim.groups[1].step(model.discriminator, grads);
        model.discriminator = discriminator;
        let mut grad_norm_g = 0.0;
        if (cx.step + 1).is_multiple_of(model.disc_steps as u64) {
            let z = model.prior_sample(b, cx.rng, &device);
            let fake = model.generator.forward(z);
            let logits = model.discriminator.forward(packed(fake, model.pack));
            let loss_g = gen_loss(model.loss, logits);
            loss_g_value = loss_g.clone().into_scalar::<f32>() as f64;
            let grads = GradientsParams::from_grads(loss_g.backward(), &model.generator);
            let (generator, report_g) = optim.groups[0].step(model.generator, grads);
            model.generator = generator;
            grad_norm_g = report_g.grad_norm;
        }
        Ok((
            model,
            vec![
                ("loss_d", loss_d_value),
                ("loss_g", loss_g_value),
                ("d_real", d_real),
                ("d_fake", d_fake),
                ("grad_norm_d", report_d.grad_norm),
                ("grad_norm_g", grad_norm_g),
                ("spread", spread),
            ],
        ))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        crate::step::check_width(&batch.x, self.dim, "GAN")?;
        // A held-out split's last batch may not divide by the packing: judge whole packs only.
        let [rows, _] = batch.x.dims();
        let b = rows - rows % self.pack;
        if b == 0 {
            return Err(ModelError::DataMismatch(format!(
                "a GAN packing {} samples cannot judge a batch of {rows}",
                self.pack
            )));
        }
        let x = batch.x.clone().narrow(0, 0, b);
        let z = self.prior_sample(b, cx.rng, &x.device());
        let fake = self.generator.forward(z);
        let spread = batch_spread(fake.clone()) / batch_spread(x.clone()).max(1e-12);
        let (real_logits, fake_logits) = self.judge(x, fake);
        let d_real = mean_value(sigmoid(real_logits.clone()));
        let d_fake = mean_value(sigmoid(fake_logits.clone()));
        let loss_d = disc_loss(self.loss, real_logits, fake_logits.clone(), self.real_label);
        let loss_g = gen_loss(self.loss, fake_logits);
        Ok(vec![
            ("loss_d", loss_d.into_scalar::<f32>() as f64),
            ("loss_g", loss_g.into_scalar::<f32>() as f64),
            ("d_real", d_real),
            ("d_fake", d_fake),
            ("spread", spread),
        ])
    }
}

impl LatentGenerator for Gan {
    fn latent_dim(&self) -> usize {
        self.latent
    }
    fn prior_sample(&self, n: usize, rng: &mut ChaCha8Rng, device: &Device) -> Tensor<2> {
        Gan::prior_sample(self, n, rng, device)
    }
    fn generate(&self, z: Tensor<2>) -> Result<Tensor<2>, ModelError> {
        let [_, l] = z.dims();
        if l != self.latent {
            return Err(ModelError::DataMismatch(format!(
                "the generator takes {}-dimensional codes, got {l}",
                self.latent
            )));
        }
        Ok(self.generator.forward(z))
    }
    fn gaussian_prior(&self) -> bool {
        self.prior == Prior::Gaussian
    }
}

impl Sample for Gan {
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        let mut parts = Vec::new();
        let mut done = 0;
        while done < n {
            let m = SAMPLE_CHUNK.min(n - done);
            let z = self.prior_sample(m, rng, device);
            parts.push(self.generator.forward(z));
            done += m;
        }
        if parts.is_empty() {
            return Ok(Tensor::zeros([0, self.dim], device));
        }
        Ok(Tensor::cat(parts, 0))
    }
}
