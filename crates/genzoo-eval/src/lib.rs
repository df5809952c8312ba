//! Evaluation shared by every family: likelihood bounds, unit conversions and sample quality.
//!
//! - [`iwae`]: the importance-weighted estimate of log p(x) for any
//!   [`LatentVariable`](genzoo_models::LatentVariable) model (ELBO at k = 1).
//! - [`exact`]: the exact NLL of models with a tractable density.
//! - [`units`]: nats ↔ bits per dimension.
//! - [`probe`]: the linear probe of a frozen representation (CPC features, raw pixels).
//! - [`energy`]: the energy distance between two samples (2-D toys, where no likelihood is).
//! - [`logsumexp`]: numerically stable log-mean-exp, in f64.
//! - [`quality`](mod@quality): sample quality through a trained classifier ([`Classify`](genzoo_models::Classify)):
//!   [`fid`](mod@fid), [`kid`](mod@kid), [`precision_recall`](mod@precision_recall),
//!   [`classifier_scores`](mod@classifier_scores) on [`features`] in f64; [`intensity`] maps image
//!   views to `[0, 1]`; [`degrade`] noises and blurs images for the reference scale.

pub mod classifier_scores;
pub mod degrade;
pub mod energy;
pub mod error;
pub mod exact;
pub mod features;
pub mod fid;
pub mod intensity;
pub mod iwae;
pub mod kid;
pub mod logsumexp;
pub mod modes;
pub mod pca;
pub mod precision_recall;
pub mod probe;
pub mod quality;
pub mod quantile;
pub mod stacked;
pub mod units;

pub use energy::energy_distance;
pub use error::EvalError;
pub use exact::{NllReport, exact_nll};
pub use iwae::{IwaeOptions, IwaeReport, iwae};
pub use modes::ModeReport;
pub use pca::pca;
pub use probe::{Labelled, ProbeOptions, linear_probe};
pub use quality::{FeatureNet, QualityOptions, QualityReport, quality};
pub use quantile::normal_quantile;
pub use units::{bits_per_dim, bits_per_dim_8bit};
