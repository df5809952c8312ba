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
    /// Input values (images or features) hold a NaN or an infinity.
    #[error("the {set} hold a non-finite value (example {example})")]
    NonFiniteInput {
        /// Which input: "generated images", "reference features", ...
        set: String,
        /// Row of the first offending example.
        example: usize,
    },
    /// Inputs do not have the shape the computation needs.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// Too few examples for the statistic.
    #[error("{what} needs at least {need} examples, got {got}")]
    TooFew {
        /// The statistic.
        what: &'static str,
        /// The minimum.
        need: usize,
        /// What was given.
        got: usize,
    },
}
