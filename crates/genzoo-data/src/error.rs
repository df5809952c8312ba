//! Typed errors for everything `genzoo-data` reads, writes or validates.
//!
//! Every variant that concerns a file carries its path, so a message printed by the CLI alone
//! says which file is wrong and how; callers never need to wrap these errors to add context.

use std::path::PathBuf;

/// What can go wrong while reading, validating or writing data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The operating system refused a read, write, rename or directory creation.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A required data file is absent; both the raw name and the `.gz` name were tried.
    #[error("missing data file: neither {} nor {}.gz exists", path.display(), path.display())]
    Missing {
        /// The expected path without the `.gz` suffix.
        path: PathBuf,
    },

    /// The file's leading magic number is not the one its format requires.
    #[error("{}: bad magic number 0x{found:08x}, expected 0x{expected:08x}", path.display())]
    BadMagic {
        /// The file concerned.
        path: PathBuf,
        /// The magic number the format requires.
        expected: u32,
        /// The magic number found in the file.
        found: u32,
    },

    /// Declared dimensions are impossible or not the ones the caller requires.
    #[error("{}: bad dimensions: {detail}", path.display())]
    BadDims {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong, in words.
        detail: String,
    },

    /// The (decompressed) file is shorter than its header declares.
    #[error(
        "{}: truncated: header declares {expected_bytes} bytes, file has {found_bytes}",
        path.display()
    )]
    Truncated {
        /// The file concerned.
        path: PathBuf,
        /// Bytes the header implies (header included).
        expected_bytes: u64,
        /// Bytes actually present (after decompression).
        found_bytes: u64,
    },

    /// The (decompressed) file is longer than its header declares.
    #[error(
        "{}: {} trailing bytes: header declares {expected_bytes} bytes, file has {found_bytes}",
        path.display(),
        found_bytes.saturating_sub(*expected_bytes)
    )]
    TrailingBytes {
        /// The file concerned.
        path: PathBuf,
        /// Bytes the header implies (header included).
        expected_bytes: u64,
        /// Bytes actually present (after decompression).
        found_bytes: u64,
    },

    /// An image file and its label file disagree on the number of examples.
    #[error(
        "{} holds {images} images but {} holds {labels} labels",
        images_path.display(),
        labels_path.display()
    )]
    CountMismatch {
        /// The image file.
        images_path: PathBuf,
        /// The label file.
        labels_path: PathBuf,
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },

    /// A label lies outside the classes the dataset has.
    #[error("{}: label {value} at index {index} is not a digit 0..=9", path.display())]
    BadLabel {
        /// The label file.
        path: PathBuf,
        /// Position of the offending label.
        index: usize,
        /// The offending value.
        value: u8,
    },

    /// A file starts with the gzip magic bytes but does not decompress.
    #[error("{}: corrupt gzip stream: {detail}", path.display())]
    Gzip {
        /// The file concerned.
        path: PathBuf,
        /// The decoder's complaint.
        detail: String,
    },

    /// An argument is out of its domain (a batch size of zero, a shape that does not match the
    /// number of values, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// A name (of a toy distribution, an image view, a split) is not one of the known names.
    #[error("unknown {what} `{name}`; valid names: {valid}")]
    UnknownName {
        /// What kind of name was parsed ("toy distribution", "image view", "split").
        what: &'static str,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },

    /// PNG encoding failed or a PNG could not be built from the given data.
    #[error("{}: PNG error: {detail}", path.display())]
    Png {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },

    /// An `.npy` file is malformed or holds something other than little-endian `f32`/`f64` in
    /// C order.
    #[error("{}: NPY error: {detail}", path.display())]
    Npy {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl DataError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// `Result` specialised to [`DataError`].
pub type Result<T> = std::result::Result<T, DataError>;
