//! Data sources the trainer draws batches from.
//!
//! A source maps example indices and an epoch to an [`Array`]: the epoch matters only for views
//! that redraw noise every epoch (dynamic binarisation, dequantisation), whose draws are pure
//! functions of `(split, seed, epoch, example)`. So a batch is determined by `(seed, cursor)` and
//! a resumed run sees exactly the batches an uninterrupted one would.

use std::path::Path;

use genzoo_data::augment::random_shifts;
use genzoo_data::mnist::{MNIST_CLASSES, MNIST_SIDE};
use genzoo_data::{
    Array, ImageView, Images, Split, Toy, ViewRng, load_mnist, rng_for, to_array, to_array_rows,
};
use genzoo_models::{DataKind, DataSpec};

use crate::TrainError;
use crate::config::{DataConfig, PairsDataConfig};

/// RNG streams of the toy draws: one per split, so they never share points.
const STREAM_TOY: u64 = u64::from_be_bytes(*b"toydata\0");
/// Stream of the Stacked MNIST draws, counter = the split's salt.
const STREAM_STACKED: u64 = u64::from_be_bytes(*b"stacked\0");
/// Stream of the generated sequences (`source = "sequences"`), counter = split.
const STREAM_SEQUENCES: u64 = u64::from_be_bytes(*b"seqdata\0");

/// Examples addressable by index.
pub enum DataSource {
    /// Precomputed values (toys).
    Array(Array),
    /// Raw images and the view that turns them into values.
    Images {
        /// The pixels.
        images: Images,
        /// How pixels become values.
        view: ImageView,
        /// Which split (salts the view's noise).
        split: Split,
        /// The run's seed.
        seed: u64,
    },
}

impl DataSource {
    /// Number of examples.
    pub fn len(&self) -> usize {
        match self {
            DataSource::Array(a) => a.len(),
            DataSource::Images { images, .. } => images.n,
        }
    }

    /// Whether the source holds no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Examples `indices` as drawn in `epoch`, shape `[len, ...]`.
    pub fn rows(&self, indices: &[usize], epoch: u64) -> Array {
        match self {
            DataSource::Array(a) => a.gather(indices),
            DataSource::Images {
                images,
                view,
                split,
                seed,
            } => to_array_rows(images, indices, *view, ViewRng::new(*split, *seed, epoch)),
        }
    }

    /// The first `n` examples (or all), as drawn in epoch 0: the evaluation view.
    pub fn head(&self, n: Option<usize>) -> Array {
        let n = n.map_or(self.len(), |n| n.min(self.len()));
        let idx: Vec<usize> = (0..n).collect();
        self.rows(&idx, 0)
    }
}

/// Train, validation and test sources and the shape of one example.
pub struct Splits {
    /// Shape and kind of an example.
    pub spec: DataSpec,
    /// Training examples.
    pub train: DataSource,
    /// Validation examples (periodic evaluation, model selection).
    pub valid: DataSource,
    /// Test examples (headline numbers only).
    pub test: DataSource,
    /// The toy, when the data is one (for oracle densities and plot ranges).
    pub toy: Option<Toy>,
    /// The image view, when the data is images (to map values back to pixels).
    pub view: Option<ImageView>,
    /// Class labels of each split, when the data has them.
    pub labels: Option<SplitLabels>,
    /// Augmentation of training batches, when the config asks for it.
    pub augment: Option<Augment>,
    /// The coupled x₀ of every example, when the data is a flow's pairs.
    pub sources: Option<SplitSources>,
}

/// The x₀ of each split's examples, parallel to them (`source = "pairs"`).
#[derive(Clone, Debug)]
pub struct SplitSources {
    /// x₀ of the training examples.
    pub train: Array,
    /// x₀ of the validation examples.
    pub valid: Array,
    /// x₀ of the test examples.
    pub test: Array,
}

/// Random translations of training batches ([`genzoo_data::augment`]); the trainer applies
/// them to training batches only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augment {
    /// Largest shift in pixels per axis.
    pub max_shift: usize,
    /// Value of the uncovered border (the view's background).
    pub fill: f32,
    /// The run's seed (offsets are drawn from `(seed, epoch, example)`).
    pub seed: u64,
}

impl Augment {
    /// Shift every example of `batch` (training rows `indices`, drawn in `epoch`).
    pub fn apply(&self, batch: &mut Array, indices: &[usize], epoch: u64) {
        random_shifts(batch, indices, epoch, self.seed, self.max_shift, self.fill);
    }
}

