//! The CPC family: InfoNCE over K row offsets, and pooled encoder features for a probe.
//!
//! Images give a G × G grid of patches; sequences a T × 1 "grid" of time steps (the rows are
//! time), so one loss serves both. For offset k, every grid cell (i, j) with i + k < rows predicts `ẑ = W_k c_{i,j}` and scores it
//! against the true `z_{i+k,j}` and `negatives` others drawn uniformly from the other
//! (image, cell) positions of the same offset in the batch, so most negatives come from other
//! images and some from other patches of the same image. The loss is the mean of the K InfoNCE
//! terms. Metrics: `loss`, `acc_k` (how often the positive scores highest, per k) and
//! `mi_bound` = log N − L (nats), N = 1 + negatives.
//!
//! # Shapes
//! `x: [B, C·H·W]`; patches `[B·G², C, p, p]`; z `[B, D, G, G]`; c `[B, Cc, G, G]`.
//! Sequences: `x: [B, C·L]`; z `[B, D, T, 1]`; c `[B, Cc, T, 1]`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::module::adaptive_avg_pool2d;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::{CpcConfig, FeatureSource};
use super::infonce::{info_nce, top1_accuracy};
use super::net::{Context, PatchEncoder, SequenceNet};
use super::patches::extract;
use crate::family::Optimizers;
use crate::step::minimise;
use crate::{Batch, DataSpec, Embed, Family, Metrics, ModelError, StepCx};

/// Names of the per-offset accuracies, for K up to 8.
const ACC_NAMES: [&str; 8] = [
    "acc_k1", "acc_k2", "acc_k3", "acc_k4", "acc_k5", "acc_k6", "acc_k7", "acc_k8",
];

/// A built CPC model: the image networks or the sequence networks, never both (their fields
/// are optional rather than one enum so that parameter paths, and so checkpoints, are those of
/// the image-only model: burn names an enum's variant in the path).
#[derive(Module, Debug)]
pub struct Cpc {
    encoder: Option<PatchEncoder>,
    context: Option<Context>,
    sequence: Option<SequenceNet>,
    predictors: Vec<Linear>,
    /// One example's shape, `[C, H, W]` or `[C, L]`.
    #[module(skip)]
    example: Vec<usize>,
    /// Rows × columns of the grid of z: `[G, G]`, or `[T, 1]` for sequences.
    #[module(skip)]
    cells: [usize; 2],
    #[module(skip)]
    patch: usize,
    #[module(skip)]
    stride: usize,
    #[module(skip)]
    negatives: usize,
    #[module(skip)]
    pool: usize,
    #[module(skip)]
    features: FeatureSource,
    #[module(skip)]
    context_width: usize,
    #[module(skip)]
    latent: usize,
}

