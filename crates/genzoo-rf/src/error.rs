//! Errors of the receptive-field arithmetic: bad layer parameters, malformed graphs and
//! descriptions, and probes that cannot run.

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RfError {
    /// A kernel, stride or dilation of zero.
    #[error("layer `{layer}`: {what} must be at least 1")]
    ZeroParameter {
        /// Layer name.
        layer: String,
        /// `kernel`, `stride` or `dilation`.
        what: &'static str,
    },
    /// A window wider than its padded input (the output would be empty).
    #[error(
        "layer `{layer}`: a window spanning {window} does not fit an input of {input} \
         ({padded} with padding); use a larger --input"
    )]
    WindowTooLarge {
        /// Layer name.
        layer: String,
        /// Effective kernel size `d·(k − 1) + 1`.
        window: usize,
        /// Input size along the axis.
        input: usize,
        /// Input size with padding.
        padded: usize,
    },
    /// The inputs of a merge have different spatial sizes.
    #[error("merge `{layer}`: its inputs have different sizes {sizes:?}")]
    MergeSizes {
        /// Merge name.
        layer: String,
        /// `[height, width]` of each input.
        sizes: Vec<[usize; 2]>,
    },
    /// The recurrences cannot describe an up-sampling layer.
    #[error(
        "layer `{layer}`: a transposed convolution's receptive field depends on the phase of \
         the output unit; only the exact support describes it"
    )]
    Transposed {
        /// Layer name.
        layer: String,
    },
    /// A layer configuration the arithmetic does not model.
    #[error("layer `{layer}`: {detail}")]
    Unsupported {
        /// Layer name.
        layer: String,
        /// Why.
        detail: String,
    },
    /// A malformed graph (an input that does not come first, wrong number of inputs).
    #[error("malformed network: {0}")]
    Graph(String),
    /// A unit outside its feature map.
    #[error("unit {unit:?} is outside `{layer}`, which is {size:?}")]
    UnitOutOfRange {
        /// Layer name.
        layer: String,
        /// `[row, column]` asked for.
        unit: [usize; 2],
        /// `[height, width]` of the layer's output.
        size: [usize; 2],
    },
    /// A TOML description that does not parse or make sense.
    #[error("network description: {0}")]
    Parse(String),
    /// Two layers of a description with one name.
    #[error("network description: two layers are called `{0}`")]
    DuplicateName(String),
    /// A layer reading a name that no earlier layer has.
    #[error("network description: layer `{layer}` reads `{input}`, which no earlier layer is")]
    UnknownInput {
        /// Layer name.
        layer: String,
        /// The missing input.
        input: String,
    },
    /// No preset of that name.
    #[error("unknown architecture preset {name:?}; presets: {known}")]
    UnknownPreset {
        /// Name asked for.
        name: String,
        /// Names available.
        known: String,
    },
    /// The gradient probe could not run or read its result.
    #[error("gradient probe: {0}")]
    Probe(String),
}
