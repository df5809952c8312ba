//! Random translations of training images (data augmentation for classifiers).
//!
//! Each training image of a batch is shifted by an integer offset `(dy, dx)`, each uniform on
//! `{−s, …, s}`, with the uncovered border filled with the view's background value:
//! ```text
//! out[r, c] = img[r − dy, c − dx]   if 0 ≤ r − dy < rows and 0 ≤ c − dx < cols,   else fill
//! ```
//! The offsets of example `i` in epoch `e` come from `rng_for(seed, STREAM_AUGMENT, e·2³² + i)`
//! through integer draws only, so they are the same on every machine and a resumed run sees
//! exactly the batches an uninterrupted one would. Shifts of up to 2 pixels are the classic
//! MNIST augmentation (Simard et al. 2003 used elastic distortions; small translations give most
//! of the gain for convolutional nets).
//!
//! # Shapes
//! An [`Array`] `[B, 1, rows, cols]` (or any `[B, …, rows, cols]`: every channel moves together).

use crate::array::Array;
use crate::rng::{rng_for, uniform_below};

/// RNG stream of the augmentation offsets.
pub const STREAM_AUGMENT: u64 = u64::from_be_bytes(*b"augment\0");

/// `image` (`[rows, cols]`, row-major) shifted by `(dy, dx)` into `out`, the rest `fill`.
pub fn translate(
    image: &[f32],
    rows: usize,
    cols: usize,
    dy: isize,
    dx: isize,
    fill: f32,
    out: &mut [f32],
) {
    for r in 0..rows {
        let src_r = r as isize - dy;
        let dst = &mut out[r * cols..(r + 1) * cols];
        if src_r < 0 || src_r >= rows as isize {
            dst.iter_mut().for_each(|v| *v = fill);
            continue;
        }
        let src = &image[src_r as usize * cols..(src_r as usize + 1) * cols];
        for (c, v) in dst.iter_mut().enumerate() {
            let src_c = c as isize - dx;
            *v = if src_c < 0 || src_c >= cols as isize {
                fill
            } else {
                src[src_c as usize]
            };
        }
    }
}

/// The offsets `(dy, dx)` of example `index` in `epoch` for a maximum shift `max_shift`.
pub fn offsets(seed: u64, epoch: u64, index: usize, max_shift: usize) -> (isize, isize) {
    let mut rng = rng_for(seed, STREAM_AUGMENT, (epoch << 32) | index as u64);
    let span = 2 * max_shift as u64 + 1;
    let mut draw = || uniform_below(&mut rng, span) as isize - max_shift as isize;
    let dy = draw();
    (dy, draw())
}

/// Shift every example of `batch` (rows `indices` of the training set, drawn in `epoch`) by
/// its own random offset of at most `max_shift` pixels per axis. `max_shift = 0` leaves the
/// batch unchanged.
pub fn random_shifts(
    batch: &mut Array,
    indices: &[usize],
    epoch: u64,
    seed: u64,
    max_shift: usize,
    fill: f32,
) {
    let rank = batch.shape.len();
    if max_shift == 0 || rank < 3 {
        return;
    }
    let (rows, cols) = (batch.shape[rank - 2], batch.shape[rank - 1]);
    let plane = rows * cols;
    let per_example = batch.shape[1..].iter().product::<usize>();
    let mut shifted = vec![0.0f32; plane];
    for (example, &index) in batch
        .values
        .chunks_exact_mut(per_example.max(1))
        .zip(indices)
    {
        let (dy, dx) = offsets(seed, epoch, index, max_shift);
        for channel in example.chunks_exact_mut(plane.max(1)) {
            translate(channel, rows, cols, dy, dx, fill, &mut shifted);
            channel.copy_from_slice(&shifted);
        }
    }
}
