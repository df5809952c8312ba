//! The classifier module: training with the configured loss, evaluation metrics, and the
//! [`Classify`] view that the sample-quality metrics read features through.
//!
//! Evaluation metrics (per batch; the trainer averages them weighted by batch size):
//! `error` (1 − accuracy; the first metric, so the best checkpoint has the lowest), `accuracy`,
//! `ce` (cross-entropy, nats), `soft_accuracy` (at the config's τ), and for a one-vs-rest task
//! `tp`, `fp`, `fn` as fractions of the examples, from which `genzoo eval` computes the pooled F1.

use crate::step::minimise;
use burn::prelude::*;
use genzoo_rf::ConvGeometry;
use rand_chacha::ChaCha8Rng;

use super::backbone::{Backbone, BackboneKind, MlpNet};
use super::cnn::Cnn;
use super::config::ClassifierConfig;
use super::loss::{LossKind, cross_entropy};
use super::metrics::predictions;
use super::soft_metrics::{F1Average, soft_accuracy};
use crate::family::Optimizers;
use crate::{Batch, Classify, DataSpec, Family, Metrics, ModelError, StepCx};

/// A built classifier.
#[derive(Module, Debug)]
pub struct Classifier {
    backbone: Backbone,
    /// `[C, H, W]` of image data.
    #[module(skip)]
    image: Option<[usize; 3]>,
    #[module(skip)]
    data_dim: usize,
    /// Classes of the data's labels.
    #[module(skip)]
    classes: usize,
    /// Outputs (2 for one-vs-rest).
    #[module(skip)]
    outputs: usize,
    #[module(skip)]
    positive_class: Option<u8>,
    #[module(skip)]
    loss: LossKind,
    #[module(skip)]
    temperature: f64,
    #[module(skip)]
    feature_dim: usize,
}

impl ClassifierConfig {
    /// Build a classifier sized to `data`.
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Classifier, ModelError> {
        self.validate()?;
        let outputs = self.outputs();
        let image = data.image();
        let need_image = || {
            image.ok_or_else(|| {
                ModelError::DataMismatch(format!(
                    "the {:?} backbone needs images [C, H, W], the data has examples {:?}",
                    self.backbone, data.example_shape
                ))
            })
        };
        let (backbone, feature_dim) = match self.backbone {
            BackboneKind::Mlp => (
                Backbone::Mlp(MlpNet::new(
                    data.dim(),
                    &self.mlp_hidden,
                    self.activation,
                    outputs,
                    self.bias,
                    device,
                )),
                self.mlp_hidden.last().copied().unwrap_or(data.dim()),
            ),
            BackboneKind::Cnn => {
                let image = need_image()?;
                if image[1] < 4 || image[2] < 4 {
                    return Err(ModelError::DataMismatch(format!(
                        "the cnn backbone pools twice by 2 and needs images of side >= 4, got {image:?}"
                    )));
                }
                (
                    Backbone::Cnn(Cnn::new(
                        image,
                        self.cnn_channels,
                        self.cnn_features,
                        outputs,
                        self.bias,
                        device,
                    )),
                    self.cnn_features,
                )
            }
            BackboneKind::EfficientNet => {
                let [c, _, _] = need_image()?;
                let arch = self.efficientnet.architecture(c, outputs, self.bias)?;
                (Backbone::EfficientNet(arch.init(device)), arch.head)
            }
        };
        Ok(Classifier {
            backbone,
            image,
            data_dim: data.dim(),
            classes: self.classes,
            outputs,
            positive_class: self.positive_class,
            loss: self.loss,
            temperature: self.temperature,
            feature_dim,
        })
    }
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

impl Classifier {
    /// The conv nets inside, for `genzoo rf` (the small CNN; EfficientNet's squeeze-and-
    /// excitation pools globally in every block, so its units see the whole image).
    pub fn conv_nets(&self) -> Vec<(&'static str, &dyn ConvGeometry)> {
        match &self.backbone {
            Backbone::Cnn(c) => vec![("classifier", c as &dyn ConvGeometry)],
            _ => Vec::new(),
        }
    }

