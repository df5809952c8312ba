//! Classifiers: the MNIST feature net behind the sample-quality metrics, EfficientNet with
//! compound scaling, smooth surrogates of accuracy and F1 as losses, and the perceptron.
//!
//! - [`config`]: `family = "classifier"`: backbone (`mlp`, `cnn`, `efficientnet`), loss,
//!   temperature, one-vs-rest task, bias;
//! - [`backbone`], [`cnn`], [`efficientnet`]: the networks;
//! - [`loss`]: cross-entropy, soft accuracy, soft F1, CE + soft F1;
//! - [`soft_metrics`]: the smooth surrogates as tensor expressions;
//! - [`metrics`]: hard accuracy and F1;
//! - [`model`]: the [`Classifier`] module ([`Family`](crate::Family),
//!   [`Classify`](crate::Classify));
//! - [`perceptron`]: Rosenblatt's perceptron and the bias term.

pub mod backbone;
pub mod cnn;
pub mod config;
pub mod efficientnet;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod perceptron;
pub mod soft_metrics;

pub use backbone::BackboneKind;
pub use config::ClassifierConfig;
pub use loss::LossKind;
pub use metrics::ClassifierScores;
pub use model::Classifier;