/// Class labels, parallel to the examples of each split.
#[derive(Clone, Debug, Default)]
pub struct SplitLabels {
    /// Labels of the training examples.
    pub train: Vec<u8>,
    /// Labels of the validation examples.
    pub valid: Vec<u8>,
    /// Labels of the test examples.
    pub test: Vec<u8>,
    /// Number of classes.
    pub classes: usize,
}

/// The shape and kind of one example of the data a config names, without loading it (pairs:
/// from their manifest).
pub fn spec(config: &DataConfig) -> Result<DataSpec, TrainError> {
    Ok(match config {
        DataConfig::Pairs(p) => DataSpec {
            example_shape: crate::pairs::read_manifest(&p.dir)?.example_shape,
            kind: DataKind::Continuous,
        },
        DataConfig::Toy(_) => DataSpec {
            example_shape: vec![2],
            kind: DataKind::Continuous,
        },
        DataConfig::Sequences(q) => DataSpec {
            example_shape: vec![1, q.length],
            kind: DataKind::Continuous,
        },
        DataConfig::Mnist(m) => {
            let view: ImageView = m
                .view
                .parse()
                .map_err(|e: genzoo_data::DataError| TrainError::Config(e.to_string()))?;
            DataSpec {
                example_shape: vec![m.stack.max(1), MNIST_SIDE, MNIST_SIDE],
                kind: if view.is_binary() {
                    DataKind::Binary
                } else {
                    DataKind::Continuous
                },
            }
        }
    })
}

/// Load or draw the data a config names.
pub fn load(config: &DataConfig, seed: u64) -> Result<Splits, TrainError> {
    match config {
        DataConfig::Toy(t) => {
            let toy: Toy = t
                .toy
                .parse()
                .map_err(|e: genzoo_data::DataError| TrainError::Config(e.to_string()))?;
            let draw = |split: u64, n: usize| toy.sample(n, &mut rng_for(seed, STREAM_TOY, split));
            Ok(Splits {
                spec: DataSpec {
                    example_shape: vec![2],
                    kind: DataKind::Continuous,
                },
                train: DataSource::Array(draw(0, t.train_size)),
                valid: DataSource::Array(draw(1, t.eval_size)),
                test: DataSource::Array(draw(2, t.eval_size)),
                toy: Some(toy),
                view: None,
                labels: None,
                augment: None,
                sources: None,
            })
        }
        DataConfig::Pairs(p) => load_pairs(p),
        DataConfig::Sequences(q) => {
            let generator = q.generator();
            let draw = |split: u64, n: usize| {
                generator
                    .sample(n, &mut rng_for(seed, STREAM_SEQUENCES, split))
                    .map_err(|e| TrainError::Config(format!("data: {e}")))
            };
            let (train, train_labels) = draw(0, q.train_size)?;
            let (valid, valid_labels) = draw(1, q.eval_size)?;
            let (test, test_labels) = draw(2, q.eval_size)?;
            Ok(Splits {
                spec: spec(config)?,
                train: DataSource::Array(train),
                valid: DataSource::Array(valid),
                test: DataSource::Array(test),
                toy: None,
                view: None,
                labels: Some(SplitLabels {
                    train: train_labels,
                    valid: valid_labels,
                    test: test_labels,
                    classes: q.classes,
                }),
                augment: None,
                sources: None,
            })
        }
        DataConfig::Mnist(m) => {
            let view: ImageView = m
                .view
                .parse()
                .map_err(|e: genzoo_data::DataError| TrainError::Config(e.to_string()))?;
            let mnist = load_mnist(Path::new(&m.dir))?;
            if m.stacked() {
                return load_stacked(m, mnist, view, seed, spec(config)?);
            }
            let spec = DataSpec {
                example_shape: vec![1, mnist.train.images.rows, mnist.train.images.cols],
                kind: if view.is_binary() {
                    DataKind::Binary
                } else {
                    DataKind::Continuous
                },
            };
            // Views that never change are drawn once; per-epoch views are drawn per batch.
            let source = |images: Images, split: Split| {
                if view.is_per_epoch() {
                    DataSource::Images {
                        images,
                        view,
                        split,
                        seed,
                    }
                } else {
                    DataSource::Array(to_array(&images, view, ViewRng::new(split, seed, 0)))
                }
            };
            let labels = SplitLabels {
                train: mnist.train.labels,
                valid: mnist.valid.labels,
                test: mnist.test.labels,
                classes: MNIST_CLASSES,
            };
            Ok(Splits {
                spec,
                labels: Some(labels),
                train: source(mnist.train.images, Split::Train),
                valid: source(mnist.valid.images, Split::Valid),
                test: source(mnist.test.images, Split::Test),
                toy: None,
                view: Some(view),
                augment: (m.shift > 0).then_some(Augment {
                    max_shift: m.shift,
                    fill: view.background(),
                    seed,
                }),
                sources: None,
            })
        }
    }
}

