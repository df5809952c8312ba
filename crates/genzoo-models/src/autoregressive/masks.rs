//! MADE's degree assignment and masks (Germain et al. 2015, §4).
//!
//! Inputs get degrees `m⁰(d) = pos(d) + 1 ∈ [1, n]`; the units of hidden layer l get
//! `m^l(k) ~ U{min_k' m^{l−1}(k'), …, n − 1}`. A hidden weight from unit j to unit k is kept when
//! `m^l(k) ≥ m^{l−1}(j)`, an output weight from unit k to output d when `m⁰(d) > m^L(k)`. Every
//! path from input j to output d then has `pos(j) < pos(d)`: the autoregressive property.
//!
//! Masks are laid out like burn's `Linear` weights, `[in, out]`, so `x · (W ⊙ M)` applies them.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::Ordering;

/// The masks of one connectivity.
#[derive(Clone, Debug)]
pub struct MadeMasks {
    /// The input ordering this connectivity implements.
    pub ordering: Ordering,
    /// One `[in, out]` mask per layer, hidden layers first, the output layer last.
    pub layers: Vec<(Vec<f32>, [usize; 2])>,
    /// The `[n, n]` mask of direct input→output weights: input j reaches output d when
    /// `pos(j) < pos(d)` (the reference code's `direct_input_connect = "Output"`).
    pub direct: Vec<f32>,
}

/// Draw degrees for `hidden` widths over `ordering` and build the masks.
///
/// # Panics
/// Never for n ≥ 2; for n = 1 no hidden unit can connect and every mask is zero.
pub fn made_masks(ordering: Ordering, hidden: &[usize], rng: &mut ChaCha8Rng) -> MadeMasks {
    let n = ordering.len();
    let input: Vec<usize> = ordering.position().iter().map(|p| p + 1).collect();
    let mut degrees = vec![input.clone()];
    for &h in hidden {
        let lo = degrees
            .last()
            .and_then(|d| d.iter().min().copied())
            .unwrap_or(1);
        let hi = n.saturating_sub(1).max(lo);
        degrees.push((0..h).map(|_| rng.random_range(lo..=hi)).collect());
    }
    let mut layers = Vec::with_capacity(hidden.len() + 1);
    for pair in degrees.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        let m = prev
            .iter()
            .flat_map(|&j| next.iter().map(move |&k| if k >= j { 1.0 } else { 0.0 }))
            .collect();
        layers.push((m, [prev.len(), next.len()]));
    }
    let last = degrees.last().cloned().unwrap_or_default();
    let out = last
        .iter()
        .flat_map(|&k| input.iter().map(move |&d| if d > k { 1.0 } else { 0.0 }))
        .collect();
    layers.push((out, [last.len(), n]));
    let direct = input
        .iter()
        .flat_map(|&j| input.iter().map(move |&d| if d > j { 1.0 } else { 0.0 }))
        .collect();
    MadeMasks {
        ordering,
        layers,
        direct,
    }
}
