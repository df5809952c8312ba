//! Evaluation shared by every family: likelihood bounds and unit conversions.
//!
//! - [`iwae`]: the importance-weighted estimate of log p(x) for any
//!   [`LatentVariable`](genzoo_models::LatentVariable) model (ELBO at k = 1).
//! - [`exact`]: the exact NLL of models with a tractable density.
//! - [`units`]: nats ↔ bits per dimension.
//! - [`logsumexp`]: numerically stable log-mean-exp, in f64.

pub mod error;
pub mod exact;
pub mod iwae;
pub mod logsumexp;
pub mod quantile;
pub mod units;

pub use error::EvalError;
pub use exact::{NllReport, exact_nll};
pub use iwae::{IwaeOptions, IwaeReport, iwae};
pub use quantile::normal_quantile;
pub use units::{bits_per_dim, bits_per_dim_8bit};