/// Stacked MNIST: `stack_size` training stacks, one stack per image of validation and test,
/// each split's digits drawn from its own images.
fn load_stacked(
    m: &crate::config::MnistDataConfig,
    mnist: genzoo_data::Mnist,
    view: ImageView,
    seed: u64,
    spec: DataSpec,
) -> Result<Splits, TrainError> {
    let draw = |set: genzoo_data::LabelledImages, n: usize, split: Split| {
        genzoo_data::stacked::stack(
            &set,
            MNIST_CLASSES,
            n,
            m.stack,
            view,
            ViewRng::new(split, seed, 0),
            &mut rng_for(seed, STREAM_STACKED, split.salt()),
        )
        .map(|(x, _modes)| DataSource::Array(x))
        .map_err(|e| TrainError::Config(format!("data: {e}")))
    };
    let (nv, nt) = (mnist.valid.images.n, mnist.test.images.n);
    Ok(Splits {
        spec,
        train: draw(mnist.train, m.stack_size, Split::Train)?,
        valid: draw(mnist.valid, nv, Split::Valid)?,
        test: draw(mnist.test, nt, Split::Test)?,
        toy: None,
        view: Some(view),
        // The modes run past a byte's 256 labels, and training needs none.
        labels: None,
        augment: None,
        sources: None,
    })
}

/// The toy a config's data is, directly or (pairs) through the run the pairs came from.
pub fn toy_of(config: &DataConfig) -> Result<Option<Toy>, TrainError> {
    parse_named(match config {
        DataConfig::Toy(t) => Some(t.toy.clone()),
        DataConfig::Mnist(_) | DataConfig::Sequences(_) => None,
        DataConfig::Pairs(p) => crate::pairs::read_manifest(&p.dir)?.toy,
    })
}

/// The image view of a config's data, directly or (pairs) through the run the pairs came from.
pub fn view_of(config: &DataConfig) -> Result<Option<ImageView>, TrainError> {
    parse_named(match config {
        DataConfig::Toy(_) | DataConfig::Sequences(_) => None,
        DataConfig::Mnist(m) => Some(m.view.clone()),
        DataConfig::Pairs(p) => crate::pairs::read_manifest(&p.dir)?.view,
    })
}

/// A toy or view by its name, if any.
fn parse_named<T>(name: Option<String>) -> Result<Option<T>, TrainError>
where
    T: std::str::FromStr<Err = genzoo_data::DataError>,
{
    name.map(|n| {
        n.parse()
            .map_err(|e: genzoo_data::DataError| TrainError::Config(e.to_string()))
    })
    .transpose()
}

/// A flow's pairs: x₁ as the examples, x₀ beside them; the last `eval_size` held out (they
/// serve as validation and test split both: the headline numbers of a reflow are measured
/// against the original data, not these).
fn load_pairs(p: &PairsDataConfig) -> Result<Splits, TrainError> {
    let (manifest, x0, x1) = crate::pairs::read_all(&p.dir)?;
    if p.eval_size >= manifest.count {
        return Err(TrainError::Config(format!(
            "data.eval_size {} leaves no training pairs of the {} in {}",
            p.eval_size,
            manifest.count,
            p.dir.display()
        )));
    }
    let (n, cut) = (manifest.count, manifest.count - p.eval_size);
    let toy = parse_named(manifest.toy)?;
    let view = parse_named(manifest.view)?;
    let sources = SplitSources {
        train: x0.slice(0, cut),
        valid: x0.slice(cut, n),
        test: x0.slice(cut, n),
    };
    Ok(Splits {
        spec: DataSpec {
            example_shape: manifest.example_shape,
            kind: DataKind::Continuous,
        },
        train: DataSource::Array(x1.slice(0, cut)),
        valid: DataSource::Array(x1.slice(cut, n)),
        test: DataSource::Array(x1.slice(cut, n)),
        toy,
        view,
        labels: None,
        augment: None,
        sources: Some(sources),
    })
}
