//! Errors of the building blocks.

/// What went wrong in a building block.
#[derive(Debug, thiserror::Error)]
pub enum NnError {
    /// A stored tensor set lacks a parameter the module has.
    #[error("missing parameter `{0}` in the stored tensors")]
    MissingParam(String),
    /// A stored tensor's shape differs from the module's parameter.
    #[error("parameter `{name}`: stored shape {stored:?} but the module has {expected:?}")]
    ShapeMismatch {
        /// Parameter path.
        name: String,
        /// Shape found in storage.
        stored: Vec<usize>,
        /// Shape the module expects.
        expected: Vec<usize>,
    },
    /// Stored tensors the module does not have (a checkpoint of another architecture).
    #[error("stored tensors not in the module: {0:?}")]
    UnusedParams(Vec<String>),
    /// A tensor could not be read back from the device.
    #[error("reading tensor `{name}`: {detail}")]
    Data {
        /// Parameter path.
        name: String,
        /// What burn reported.
        detail: String,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}
