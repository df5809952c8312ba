//! Errors of the training pipeline.

use std::path::PathBuf;

use genzoo_data::DataError;
use genzoo_models::ModelError;
use genzoo_nn::NnError;

/// What went wrong while configuring, training or checkpointing.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A configuration value is invalid (caught before any work starts).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A config file could not be parsed.
    #[error("config {path}: {detail}")]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A checkpoint is missing, corrupt or does not fit.
    #[error("checkpoint {path}: {detail}")]
    Checkpoint {
        /// The checkpoint directory or file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// Data could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A building block failed.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// Drawing a chart failed.
    #[error(transparent)]
    Plot(#[from] genzoo_plot::PlotError),
}

impl TrainError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TrainError::Io {
            path: path.into(),
            source,
        }
    }
}
