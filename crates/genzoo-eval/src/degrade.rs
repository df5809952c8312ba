//! Controlled degradations of images in `[0, 1]`: the scale against which FID and KID are read
//! (how far is a model from the test set, compared with the test set plus noise of σ = 0.1?).
//!
//! ```text
//! noise:  x' = clamp(x + σ ε, 0, 1),   ε ~ N(0, I) from rng_for(seed, STREAM_NOISE, i) for image i
//! blur:   x' = g_σ * x,                g_σ(t) ∝ exp(−t² / 2σ²) on |t| ≤ ⌈3σ⌉, separable,
//!                                      edges replicated
//! ```
//! Image `i`'s noise depends only on `(seed, i)`, so the first 1000 images of a noised set equal
//! the noised first 1000 images.

use genzoo_data::{Array, rng_for};
use rand_distr::{Distribution, StandardNormal};

use crate::EvalError;

/// RNG stream of the noise draws.
pub const STREAM_NOISE: u64 = u64::from_be_bytes(*b"qualnois");
/// The blur kernel reaches this many standard deviations.
const BLUR_RADIUS_SIGMAS: f64 = 3.0;

/// `clamp(x + σε, 0, 1)` for every value of `images` (`[n, …]`).
pub fn gaussian_noise(images: &Array, sigma: f32, seed: u64) -> Array {
    let mut out = images.clone();
    let size = images.example_size().max(1);
    for (i, row) in out.values.chunks_exact_mut(size).enumerate() {
        let mut rng = rng_for(seed, STREAM_NOISE, i as u64);
        for v in row {
            let e: f32 = StandardNormal.sample(&mut rng);
            *v = (*v + sigma * e).clamp(0.0, 1.0);
        }
    }
    out
}

/// The normalised 1-D Gaussian kernel of standard deviation `sigma > 0`.
fn kernel(sigma: f64) -> Vec<f64> {
    let radius = (BLUR_RADIUS_SIGMAS * sigma).ceil() as i64;
    let w: Vec<f64> = (-radius..=radius)
        .map(|t| (-(t * t) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|v| v / total).collect()
}

/// One pass of the kernel along rows (`horizontal`) or columns of an `h × w` plane.
fn convolve(plane: &[f32], h: usize, w: usize, k: &[f64], horizontal: bool) -> Vec<f32> {
    let radius = (k.len() / 2) as i64;
    let mut out = vec![0.0f32; plane.len()];
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0f64;
            for (j, kv) in k.iter().enumerate() {
                let t = j as i64 - radius;
                let (yy, xx) = if horizontal {
                    (y as i64, (x as i64 + t).clamp(0, w as i64 - 1))
                } else {
                    ((y as i64 + t).clamp(0, h as i64 - 1), x as i64)
                };
                acc += kv * f64::from(plane[yy as usize * w + xx as usize]);
            }
            out[y * w + x] = acc as f32;
        }
    }
    out
}

/// Gaussian blur of every channel of images `[n, c, h, w]`; `sigma = 0` returns them unchanged.
pub fn gaussian_blur(images: &Array, sigma: f64) -> Result<Array, EvalError> {
    let &[_, _, h, w] = images.shape.as_slice() else {
        return Err(EvalError::Shape(format!(
            "blur needs images [n, c, h, w], got {:?}",
            images.shape
        )));
    };
    if !(sigma >= 0.0 && sigma.is_finite()) {
        return Err(EvalError::InvalidOption(format!(
            "blur sigma must be finite and >= 0, got {sigma}"
        )));
    }
    if sigma == 0.0 || h * w == 0 {
        return Ok(images.clone());
    }
    let k = kernel(sigma);
    let mut out = images.clone();
    for plane in out.values.chunks_exact_mut(h * w) {
        let rows = convolve(plane, h, w, &k, true);
        plane.copy_from_slice(&convolve(&rows, h, w, &k, false));
    }
    Ok(out)
}
