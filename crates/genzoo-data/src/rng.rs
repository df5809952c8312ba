//! Counter-based randomness: every random draw in genzoo is a pure function of
//! `(seed, stream, counter)`.
//!
//! `rng_for(seed, stream, counter)` is a ChaCha8 generator (Bernstein 2008; `rand_chacha`, whose
//! output is specified and portable across platforms) with
//! ```text
//! key   = [sm(seed), sm(sm(seed)), sm(stream ^ K), sm(sm(stream ^ K))]   (4 × u64, little-endian)
//! nonce = counter                                                        (ChaCha stream id)
//! ```
//! where `sm` is [`splitmix64`] (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
//! generators") and `K` a fixed domain constant. `sm` is a bijection on `u64`, so distinct
//! `(seed, stream)` pairs give distinct keys, and distinct counters give distinct ChaCha streams.
//! A run's randomness at step `t` is `rng_for(seed, STREAM_X, t)`: resuming needs only `t`.
//!
//! Stream ids are 8-byte ASCII tags (`u64::from_be_bytes(*b"shuffle\0")`) so that the crates of
//! the workspace can pick their own without a central registry and without colliding.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The golden-ratio increment of SplitMix64, `⌊2⁶⁴/φ⌋` rounded to odd.
const SPLITMIX_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
/// First multiplier of the SplitMix64 finaliser (Stafford's "Mix13" variant).
const SPLITMIX_MUL1: u64 = 0xBF58_476D_1CE4_E5B9;
/// Second multiplier of the SplitMix64 finaliser.
const SPLITMIX_MUL2: u64 = 0x94D0_49BB_1331_11EB;
/// Separates the stream half of the key from the seed half, so `rng_for(a, b, _)` and
/// `rng_for(b, a, _)` never share a key.
const STREAM_DOMAIN: u64 = u64::from_be_bytes(*b"genzoo\0s");

/// One step of SplitMix64: the output of a SplitMix64 generator whose state is `x`.
///
/// ```text
/// z = x + 0x9E3779B97F4A7C15
/// z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// return z ^ (z >> 31)
/// ```
/// A bijection on `u64` with good avalanche, used to turn structured seeds (0, 1, 2, …) into
/// well-mixed keys.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(SPLITMIX_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(SPLITMIX_MUL1);
    z = (z ^ (z >> 27)).wrapping_mul(SPLITMIX_MUL2);
    z ^ (z >> 31)
}

/// Mixes two words into one, for deriving sub-seeds such as `(seed, epoch)`.
pub fn mix(a: u64, b: u64) -> u64 {
    splitmix64(splitmix64(a) ^ b)
}

/// The generator for draw number `counter` of purpose `stream` in a run seeded with `seed`.
pub fn rng_for(seed: u64, stream: u64, counter: u64) -> ChaCha8Rng {
    let s0 = splitmix64(seed);
    let t0 = splitmix64(stream ^ STREAM_DOMAIN);
    let words = [s0, splitmix64(s0), t0, splitmix64(t0)];
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(counter);
    rng
}

/// A uniform integer in `0..bound`, without modulo bias (Lemire 2019, "Fast random integer
/// generation in an interval", Algorithm 5). Written out here instead of using
/// `Rng::random_range` so that shuffles never change with a `rand` upgrade.
///
/// # Panics
/// If `bound == 0`.
pub fn uniform_below(rng: &mut impl RngCore, bound: u64) -> u64 {
    assert!(bound > 0, "uniform_below needs a positive bound");
    let mut m = u128::from(rng.next_u64()) * u128::from(bound);
    if (m as u64) < bound {
        // Reject the low products that would over-represent some outputs.
        let threshold = bound.wrapping_neg() % bound;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(bound);
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_reference_outputs() {
        // First outputs of the reference SplitMix64 generator seeded with 0
        // (Vigna, https://prng.di.unimi.it/splitmix64.c): state advances by the gamma each step.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(SPLITMIX_GAMMA), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn rng_for_separates_seed_stream_and_counter() {
        let first = |s, t, c| rng_for(s, t, c).next_u64();
        let base = first(1, 2, 3);
        assert_eq!(base, first(1, 2, 3));
        assert_ne!(base, first(2, 2, 3));
        assert_ne!(base, first(1, 3, 3));
        assert_ne!(base, first(1, 2, 4));
        assert_ne!(first(1, 2, 3), first(2, 1, 3));
    }

    #[test]
    fn uniform_below_is_in_range_and_roughly_uniform() {
        const BOUND: u64 = 7;
        const DRAWS: usize = 70_000;
        let mut rng = rng_for(0, 0, 0);
        let mut counts = [0usize; BOUND as usize];
        for _ in 0..DRAWS {
            counts[uniform_below(&mut rng, BOUND) as usize] += 1;
        }
        let expected = DRAWS as f64 / BOUND as f64;
        // Binomial standard deviation sqrt(n p (1-p)); allow 5 of them.
        let tol = 5.0 * (expected * (1.0 - 1.0 / BOUND as f64)).sqrt();
        for c in counts {
            assert!((c as f64 - expected).abs() < tol, "{counts:?}");
        }
    }
}
