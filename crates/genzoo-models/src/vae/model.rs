//! The VAE module: loss, sampling and importance weights.

use crate::step::minimise;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use genzoo_nn::noise::{standard_normal, uniform};
use genzoo_rf::ConvGeometry;
use rand_chacha::ChaCha8Rng;

use super::config::{VaeArch, VaeConfig};
use super::net::{CONV_REDUCTION, Decoder, Encoder, conv_pair, mlp_pair};
use crate::family::Optimizers;
use crate::likelihood::{
    LN_2PI, bernoulli_log_prob, gaussian_log_prob, kl_to_standard_normal, standard_normal_log_prob,
};
use crate::{
    Batch, DataKind, DataSpec, Family, LatentVariable, Metrics, ModelError, Sample, StepCx,
};

/// Bounds on the Gaussian decoder's log-variance: below e^{−10} the likelihood of a point
/// becomes a spike that training can chase for ever; above e^{10} nothing is modelled.
const DECODER_LOGVAR_MIN: f64 = -10.0;
const DECODER_LOGVAR_MAX: f64 = 10.0;

/// A built VAE.
#[derive(Module, Debug)]
pub struct Vae {
    encoder: Encoder,
    decoder: Decoder,
    #[module(skip)]
    latent: usize,
    #[module(skip)]
    data_dim: usize,
    /// Bernoulli decoder (binary data) or Gaussian (continuous).
    #[module(skip)]
    bernoulli: bool,
    #[module(skip)]
    kl_warmup_steps: u64,
}

/// What the decoder says about x given z (short-lived: size does not matter).
#[allow(clippy::large_enum_variant)]
enum Likelihood {
    Bernoulli { logits: Tensor<2> },
    Gaussian { mean: Tensor<2>, logvar: Tensor<2> },
}

impl VaeConfig {
    /// Build a VAE sized to `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Vae, ModelError> {
        self.validate()?;
        let bernoulli = data.kind == DataKind::Binary;
        let out_params = if bernoulli { 1 } else { 2 };
        let d = data.dim();
        let (encoder, decoder) = match self.arch {
            VaeArch::Mlp => mlp_pair(
                d,
                &self.hidden,
                self.latent,
                out_params,
                self.activation,
                self.bias,
                device,
            ),
            VaeArch::Conv => {
                let image = data.image().ok_or_else(|| {
                    ModelError::DataMismatch(format!(
                        "the conv VAE needs images [C, H, W], the data has examples {:?}",
                        data.example_shape
                    ))
                })?;
                if image[1] % CONV_REDUCTION != 0 || image[2] % CONV_REDUCTION != 0 {
                    return Err(ModelError::DataMismatch(format!(
                        "the conv VAE needs height and width divisible by {CONV_REDUCTION}, got {}x{}",
                        image[1], image[2]
                    )));
                }
                conv_pair(
                    image,
                    self.conv_channels,
                    &self.hidden,
                    self.latent,
                    out_params,
                    self.activation,
                    self.bias,
                    device,
                )
            }
        };
        Ok(Vae {
            encoder,
            decoder,
            latent: self.latent,
            data_dim: d,
            bernoulli,
            kl_warmup_steps: self.kl_warmup_steps,
        })
    }
}

impl Vae {
    /// The convolutional networks inside, by role (`encoder`, `decoder`): none for the MLP
    /// variant.
    pub fn conv_nets(&self) -> Vec<(&'static str, &dyn ConvGeometry)> {
        [
            ("encoder", self.encoder.conv_geometry()),
            ("decoder", self.decoder.conv_geometry()),
        ]
        .into_iter()
        .filter_map(|(role, net)| net.map(|n| (role, n)))
        .collect()
    }

