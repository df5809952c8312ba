//! Image views: how 8-bit pixels `p ∈ {0, …, 255}` become model inputs.
//!
//! | view             | value                              | used by                            |
//! |------------------|------------------------------------|------------------------------------|
//! | `unit`           | `p / 255 ∈ [0, 1]`                 | VAEs with Bernoulli-ish decoders   |
//! | `symmetric`      | `p / 127.5 − 1 ∈ [−1, 1]`          | GANs, diffusion (Ho et al. 2020)   |
//! | `dequantised`    | `(p + u) / 256`, `u ~ U[0, 1)`     | flows (Theis et al. 2016; Dinh et al. 2017) |
//! | `binary-fixed`   | `b ~ Bernoulli(p / 255)`, once     | binarised MNIST (Salakhutdinov & Murray 2008) |
//! | `binary-dynamic` | `b ~ Bernoulli(p / 255)`, per epoch| MADE, IWAE (Germain et al. 2015; Burda et al. 2016) |
//!
//! Output shape `[n, 1, rows, cols]`. Random views are a pure function of
//! `(split salt, seed, epoch, example index, pixel index)`: example `i` gets its own generator
//! `rng_for(…, i)` and draws one `u32` per pixel in row-major order. So a batch view built with
//! [`to_array_rows`] equals the same rows of the whole-split view, and a resumed run redraws
//! exactly the values it would have drawn.
//!
//! Draws are compared in integers so that they are identical on every machine:
//! `b = 1 ⇔ r·255 < p·2³²` for `r ~ U{0..2³²}` (i.e. `r/2³² < p/255`), and dequantisation uses
//! the top 16 bits of `r`: `x = (p·2¹⁶ + ⌊r/2¹⁶⌋) / 2²⁴`, exact in `f32`, so `p/256 ≤ x < (p+1)/256`.
//!
//! Fixed binarisation here is a seeded draw in the manner of Salakhutdinov & Murray (2008); it is
//! not the particular file of Larochelle & Murray (2011), whose bits we do not ship.

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

use crate::array::Array;
use crate::error::{DataError, Result};
use crate::idx::Images;
use crate::mnist::Split;
use crate::rng::{mix, rng_for};

/// Seed of the fixed binarisation. Changing it changes the benchmark data set (every
/// binarised-MNIST NLL in BENCHMARKS.md), which the pinned fingerprint tests would catch.
pub const FIXED_BINARISATION_SEED: u64 = u64::from_be_bytes(*b"fixedbin");

/// Stream id of the fixed binarisation draws.
pub const STREAM_FIXED_BINARISATION: u64 = u64::from_be_bytes(*b"binfixed");
/// Stream id of the per-epoch binarisation draws.
pub const STREAM_DYNAMIC_BINARISATION: u64 = u64::from_be_bytes(*b"bindynam");
/// Stream id of the per-epoch dequantisation noise.
pub const STREAM_DEQUANTISATION: u64 = u64::from_be_bytes(*b"dequant\0");

/// Largest pixel value, the denominator of the unit view and of the Bernoulli mean.
const PIXEL_MAX: f32 = 255.0;
/// Half of [`PIXEL_MAX`]: the symmetric view maps `[0, 255]` onto `[−1, 1]`.
const PIXEL_HALF: f32 = 127.5;
/// Bits of the pixel value plus bits of dequantisation noise: 8 + 16 = 24, the `f32` mantissa,
/// so `p·2¹⁶ + noise` is an exact `f32` integer.
const DEQUANT_NOISE_BITS: u32 = 16;
/// `2²⁴`, the dequantisation denominator `256 · 2¹⁶`.
const DEQUANT_SCALE: f32 = 16_777_216.0;

/// How pixels become values; see the module documentation for the formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageView {
    /// `p / 255`.
    Unit,
    /// `p / 127.5 − 1`.
    Symmetric,
    /// `(p + u) / 256`, `u ~ U[0, 1)` redrawn every epoch.
    Dequantised,
    /// `Bernoulli(p / 255)` drawn once per split, identical on every machine and run.
    BinaryFixed,
    /// `Bernoulli(p / 255)` redrawn every epoch.
    BinaryDynamic,
}

impl ImageView {
    /// Every view, in declaration order.
    pub const ALL: [ImageView; 5] = [
        ImageView::Unit,
        ImageView::Symmetric,
        ImageView::Dequantised,
        ImageView::BinaryFixed,
        ImageView::BinaryDynamic,
    ];

    /// The name used on the command line and in configs.
    pub fn name(self) -> &'static str {
        match self {
            ImageView::Unit => "unit",
            ImageView::Symmetric => "symmetric",
            ImageView::Dequantised => "dequantised",
            ImageView::BinaryFixed => "binary-fixed",
            ImageView::BinaryDynamic => "binary-dynamic",
        }
    }

    /// Whether values are 0 or 1 (Bernoulli likelihoods apply).
    pub fn is_binary(self) -> bool {
        matches!(self, ImageView::BinaryFixed | ImageView::BinaryDynamic)
    }

    /// Whether the values change from epoch to epoch.
    pub fn is_per_epoch(self) -> bool {
        matches!(self, ImageView::Dequantised | ImageView::BinaryDynamic)
    }

    /// The value of a black (0) pixel without noise: what a translated image's uncovered border
    /// is filled with ([`crate::augment`]).
    pub fn background(self) -> f32 {
        match self {
            ImageView::Symmetric => -1.0,
            _ => 0.0,
        }
    }
}

