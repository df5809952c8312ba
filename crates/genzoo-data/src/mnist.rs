//! MNIST (LeCun et al., 1998) from its four IDX files, split into train / valid / test.
//!
//! | split   | source                         | examples |
//! |---------|--------------------------------|----------|
//! | `train` | official train set, `[0, 50000)`     | 50 000 |
//! | `valid` | official train set, `[50000, 60000)` | 10 000 |
//! | `test`  | official test set (`t10k`)     | 10 000 |
//!
//! This is the split of the density-estimation literature (e.g. MADE, Germain et al. 2015; the
//! binarised-MNIST benchmarks of Larochelle & Murray 2011), so that hyper-parameters are chosen on
//! `valid` and `test` is touched once. Each file may be raw or gzipped (`name` or `name.gz`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{DataError, Result};
use crate::idx::{Images, read_idx_images, read_idx_labels};

/// Examples in the `train` split (the first part of the official training set).
pub const MNIST_TRAIN: usize = 50_000;
/// Examples in the `valid` split (the last part of the official training set).
pub const MNIST_VALID: usize = 10_000;
/// Examples in the `test` split (the official test set).
pub const MNIST_TEST: usize = 10_000;
/// Height and width of an MNIST digit.
pub const MNIST_SIDE: usize = 28;
/// Number of classes (digits 0..=9).
pub const MNIST_CLASSES: usize = 10;

/// File name of the official training images.
pub const TRAIN_IMAGES_FILE: &str = "train-images-idx3-ubyte";
/// File name of the official training labels.
pub const TRAIN_LABELS_FILE: &str = "train-labels-idx1-ubyte";
/// File name of the official test images.
pub const TEST_IMAGES_FILE: &str = "t10k-images-idx3-ubyte";
/// File name of the official test labels.
pub const TEST_LABELS_FILE: &str = "t10k-labels-idx1-ubyte";

/// Images with one class label each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledImages {
    /// The images.
    pub images: Images,
    /// One label per image, each in `0..MNIST_CLASSES`.
    pub labels: Vec<u8>,
}

impl LabelledImages {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Examples `start..end`.
    ///
    /// # Panics
    /// If `start > end` or `end > self.len()`.
    pub fn slice(&self, start: usize, end: usize) -> LabelledImages {
        LabelledImages {
            images: self.images.slice(start, end),
            labels: self.labels[start..end].to_vec(),
        }
    }
}

/// The three MNIST splits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mnist {
    /// First 50 000 official training examples.
    pub train: LabelledImages,
    /// Last 10 000 official training examples.
    pub valid: LabelledImages,
    /// The 10 000 official test examples.
    pub test: LabelledImages,
}

/// Which part of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// Data for fitting parameters.
    Train,
    /// Held-out data for choosing hyper-parameters and early stopping.
    Valid,
    /// Held-out data reported once.
    Test,
}

impl Split {
    /// Every split, in order.
    pub const ALL: [Split; 3] = [Split::Train, Split::Valid, Split::Test];

    /// The name used on the command line and in configs.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }

    /// A per-split constant mixed into random streams (for example fixed binarisation), so that
    /// two splits never share noise even where their images coincide in index. The values are
    /// the ASCII bytes of the names, so they are stable and self-explaining.
    pub fn salt(self) -> u64 {
        match self {
            Split::Train => u64::from_be_bytes(*b"\0\0\0train"),
            Split::Valid => u64::from_be_bytes(*b"\0\0\0valid"),
            Split::Test => u64::from_be_bytes(*b"\0\0\0\0test"),
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Split {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self> {
        Split::ALL
            .into_iter()
            .find(|split| split.name() == s)
            .ok_or_else(|| DataError::UnknownName {
                what: "split",
                name: s.to_string(),
                valid: "train, valid, test".to_string(),
            })
    }
}

/// Finds `dir/name`, or else `dir/name.gz`. A raw file wins when both exist (it is faster).
pub fn find_data_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(DataError::Missing { path: raw })
}

/// Reads an image file and its label file, checking that the counts agree and that every label
/// is a digit. Dimensions are not checked here (see [`load_mnist`]).
pub fn read_labelled(images_path: &Path, labels_path: &Path) -> Result<LabelledImages> {
    let images = read_idx_images(images_path)?;
    let labels = read_idx_labels(labels_path)?;
    if images.n != labels.len() {
        return Err(DataError::CountMismatch {
            images_path: images_path.to_path_buf(),
            labels_path: labels_path.to_path_buf(),
            images: images.n,
            labels: labels.len(),
        });
    }
    if let Some((index, &value)) = labels
        .iter()
        .enumerate()
        .find(|&(_, &l)| usize::from(l) >= MNIST_CLASSES)
    {
        return Err(DataError::BadLabel {
            path: labels_path.to_path_buf(),
            index,
            value,
        });
    }
    Ok(LabelledImages { images, labels })
}

/// Reads one official MNIST set and checks it is `expected` digits of 28×28.
fn read_official(
    dir: &Path,
    images: &str,
    labels: &str,
    expected: usize,
) -> Result<LabelledImages> {
    let images_path = find_data_file(dir, images)?;
    let labels_path = find_data_file(dir, labels)?;
    let set = read_labelled(&images_path, &labels_path)?;
    let img = &set.images;
    if img.rows != MNIST_SIDE || img.cols != MNIST_SIDE {
        return Err(DataError::BadDims {
            path: images_path,
            detail: format!(
                "MNIST images are {MNIST_SIDE}x{MNIST_SIDE}, found {}x{}",
                img.rows, img.cols
            ),
        });
    }
    if img.n != expected {
        return Err(DataError::BadDims {
            path: images_path,
            detail: format!("expected {expected} MNIST images, found {}", img.n),
        });
    }
    Ok(set)
}

fn read_official_train(dir: &Path) -> Result<LabelledImages> {
    read_official(
        dir,
        TRAIN_IMAGES_FILE,
        TRAIN_LABELS_FILE,
        MNIST_TRAIN + MNIST_VALID,
    )
}

fn read_official_test(dir: &Path) -> Result<LabelledImages> {
    read_official(dir, TEST_IMAGES_FILE, TEST_LABELS_FILE, MNIST_TEST)
}

/// Loads all three MNIST splits from `dir`.
pub fn load_mnist(dir: &Path) -> Result<Mnist> {
    let official = read_official_train(dir)?;
    let test = read_official_test(dir)?;
    Ok(Mnist {
        train: official.slice(0, MNIST_TRAIN),
        valid: official.slice(MNIST_TRAIN, MNIST_TRAIN + MNIST_VALID),
        test,
    })
}

/// Loads one MNIST split from `dir`, reading only the files that split needs.
pub fn load_mnist_split(dir: &Path, split: Split) -> Result<LabelledImages> {
    match split {
        Split::Train => Ok(read_official_train(dir)?.slice(0, MNIST_TRAIN)),
        Split::Valid => Ok(read_official_train(dir)?.slice(MNIST_TRAIN, MNIST_TRAIN + MNIST_VALID)),
        Split::Test => read_official_test(dir),
    }
}
