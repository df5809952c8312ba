//! Behavioural tests of genzoo-data: file formats, views, toys, batching, plots.
//!
//! Tests that need real MNIST read its directory from `GENZOO_MNIST_DIR` and pass as skipped
//! (with a line on stderr) when it is unset. Everything else builds small synthetic files in a
//! temporary directory.

#![allow(clippy::unwrap_used)]

mod augment;
mod batch;
mod idx;
mod image;
mod mnist;
mod npy;
mod toy;
mod views;

use std::path::PathBuf;

use genzoo_data::Images;

/// The real MNIST directory, or `None` (after saying so) when `GENZOO_MNIST_DIR` is unset.
pub fn mnist_dir(test_name: &str) -> Option<PathBuf> {
    match std::env::var_os("GENZOO_MNIST_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!("SKIPPED {test_name}: GENZOO_MNIST_DIR not set");
            None
        }
    }
}

/// `n` images of `rows × cols` whose pixels are a fixed function of (image, row, col) that
/// covers every value 0..=255.
pub fn synthetic_images(n: usize, rows: usize, cols: usize) -> Images {
    let pixels = (0..n * rows * cols)
        .map(|k| ((k * 37 + (k / (rows * cols)) * 11) % 256) as u8)
        .collect();
    Images::new(n, rows, cols, pixels).unwrap()
}
