//! MADE's degree assignment and masks (Germain et al. 2015, §4).
//!
//! Inputs get degrees `m⁰(d) = pos(d) + 1 ∈ [1, n]`; the units of hidden layer l get
//! `m^l(k) ~ U{min_k' m^{l−1}(k'), …, n − 1}`. A hidden weight from unit j to unit k is kept when
//! `m^l(k) ≥ m^{l−1}(j)`, an output weight from unit k to output d when `m⁰(d) > m^L(k)`. Every
//! path from input j to output d then has `pos(j) < pos(d)`: the autoregressive property.
//!
//! Masks are laid out like burn's `Linear` weights, `[in, out]`, so `x · (W ⊙ M)` applies them.

use burn::prelude::*;
use burn::tensor::TensorData;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::Ordering;

/// The masks of one connectivity, as tensors on the model's device. They are built once per
/// connectivity and reused by every pass that needs them (a training step, or the n passes of
/// sequential sampling), so no pass copies them from host memory.
#[derive(Clone, Debug)]
pub struct MadeMasks {
    /// The input ordering this connectivity implements.
    pub ordering: Ordering,
    /// One `[in, out]` 0/1 mask per layer, hidden layers first, the output layer last.
    pub layers: Vec<Tensor<2>>,
    /// The `[n, n]` mask of direct input→output weights: input j reaches output d when
    /// `pos(j) < pos(d)` (the reference code's `direct_input_connect = "Output"`).
    pub direct: Tensor<2>,
}

/// Draw degrees for `hidden` widths over `ordering` and build the masks on `device`.
///
/// # Panics
/// Never for n ≥ 2; for n = 1 no hidden unit can connect and every mask is zero.
pub fn made_masks(
    ordering: Ordering,
    hidden: &[usize],
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> MadeMasks {
    let input: Vec<usize> = ordering.position().iter().map(|p| p + 1).collect();
    let n = input.len();
    let mut degrees = vec![input.clone()];
    for &h in hidden {
        let lo = degrees
            .last()
            .and_then(|d| d.iter().min().copied())
            .unwrap_or(1);
        let hi = n.saturating_sub(1).max(lo);
        degrees.push((0..h).map(|_| rng.random_range(lo..=hi)).collect());
    }
    let mut layers: Vec<Tensor<2>> = degrees
        .windows(2)
        .map(|pair| mask(&pair[0], &pair[1], |j, k| k >= j, device))
        .collect();
    let last = degrees.last().map_or(&input, |d| d);
    layers.push(mask(last, &input, |k, d| d > k, device));
    let direct = mask(&input, &input, |j, d| d > j, device);
    MadeMasks {
        ordering,
        layers,
        direct,
    }
}

/// The `[rows, cols]` 0/1 matrix with 1 where `keep(rows[r], cols[c])`, filled row by row in
/// parallel (the 8000-unit MADE's masks hold 6.3M values each).
fn mask(
    rows: &[usize],
    cols: &[usize],
    keep: impl Fn(usize, usize) -> bool + Sync,
    device: &Device,
) -> Tensor<2> {
    let mut m = vec![0.0f32; rows.len() * cols.len()];
    if !cols.is_empty() {
        m.par_chunks_mut(cols.len())
            .zip(rows.par_iter())
            .for_each(|(row, &r)| {
                for (v, &c) in row.iter_mut().zip(cols) {
                    *v = if keep(r, c) { 1.0 } else { 0.0 };
                }
            });
    }
    Tensor::from_data(TensorData::new(m, [rows.len(), cols.len()]), device) // [rows, cols]
}
