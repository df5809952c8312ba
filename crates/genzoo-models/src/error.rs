//! Errors a model can report.

use genzoo_nn::NnError;

/// What went wrong inside a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The configuration cannot describe a working model.
    #[error("invalid model configuration: {0}")]
    InvalidConfig(String),
    /// The data does not fit the model (wrong width, continuous data for a binary decoder, ...).
    #[error("data does not fit the model: {0}")]
    DataMismatch(String),
    /// A numerical procedure failed to finish (an ODE solve whose step collapsed, NaN values).
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// A building block failed.
    #[error(transparent)]
    Nn(#[from] NnError),
}
