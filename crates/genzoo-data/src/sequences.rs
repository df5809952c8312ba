//! Labelled 1-D sequences made in code: CPC's audio-like setting (van den Oord et al. 2018
//! predict raw speech and probe the speaker). Here the "speaker" is a class k that sets a
//! fundamental frequency; everything else about a sequence is drawn fresh, so only the class is
//! shared across sequences and predictable along one:
//! ```text
//! f_k = f_lo · (f_hi / f_lo)^(k / (K − 1))                   cycles per sample, K classes
//! f   = f_k · (1 + 0.01 ε)                                    a 1% jitter
//! x_t = A · Σ_{m=1..3} a_m sin(2π m f t + φ_m) + σ ε_t,     t = 0..L−1
//! ```
//! with the class k uniform, harmonic weights a ~ U[0, 1)³ normalised to unit length (timbre),
//! A ~ U[0.5, 1.5) (loudness), phases φ_m ~ U[0, 2π) and white noise σ ε_t. With f_lo = 4/L and
//! f_hi = 16/L a sequence holds 4 to 16 periods of its fundamental, adjacent classes sit
//! (f_hi/f_lo)^(1/(K−1)) apart (16.6% for K = 10, far above the jitter), and the third harmonic
//! stays below 3·16/L ≤ 0.19 cycles per sample, under Nyquist.
//!
//! # Shapes
//! `n` sequences: values `[n, L]` (one channel), labels `[n]`.

use std::f64::consts::PI;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::array::Array;
use crate::error::{DataError, Result};

/// The generator's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sinusoids {
    /// K classes (fundamental frequencies).
    pub classes: usize,
    /// L samples per sequence.
    pub length: usize,
    /// σ of the white noise.
    pub noise: f64,
}

impl Sinusoids {
    /// Refuse settings that cannot make sequences.
    pub fn validate(&self) -> Result<()> {
        if !(2..=256).contains(&self.classes) {
            return Err(DataError::InvalidArgument(format!(
                "sequences: classes must be in 2..=256, got {}",
                self.classes
            )));
        }
        if self.length < 16 {
            return Err(DataError::InvalidArgument(format!(
                "sequences: length must be >= 16, got {}",
                self.length
            )));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(DataError::InvalidArgument(format!(
                "sequences: noise must be finite and >= 0, got {}",
                self.noise
            )));
        }
        Ok(())
    }

    /// Class k's fundamental in cycles per sample.
    pub fn frequency(&self, k: usize) -> f64 {
        let (lo, hi) = (4.0 / self.length as f64, 16.0 / self.length as f64);
        lo * (hi / lo).powf(k as f64 / (self.classes - 1) as f64)
    }

    /// `n` sequences and their classes.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Result<(Array, Vec<u8>)> {
        self.validate()?;
        let l = self.length;
        let mut values = Vec::with_capacity(n * l);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let k = rng.random_range(0..self.classes);
            let jitter: f64 = rng.sample(StandardNormal);
            let f = self.frequency(k) * (1.0 + 0.01 * jitter);
            let mut a: [f64; 3] = [rng.random(), rng.random(), rng.random()];
            let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
            a.iter_mut().for_each(|v| *v /= norm);
            let loud = rng.random_range(0.5..1.5);
            let phase: [f64; 3] = [
                rng.random_range(0.0..2.0 * PI),
                rng.random_range(0.0..2.0 * PI),
                rng.random_range(0.0..2.0 * PI),
            ];
            for t in 0..l {
                let tone: f64 = (0..3)
                    .map(|m| a[m] * (2.0 * PI * (m + 1) as f64 * f * t as f64 + phase[m]).sin())
                    .sum();
                let e: f64 = rng.sample(StandardNormal);
                values.push((loud * tone + self.noise * e) as f32);
            }
            labels.push(k as u8);
        }
        Ok((Array::new(vec![n, l], values)?, labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng_for;

    /// Every DFT bin of a noiseless sequence with real power sits at one of its class's three
    /// harmonics m·f_k (within the jitter and the bin width): the class is in the signal.
    #[test]
    fn a_noiseless_sequence_has_power_only_at_its_class_harmonics() {
        let s = Sinusoids {
            classes: 10,
            length: 256,
            noise: 0.0,
        };
        let (x, y) = s.sample(40, &mut rng_for(0, 1, 0)).expect("valid");
        for (row, &k) in x.values.chunks(256).zip(&y) {
            let power = |bin: usize| {
                let (mut re, mut im) = (0.0, 0.0);
                for (t, &v) in row.iter().enumerate() {
                    let w = 2.0 * PI * bin as f64 * t as f64 / 256.0;
                    re += f64::from(v) * w.cos();
                    im += f64::from(v) * w.sin();
                }
                re * re + im * im
            };
            let spectrum: Vec<f64> = (1..128).map(power).collect();
            let top = spectrum.iter().cloned().fold(0.0, f64::max);
            let f = s.frequency(k as usize) * 256.0;
            for (i, &p) in spectrum.iter().enumerate() {
                let bin = (i + 1) as f64;
                if p > 0.05 * top {
                    let near =
                        (1..=3).any(|m| (bin - m as f64 * f).abs() <= 1.5 + 0.04 * m as f64 * f);
                    assert!(near, "class {k} (f = {f:.2} cycles): power at bin {bin}");
                }
            }
        }
    }

    #[test]
    fn classes_are_balanced_and_bad_settings_are_refused() {
        let s = Sinusoids {
            classes: 4,
            length: 32,
            noise: 0.1,
        };
        let (_, y) = s.sample(4000, &mut rng_for(0, 2, 0)).expect("valid");
        for k in 0..4u8 {
            let n = y.iter().filter(|&&v| v == k).count();
            assert!((900..1100).contains(&n), "class {k}: {n} of 4000");
        }
        for bad in [
            Sinusoids { classes: 1, ..s },
            Sinusoids { length: 8, ..s },
            Sinusoids {
                noise: f64::NAN,
                ..s
            },
        ] {
            assert!(bad.sample(1, &mut rng_for(0, 2, 0)).is_err(), "{bad:?}");
        }
    }
}