impl fmt::Display for ImageView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImageView {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self> {
        ImageView::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| DataError::UnknownName {
                what: "image view",
                name: s.to_string(),
                valid: ImageView::ALL.map(ImageView::name).join(", "),
            })
    }
}

/// What the random views depend on.
///
/// `BinaryFixed` uses only `split_salt` (with [`FIXED_BINARISATION_SEED`]); `BinaryDynamic` and
/// `Dequantised` use all three fields; `Unit` and `Symmetric` use none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewRng {
    /// Distinguishes splits so they never share noise; [`Split::salt`] for MNIST.
    pub split_salt: u64,
    /// The run's seed.
    pub seed: u64,
    /// The epoch being drawn for.
    pub epoch: u64,
}

impl ViewRng {
    /// The draws of `split` in epoch `epoch` of a run seeded with `seed`.
    pub fn new(split: Split, seed: u64, epoch: u64) -> Self {
        Self {
            split_salt: split.salt(),
            seed,
            epoch,
        }
    }

    /// The generator of example `index` for a random view (`Unit` and `Symmetric` never ask).
    fn example_rng(self, view: ImageView, index: usize) -> ChaCha8Rng {
        let per_epoch = mix(mix(self.seed, self.split_salt), self.epoch);
        let (key, stream) = match view {
            ImageView::BinaryFixed => (
                mix(FIXED_BINARISATION_SEED, self.split_salt),
                STREAM_FIXED_BINARISATION,
            ),
            ImageView::BinaryDynamic => (per_epoch, STREAM_DYNAMIC_BINARISATION),
            ImageView::Unit | ImageView::Symmetric | ImageView::Dequantised => {
                (per_epoch, STREAM_DEQUANTISATION)
            }
        };
        rng_for(key, stream, index as u64)
    }
}

/// `1` with probability `p / 255` given a uniform `r`, compared exactly in integers.
fn bernoulli_bit(r: u32, p: u8) -> f32 {
    // r/2³² < p/255  ⇔  r·255 < p·2³²; both sides fit in u64 (max ≈ 2⁴⁰).
    if u64::from(r) * u64::from(u8::MAX) < u64::from(p) << 32 {
        1.0
    } else {
        0.0
    }
}

/// `(p + u) / 256` with `u` the top 16 bits of `r` over 2¹⁶, exact in `f32`.
fn dequantise(r: u32, p: u8) -> f32 {
    let fixed_point = (u32::from(p) << DEQUANT_NOISE_BITS) | (r >> (32 - DEQUANT_NOISE_BITS));
    fixed_point as f32 / DEQUANT_SCALE
}

/// Writes the view of image `index` into `out` (same length as `pixels`).
fn view_image(pixels: &[u8], view: ImageView, rng: ViewRng, index: usize, out: &mut [f32]) {
    let pairs = out.iter_mut().zip(pixels);
    match view {
        ImageView::Unit => pairs.for_each(|(o, &p)| *o = f32::from(p) / PIXEL_MAX),
        ImageView::Symmetric => pairs.for_each(|(o, &p)| *o = f32::from(p) / PIXEL_HALF - 1.0),
        ImageView::Dequantised => {
            let mut rng = rng.example_rng(view, index);
            pairs.for_each(|(o, &p)| *o = dequantise(rng.next_u32(), p));
        }
        ImageView::BinaryFixed | ImageView::BinaryDynamic => {
            let mut rng = rng.example_rng(view, index);
            pairs.for_each(|(o, &p)| *o = bernoulli_bit(rng.next_u32(), p));
        }
    }
}

/// The view of images `indices` (in that order), shape `[indices.len(), 1, rows, cols]`.
///
/// Row `k` equals row `indices[k]` of [`to_array`]: the noise follows the example, not its
/// position in the batch.
///
/// # Panics
/// If an index is `>= images.n`.
pub fn to_array_rows(images: &Images, indices: &[usize], view: ImageView, rng: ViewRng) -> Array {
    let size = images.image_size();
    let mut values = vec![0.0f32; indices.len() * size];
    for (out, &i) in values.chunks_exact_mut(size.max(1)).zip(indices) {
        view_image(images.image(i), view, rng, i, out);
    }
    Array {
        shape: vec![indices.len(), 1, images.rows, images.cols],
        values,
    }
}

/// The view of every image, shape `[n, 1, rows, cols]`.
pub fn to_array(images: &Images, view: ImageView, rng: ViewRng) -> Array {
    let all: Vec<usize> = (0..images.n).collect();
    to_array_rows(images, &all, view, rng)
}

/// FNV-1a offset basis (Fowler, Noll & Vo; 64-bit parameters).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a prime (64-bit).
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A 64-bit FNV-1a hash of a binary array: the shape (each axis as 8 little-endian bytes), then
/// one byte per value, `1` if the value is `≥ 0.5` else `0`. Pins a binarisation in a test.
pub fn binarisation_fingerprint(a: &Array) -> u64 {
    let step = |h: u64, byte: u8| (h ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    let mut h = FNV_OFFSET;
    for &d in &a.shape {
        for byte in (d as u64).to_le_bytes() {
            h = step(h, byte);
        }
    }
    for &v in &a.values {
        h = step(h, u8::from(v >= 0.5));
    }
    h
}