impl CpcConfig {
    /// Build a CPC model for `data`'s images or sequences.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Cpc, ModelError> {
        self.validate()?;
        if self.predict > ACC_NAMES.len() {
            return Err(ModelError::InvalidConfig(format!(
                "cpc.predict must be at most {}, got {}",
                ACC_NAMES.len(),
                self.predict
            )));
        }
        let predictors = (0..self.predict)
            .map(|_| {
                LinearConfig::new(self.context, self.latent)
                    .with_bias(false)
                    .init(device)
            })
            .collect();
        let (encoder, context, sequence, cells) = match *data.example_shape.as_slice() {
            [c, h, w] => {
                let grid = self.grid(h.min(w));
                if self.grid(h) != self.grid(w) || grid <= self.predict {
                    return Err(ModelError::DataMismatch(format!(
                        "{h}x{w} images give a {grid}-patch grid at patch {} stride {}: a square grid of more than predict = {} rows is needed",
                        self.patch, self.stride, self.predict
                    )));
                }
                let encoder = PatchEncoder::new(c, self.patch, self.channels, self.latent, device);
                let context = Context::new(self.latent, self.context, self.context_layers, device);
                (Some(encoder), Some(context), None, [grid, grid])
            }
            [c, l] => {
                let t = self.steps(l);
                if t <= self.predict {
                    return Err(ModelError::DataMismatch(format!(
                        "sequences of {l} samples give {t} steps at strides {:?}: more than predict = {} are needed",
                        self.strides, self.predict
                    )));
                }
                let net = SequenceNet::new(
                    c,
                    &self.strides,
                    self.channels,
                    self.latent,
                    self.context,
                    device,
                );
                (None, None, Some(net), [t, 1])
            }
            _ => {
                return Err(ModelError::DataMismatch(format!(
                    "CPC needs images [C, H, W] or sequences [C, L]; the data has examples {:?}",
                    data.example_shape
                )));
            }
        };
        if self.pool > cells[0] {
            return Err(ModelError::InvalidConfig(format!(
                "cpc.pool must be at most the grid's {} rows, got {}",
                cells[0], self.pool
            )));
        }
        Ok(Cpc {
            encoder,
            context,
            sequence,
            predictors,
            example: data.example_shape.clone(),
            cells,
            patch: self.patch,
            stride: self.stride,
            negatives: self.negatives,
            pool: self.pool,
            features: self.features,
            context_width: self.context,
            latent: self.latent,
        })
    }
}

impl Cpc {
    /// Rows and columns of the grid of z: patches per side twice, or `[T, 1]` for sequences.
    pub fn cells(&self) -> [usize; 2] {
        self.cells
    }

    /// Values per example.
    fn width(&self) -> usize {
        self.example.iter().product()
    }

    /// z of every patch or step.
    ///
    /// # Shapes
    /// `x: [B, C·H·W]` → `[B, D, G, G]`; `x: [B, C·L]` → `[B, D, T, 1]`.
    pub fn encode(&self, x: Tensor<2>) -> Tensor<4> {
        if let Some(net) = &self.sequence {
            return net.encode(x);
        }
        let [b, _] = x.dims();
        let (c, h, w) = (self.example[0], self.example[1], self.example[2]);
        let g = self.cells[0];
        let patches = extract(x.reshape([b, c, h, w]), self.patch, self.stride, g);
        match &self.encoder {
            Some(encoder) => encoder
                .forward(patches) // [B·G², D]
                .reshape([b, g, g, self.latent])
                .permute([0, 3, 1, 2]),
            None => unreachable!("init builds the patch encoder or the sequence net"),
        }
    }

    /// c of every cell from the grid of z.
    ///
    /// # Shapes
    /// `z: [B, D, R, Q]` → `[B, Cc, R, Q]`.
    pub fn context(&self, z: Tensor<4>) -> Tensor<4> {
        match (&self.sequence, &self.context) {
            (Some(net), _) => net.context(z),
            (None, Some(context)) => context.forward(z),
            (None, None) => unreachable!("init builds the context network or the sequence net"),
        }
    }