    /// Posterior parameters.
    ///
    /// # Shapes
    /// `x: [B, D]` → `(μ, log σ²)`, each `[B, L]`.
    pub fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = self.encoder.forward(x); // [B, 2L]
        let mut parts = h.chunk(2, 1);
        let logvar = parts.pop();
        let mu = parts.pop();
        match (mu, logvar) {
            (Some(mu), Some(logvar)) => (mu, logvar),
            // chunk(2) of an even width always yields two parts.
            _ => unreachable!("encoder output has width 2L"),
        }
    }

    fn decode(&self, z: Tensor<2>) -> Likelihood {
        let out = self.decoder.forward(z); // [B, P·D]
        if self.bernoulli {
            return Likelihood::Bernoulli { logits: out };
        }
        let d = self.data_dim;
        let mean = out.clone().narrow(1, 0, d); // [B, D]
        let logvar = out
            .narrow(1, d, d)
            .clamp(DECODER_LOGVAR_MIN, DECODER_LOGVAR_MAX); // [B, D]
        Likelihood::Gaussian { mean, logvar }
    }

    /// `log p(x | z)` per row.
    ///
    /// # Shapes
    /// `x: [N, D]`, `z: [N, L]` → `[N]`.
    pub fn log_px_given_z(&self, x: Tensor<2>, z: Tensor<2>) -> Tensor<1> {
        match self.decode(z) {
            Likelihood::Bernoulli { logits } => bernoulli_log_prob(x, logits),
            Likelihood::Gaussian { mean, logvar } => gaussian_log_prob(x, mean, logvar),
        }
    }

    /// `z = μ + σ·ε` with the ε supplied.
    fn reparameterise(mu: Tensor<2>, logvar: Tensor<2>, eps: Tensor<2>) -> Tensor<2> {
        mu + logvar.mul_scalar(0.5).exp() * eps
    }

    /// Per-example reconstruction log-likelihood and KL for one posterior draw.
    ///
    /// # Shapes
    /// `x: [B, D]` → `(log p(x|z) [B], KL [B])`.
    fn elbo_terms(&self, x: Tensor<2>, rng: &mut ChaCha8Rng) -> (Tensor<1>, Tensor<1>) {
        let [b, _] = x.dims();
        let (mu, logvar) = self.encode(x.clone());
        let eps = standard_normal([b, self.latent], rng, &x.device());
        let z = Self::reparameterise(mu.clone(), logvar.clone(), eps);
        let rec = self.log_px_given_z(x, z);
        let kl = kl_to_standard_normal(mu, logvar);
        (rec, kl)
    }

    /// KL weight at `step` under linear warm-up.
    fn kl_weight(&self, step: u64) -> f64 {
        if self.kl_warmup_steps == 0 {
            1.0
        } else {
            (step as f64 / self.kl_warmup_steps as f64).min(1.0)
        }
    }

    fn check_width(&self, x: &Tensor<2>) -> Result<(), ModelError> {
        crate::step::check_width(x, self.data_dim, "VAE")
    }
}

fn scalar(t: Tensor<1>) -> f64 {
    t.mean().into_scalar::<f32>() as f64
}

impl Family for Vae {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "vae";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        self.check_width(&batch.x)?;
        let (rec, kl) = self.elbo_terms(batch.x.clone(), cx.rng);
        let beta = self.kl_weight(cx.step);
        let nelbo = (kl.clone() - rec.clone()).mean();
        let loss = (kl.clone().mul_scalar(beta) - rec.clone()).mean();
        let (model, loss_value, grad_norm) = minimise(self, loss, optim);
        let metrics = vec![
            ("loss", loss_value),
            ("nelbo", nelbo.into_scalar::<f32>() as f64),
            ("rec", -scalar(rec)),
            ("kl", scalar(kl)),
            ("kl_weight", beta),
            ("grad_norm", grad_norm),
        ];
        Ok((model, metrics))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        self.check_width(&batch.x)?;
        let (rec, kl) = self.elbo_terms(batch.x.clone(), cx.rng);
        let nelbo = scalar(kl.clone() - rec.clone());
        Ok(vec![
            ("nelbo", nelbo),
            ("rec", -scalar(rec)),
            ("kl", scalar(kl)),
        ])
    }
}

impl Sample for Vae {
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        let z = standard_normal([n, self.latent], rng, device);
        Ok(match self.decode(z) {
            Likelihood::Bernoulli { logits } => {
                let u = uniform([n, self.data_dim], rng, device);
                u.lower(sigmoid(logits)).float()
            }
            Likelihood::Gaussian { mean, logvar } => {
                let eps = standard_normal([n, self.data_dim], rng, device);
                mean + logvar.mul_scalar(0.5).exp() * eps
            }
        })
    }

    fn sample_pictures(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        let z = standard_normal([n, self.latent], rng, device);
        Ok(self.decode_mean(z))
    }
}

impl LatentVariable for Vae {
    fn latent_dim(&self) -> usize {
        self.latent
    }

    fn log_weights(
        &self,
        x: Tensor<2>,
        k: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Tensor<2>, ModelError> {
        self.check_width(&x)?;
        let [b, d] = x.dims();
        let l = self.latent;
        let (mu, logvar) = self.encode(x.clone()); // [B, L]
        let repeat = |t: Tensor<2>, w: usize| {
            t.unsqueeze_dim::<3>(1).repeat_dim(1, k).reshape([b * k, w]) // [B·k, w], row-major by example
        };
        let mu = repeat(mu, l);
        let logvar = repeat(logvar, l);
        let eps = standard_normal([b * k, l], rng, &x.device());
        let z = Self::reparameterise(mu, logvar.clone(), eps.clone());
        // log q(z|x) = −½ Σ (log 2π + log σ² + ε²), since (z − μ)/σ = ε.
        let log_q = (eps.square() + logvar)
            .add_scalar(LN_2PI)
            .sum_dim(1)
            .squeeze_dim::<1>(1)
            .mul_scalar(-0.5);
        let log_pz = standard_normal_log_prob(z.clone());
        let log_px = self.log_px_given_z(repeat(x, d), z);
        Ok((log_px + log_pz - log_q).reshape([b, k])) // [B, k]
    }

    fn decode_mean(&self, z: Tensor<2>) -> Tensor<2> {
        match self.decode(z) {
            Likelihood::Bernoulli { logits } => sigmoid(logits),
            Likelihood::Gaussian { mean, .. } => mean,
        }
    }

    fn encode_mean(&self, x: Tensor<2>) -> Tensor<2> {
        self.encode(x).0
    }
}
