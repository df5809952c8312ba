//! Errors of evaluation.

use genzoo_models::ModelError;

/// What went wrong while evaluating.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// An option is out of range.
    #[error("invalid evaluation option: {0}")]
    InvalidOption(String),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A tensor could not be read back.
    #[error("reading results from the device: {0}")]
    Data(String),
    /// The estimate is not finite (a diverged model or corrupt data).
    #[error("the estimate is not finite for example {0}")]
    NotFinite(usize),
}