    /// The InfoNCE loss (mean over k) and, per k, the scores `[M_k, 1 + negatives]`.
    fn losses(&self, x: Tensor<2>, rng: &mut ChaCha8Rng) -> (Tensor<1>, Vec<Tensor<2>>) {
        let z = self.encode(x); // [B, D, G, G]
        let c = self.context(z.clone()); // [B, Cc, G, G]
        let [b, d, g, q] = z.dims();
        let cc = c.dims()[1];
        let z = z.permute([0, 2, 3, 1]); // [B, R, Q, D]
        let c = c.permute([0, 2, 3, 1]); // [B, R, Q, Cc]
        let mut total: Option<Tensor<1>> = None;
        let mut all_scores = Vec::with_capacity(self.predictors.len());
        for (k0, w) in self.predictors.iter().enumerate() {
            let k = k0 + 1;
            let rows = g - k;
            let m = b * rows * q;
            let pred = w.forward(c.clone().narrow(1, 0, rows).reshape([m, cc])); // [M, D]
            let target = z.clone().narrow(1, k, rows).reshape([m, d]); // [M, D]
            let idx = candidates(m, self.negatives, rng);
            let n = 1 + self.negatives;
            let device = pred.device();
            let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [m * n]), &device);
            let cand = target.select(0, idx).reshape([m, n, d]);
            let scores = (pred.unsqueeze_dim::<3>(1) * cand)
                .sum_dim(2)
                .reshape([m, n]); // [M, N]
            let l = info_nce(scores.clone());
            total = Some(match total {
                Some(t) => t + l,
                None => l,
            });
            all_scores.push(scores);
        }
        let k = self.predictors.len() as f64;
        let loss = total.map_or_else(|| Tensor::zeros([1], &z.device()), |t| t / k);
        (loss, all_scores)
    }

    /// `loss`, `acc_k…`, `mi_bound` from a loss and its scores.
    fn metrics(&self, loss: f64, scores: Vec<Tensor<2>>) -> Metrics {
        let mut m = vec![("loss", loss)];
        for (k, s) in scores.into_iter().enumerate() {
            m.push((ACC_NAMES[k], top1_accuracy(s.detach())));
        }
        m.push(("mi_bound", ((1 + self.negatives) as f64).ln() - loss));
        m
    }
}

/// For each of `m` rows, its own index then `negatives` others drawn uniformly from `0..m`
/// without the row itself (with replacement among them). Flattened `[m · (1 + negatives)]`.
fn candidates(m: usize, negatives: usize, rng: &mut ChaCha8Rng) -> Vec<i64> {
    let mut out = Vec::with_capacity(m * (1 + negatives));
    for i in 0..m {
        out.push(i as i64);
        for _ in 0..negatives {
            // Uniform over the m − 1 others: draw from 0..m−1 and skip over i.
            let j = if m > 1 { rng.random_range(0..m - 1) } else { 0 };
            out.push(if j >= i && m > 1 { j + 1 } else { j } as i64);
        }
    }
    out
}

impl Family for Cpc {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "cpc";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        crate::step::check_width(&batch.x, self.width(), "CPC model")?;
        let (loss, scores) = self.losses(batch.x.clone(), cx.rng);
        let scores: Vec<Tensor<2>> = scores.into_iter().map(|s| s.detach()).collect();
        let metrics_of = |model: &Cpc, loss: f64| model.metrics(loss, scores);
        let (model, loss, grad_norm) = minimise(self, loss, optim);
        let mut m = metrics_of(&model, loss);
        m.push(("grad_norm", grad_norm));
        Ok((model, m))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        crate::step::check_width(&batch.x, self.width(), "CPC model")?;
        let (loss, scores) = self.losses(batch.x.clone(), cx.rng);
        Ok(self.metrics(loss.into_scalar::<f32>() as f64, scores))
    }
}

impl Embed for Cpc {
    fn embed_dim(&self) -> usize {
        let width = match self.features {
            FeatureSource::Z => self.latent,
            FeatureSource::C => self.context_width,
            FeatureSource::Zc => self.latent + self.context_width,
        };
        width * self.pool * self.pool.min(self.cells[1])
    }

    /// z, c or both averaged over `pool × pool` regions of the grid (`pool` stretches of time
    /// for sequences), flattened.
    fn embed(&self, x: Tensor<2>) -> Result<Tensor<2>, ModelError> {
        crate::step::check_width(&x, self.width(), "CPC model")?;
        let z = self.encode(x); // [B, D, G, G]
        let maps = match self.features {
            FeatureSource::Z => z,
            FeatureSource::C => self.context(z),
            FeatureSource::Zc => Tensor::cat(vec![z.clone(), self.context(z)], 1),
        };
        let cols = self.pool.min(self.cells[1]);
        Ok(adaptive_avg_pool2d(maps, [self.pool, cols]).flatten::<2>(1, 3))
    }
}
