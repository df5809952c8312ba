//! The traits every family implements, and what flows through them.
//!
//! ```text
//! trainer ──Batch──▶ Family::train_step(self, batch, optimisers, cx) ──▶ (Self, Metrics)
//!         ──Batch──▶ Family::eval_step(&self, batch, cx)            ──▶ Metrics
//! evaluators: fn iwae<M: LatentVariable>, fn samples<M: Sample>, ...
//! ```
//! `train_step` takes the model by value because burn's optimisers map a module into its updated
//! self; a family with several optimiser groups (a GAN's generator and discriminator) splits
//! itself, steps each part with its own group ([`OptimGroup`]: its own Adam settings and
//! learning-rate schedule) and reassembles.

use burn::optim::GradientsParams;
use burn::prelude::*;
use genzoo_nn::{Adam, StepReport};
use rand_chacha::ChaCha8Rng;

use crate::ModelError;

/// Named scalar results of a step, in a stable order; the first is the optimised loss.
pub type Metrics = Vec<(&'static str, f64)>;

/// Whether data values are {0,1} or real.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    /// Every value is 0 or 1 (binarised images).
    Binary,
    /// Real values (toys, dequantised or scaled images).
    Continuous,
}

/// Shape and kind of one example, so a family can size itself to the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSpec {
    /// Dimensions of one example: `[2]` for a 2D toy, `[1, 28, 28]` for MNIST.
    pub example_shape: Vec<usize>,
    /// Value kind.
    pub kind: DataKind,
}

impl DataSpec {
    /// Number of values in one example.
    pub fn dim(&self) -> usize {
        self.example_shape.iter().product()
    }
    /// `(channels, height, width)` for image data.
    pub fn image(&self) -> Option<[usize; 3]> {
        match self.example_shape.as_slice() {
            [c, h, w] => Some([*c, *h, *w]),
            _ => None,
        }
    }
}

/// A batch of examples, flattened: `x` is `[B, D]` with `D = DataSpec::dim()`.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Examples, one per row.
    pub x: Tensor<2>,
    /// Class labels `[B]` when the data has them (MNIST digits); `None` for toys. Generative
    /// families ignore them; classifiers and conditional models use them.
    pub y: Option<Tensor<1, Int>>,
    /// The coupled source point of each example, `[B, D]`, when the data is a coupling drawn
    /// from a flow (a reflow's `(x₀, x₁)` pairs, with `x` holding x₁); `None` otherwise.
    pub x0: Option<Tensor<2>>,
}

impl Batch {
    /// A batch without labels.
    pub fn unlabelled(x: Tensor<2>) -> Self {
        Batch {
            x,
            y: None,
            x0: None,
        }
    }
}

/// Per-step context the trainer hands a family.
pub struct StepCx<'a> {
    /// The step's random stream (a function of seed and step, so resume replays it).
    pub rng: &'a mut ChaCha8Rng,
    /// Global step, counted from 0.
    pub step: u64,
}

/// One optimiser group: the parameters a family steps together (a GAN's generator), their
/// Adam state, and the learning rate of this step from the group's own schedule.
pub struct OptimGroup {
    /// The group's name, one of the family's [`Family::GROUPS`].
    pub name: &'static str,
    /// The optimiser, with the group's own betas, ε and weight decay.
    pub adam: Adam,
    /// The learning rate of the current step; the trainer sets it before every step.
    pub lr: f64,
}

impl OptimGroup {
    /// One update of `module`'s parameters that have a gradient in `grads`, at the group's
    /// learning rate.
    pub fn step<M: Module>(&mut self, module: M, grads: GradientsParams) -> (M, StepReport) {
        self.adam.step(module, grads, self.lr)
    }
}

/// One optimiser per named group, in the family's [`Family::GROUPS`] order.
pub struct Optimizers {
    /// The groups, in [`Family::GROUPS`] order: a family steps part `i` with `groups[i]`.
    pub groups: Vec<OptimGroup>,
}

impl Optimizers {
    /// The one group `"model"` of a single-optimiser family at a fixed learning rate (the
    /// trainer builds its groups from the config; tests and benchmarks use this).
    pub fn single(adam: Adam, lr: f64) -> Self {
        Optimizers {
            groups: vec![OptimGroup {
                name: "model",
                adam,
                lr,
            }],
        }
    }
}