    /// Penultimate features and logits; `rng` given: training-time noise.
    ///
    /// # Shapes
    /// `x: [B, D]` → (`[B, F]`, `[B, outputs]`).
    pub fn forward(
        &self,
        x: Tensor<2>,
        rng: Option<&mut ChaCha8Rng>,
    ) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
        let [_, d] = x.dims();
        if d != self.data_dim {
            return Err(ModelError::DataMismatch(format!(
                "the classifier was built for {}-dimensional examples, the batch has {d}",
                self.data_dim
            )));
        }
        Ok(self.backbone.forward(x, self.image, rng))
    }

    /// The targets of a batch: its labels, or 1/0 for "positive class vs the rest".
    ///
    /// # Shapes
    /// `[B]` → `[B]`.
    pub fn targets(&self, batch: &Batch) -> Result<Tensor<1, Int>, ModelError> {
        let y = batch.y.clone().ok_or_else(|| {
            ModelError::DataMismatch(
                "a classifier needs labelled data (MNIST); this data has no labels".into(),
            )
        })?;
        let [b] = y.dims();
        if b > 0 {
            let max = y.clone().max().into_scalar::<i64>();
            let min = y.clone().min().into_scalar::<i64>();
            if min < 0 || max >= self.classes as i64 {
                return Err(ModelError::DataMismatch(format!(
                    "labels range over {min}..={max}, the classifier has {} classes",
                    self.classes
                )));
            }
        }
        Ok(match self.positive_class {
            Some(p) => y.equal_elem(i64::from(p)).int(),
            None => y,
        })
    }

    fn f1_average(&self) -> F1Average {
        F1Average::for_classes(self.outputs)
    }
}

/// Fraction of rows whose argmax is the target.
fn accuracy(logits: Tensor<2>, targets: Tensor<1, Int>) -> f64 {
    let [b] = targets.dims();
    let correct = predictions(logits).equal(targets).int().sum();
    correct.into_scalar::<i64>() as f64 / b.max(1) as f64
}

impl Family for Classifier {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "classifier";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        let y = self.targets(batch)?;
        let (_, logits) = self.forward(batch.x.clone(), Some(&mut *cx.rng))?;
        let loss = self.loss.compute(
            logits.clone(),
            y.clone(),
            self.temperature,
            self.f1_average(),
        );
        let acc = accuracy(logits.detach(), y);
        let (model, loss_value, grad_norm) = minimise(self, loss, optim);
        Ok((
            model,
            vec![
                ("loss", loss_value),
                ("accuracy", acc),
                ("grad_norm", grad_norm),
            ],
        ))
    }

    fn eval_step(&self, batch: &Batch, _cx: &mut StepCx) -> Result<Metrics, ModelError> {
        let y = self.targets(batch)?;
        let (_, logits) = self.forward(batch.x.clone(), None)?;
        let acc = accuracy(logits.clone(), y.clone());
        let mut m = vec![
            ("error", 1.0 - acc),
            ("accuracy", acc),
            ("ce", scalar(cross_entropy(logits.clone(), y.clone()))),
            (
                "soft_accuracy",
                scalar(soft_accuracy(logits.clone(), y.clone(), self.temperature)),
            ),
        ];
        if self.positive_class.is_some() {
            let [b] = y.dims();
            let n = b.max(1) as f64;
            let pred = predictions(logits).float(); // [B], 1 = positive
            let truth = y.float(); // [B]
            let count = |t: Tensor<1>| t.sum().into_scalar::<f32>() as f64 / n;
            let tp = count(pred.clone() * truth.clone());
            let fp = count(pred.clone() * truth.clone().neg().add_scalar(1.0));
            let fn_ = count(pred.neg().add_scalar(1.0) * truth);
            m.extend([("tp", tp), ("fp", fp), ("fn", fn_)]);
        }
        Ok(m)
    }
}

impl Classify for Classifier {
    fn num_classes(&self) -> usize {
        self.outputs
    }
    fn feature_dim(&self) -> usize {
        self.feature_dim
    }
    fn features_and_logits(&self, x: Tensor<2>) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
        self.forward(x, None)
    }
}
