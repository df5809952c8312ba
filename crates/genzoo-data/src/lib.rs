//! Data for genzoo: everything between files on disk and the `f32` arrays models consume, with
//! no dependency on burn.
//!
//! - [`idx`], [`mnist`]: MNIST's IDX files (raw or gzipped), validated strictly, split into
//!   train (first 50 000 of the official training set) / valid (last 10 000) / test.
//! - [`views`]: how pixels become inputs — `[0, 1]`, `[−1, 1]`, dequantised, fixed or dynamic
//!   binarisation — with draws that are pure functions of `(split, seed, epoch, example)`.
//! - [`augment`]: random translations of training images, drawn from `(seed, epoch, example)`.
//! - [`sequences`]: labelled 1-D sequences (sums of sinusoids whose frequency is the class),
//!   CPC's audio-like setting.
//! - [`stacked`]: Stacked MNIST, K digits as the K channels of one image (10^K modes).
//! - [`toy`]: FFJORD's 2D toy distributions, with exact densities and entropies where they exist.
//! - [`array`](mod@array): [`Array`], the one in-memory format (row-major `f32`, example axis first).
//! - [`rng`], [`batch`]: counter-based randomness and deterministic shuffling, so a run resumes
//!   from `(seed, step)` alone.
//! - [`image`], [`plot`], [`colormap`]: PNG grids, 2D histograms, heat maps and curves;
//!   [`image_folder`]: PNGs (a file or a folder of them) read back as grey intensities.
//! - [`npy`]: NumPy `.npy` exchange; [`fsutil`]: atomic writes, used for every file written.
//!
//! Invariant: every random value this crate produces is reproducible bit for bit on any machine
//! from the documented seeds (ChaCha8 with integer comparisons, no platform floating point in
//! the draws), except [`Toy::sample`] and [`sequences::Sinusoids::sample`], which use the caller's generator.

pub mod array;
pub mod augment;
pub mod batch;
pub mod colormap;
pub mod error;
pub mod fsutil;
pub mod idx;
pub mod image;
pub mod image_folder;
pub mod mixture;
pub mod mnist;
pub mod npy;
pub mod plot;
pub mod rng;
pub mod sequences;
pub mod stacked;
pub mod toy;
mod toy_oracle;
pub mod views;

pub use array::Array;
pub use batch::{BatchCursor, Batcher, STREAM_SHUFFLE, epoch_permutation, next_batch_indices};
pub use error::{DataError, Result};
pub use fsutil::write_atomic;
pub use idx::{Images, read_idx_images, read_idx_labels, write_idx_images, write_idx_labels};
pub use image::{PixelFormat, save_grid, write_png};
pub use image_folder::{read_png_folder, read_png_grey};
pub use mnist::{
    LabelledImages, MNIST_TEST, MNIST_TRAIN, MNIST_VALID, Mnist, Split, load_mnist,
    load_mnist_split,
};
pub use npy::{NpyWriter, read_npy, write_npy};
pub use plot::{density_grid, save_heatmap, save_labelled_points, save_paths, save_scatter};
pub use rng::{rng_for, splitmix64};
pub use toy::Toy;
pub use views::{
    FIXED_BINARISATION_SEED, ImageView, ViewRng, binarisation_fingerprint, to_array, to_array_rows,
};