/// A trainable family.
pub trait Family: Module + Sized {
    /// Names of the optimiser groups (`["model"]`; a GAN has `["gen", "disc"]`).
    const GROUPS: &'static [&'static str];
    /// Name of the family as configs spell it.
    const NAME: &'static str;

    /// One optimisation step on `batch`; returns the updated model and its metrics.
    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError>;

    /// Metrics on a held-out batch, averaged over its examples (called on a `valid()` copy).
    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError>;

    /// What is wrong with training, read from `train_step`'s metrics averaged over a log
    /// interval (a GAN whose discriminator has won, or whose generator has collapsed): one
    /// sentence per problem, which the trainer prints. Training goes on; the message says what
    /// the numbers mean and what usually helps. Default: nothing to say.
    fn health(metrics: &Metrics) -> Vec<String> {
        let _ = metrics;
        Vec::new()
    }
}

/// A model that can draw new examples on `device` (where its weights live).
pub trait Sample {
    /// `n` draws from the model, flattened `[n, D]`.
    fn sample(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError>;
    /// `n` pictures of what the model generates, `[n, D]` in the data's value range: the
    /// decoder's mean where one exists (the usual way VAE samples are shown), else samples.
    fn sample_pictures(
        &self,
        n: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        self.sample(n, rng, device)
    }
}

/// A generator of examples from latent codes with a known prior, x = G(z) (a GAN's
/// generator): what latent interpolation pictures walk through.
pub trait LatentGenerator {
    /// Width of z.
    fn latent_dim(&self) -> usize;
    /// `n` draws of z from the prior, `[n, L]`.
    fn prior_sample(&self, n: usize, rng: &mut ChaCha8Rng, device: &Device) -> Tensor<2>;
    /// G(z) for codes `z: [N, L]` → `[N, D]`.
    fn generate(&self, z: Tensor<2>) -> Result<Tensor<2>, ModelError>;
    /// Whether the prior is a standard Gaussian, through which a path between two codes should
    /// follow a great circle (slerp; White 2016, "Sampling generative networks"): a straight
    /// line's midpoint has a norm the prior almost never draws. Otherwise straight lines.
    fn gaussian_prior(&self) -> bool;
}

/// A model that maps examples to feature vectors for a downstream probe (a CPC encoder).
pub trait Embed {
    /// Width of a feature vector.
    fn embed_dim(&self) -> usize;
    /// Features of a batch.
    ///
    /// # Shapes
    /// `x: [B, D]` → `[B, F]`.
    fn embed(&self, x: Tensor<2>) -> Result<Tensor<2>, ModelError>;
}

/// A model whose log-likelihood is exact (autoregressive models, flows).
pub trait ExactLikelihood {
    /// `log p(x)` per example, in nats.
    ///
    /// # Shapes
    /// `x: [B, D]` → `[B]`.
    fn log_prob(&self, x: Tensor<2>) -> Result<Tensor<1>, ModelError>;
}

/// A classifier: class logits and the penultimate features they are computed from. The
/// sample-quality metrics (FID, KID, precision/recall, classifier scores) read images through
/// a trained classifier of this kind.
pub trait Classify {
    /// Number of classes.
    fn num_classes(&self) -> usize;
    /// Width of the penultimate feature vector.
    fn feature_dim(&self) -> usize;
    /// Penultimate features and logits of a batch.
    ///
    /// # Shapes
    /// `x: [B, D]` (flattened examples) → (`[B, F]`, `[B, C]`).
    fn features_and_logits(&self, x: Tensor<2>) -> Result<(Tensor<2>, Tensor<2>), ModelError>;
}

/// A latent-variable model p(x) = ∫ p(x|z) p(z) dz with a proposal q(z|x).
pub trait LatentVariable {
    /// Latent width.
    fn latent_dim(&self) -> usize;
    /// `log w_j = log p(x, z_j) − log q(z_j | x)` for `z_j ~ q(·|x)`, `j = 1..k`.
    ///
    /// # Shapes
    /// `x: [B, D]` → `[B, k]`.
    fn log_weights(
        &self,
        x: Tensor<2>,
        k: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Tensor<2>, ModelError>;
    /// The decoder's mean for latent codes `z: [N, L]` → `[N, D]`.
    fn decode_mean(&self, z: Tensor<2>) -> Tensor<2>;
    /// The posterior mean of each example `x: [B, D]` → `[B, L]`.
    fn encode_mean(&self, x: Tensor<2>) -> Tensor<2>;
}
