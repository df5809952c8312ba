//! The energy distance between two samples (Székely & Rizzo 2013, "Energy statistics"):
//!
//! `D²(P, Q) = 2 E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖`, X, X' ~ P and Y, Y' ~ Q independent;
//! zero exactly when P = Q, and a metric's square otherwise. Estimated with the unbiased
//! within-sample means (pairs i ≠ j), so two samples of one law score about 0 (either sign).
//! O(n·m·d) in f64; a few thousand 2-D points take milliseconds. Used for the flows' samples
//! on 2-D toys, where no likelihood is defined (a rectified flow's).
//!
//! # Shapes
//! `x: n × d` and `y: m × d` values, row-major.

use crate::EvalError;

/// Mean Euclidean distance over pairs (i, j) of rows of `a` and `b`; with `same`, over i ≠ j
/// of one sample.
fn mean_distance(a: &[f32], b: &[f32], d: usize, same: bool) -> f64 {
    let (n, m) = (a.len() / d, b.len() / d);
    let mut sum = 0.0f64;
    for (i, u) in a.chunks(d).enumerate() {
        for (j, v) in b.chunks(d).enumerate() {
            if same && i == j {
                continue;
            }
            let sq: f64 = u
                .iter()
                .zip(v)
                .map(|(p, q)| (f64::from(*p) - f64::from(*q)).powi(2))
                .sum();
            sum += sq.sqrt();
        }
    }
    let pairs = if same { n * (n - 1) } else { n * m };
    sum / pairs as f64
}

/// D̂²(x, y): the energy distance's square between samples `x` and `y` of `d`-vectors.
pub fn energy_distance(x: &[f32], y: &[f32], d: usize) -> Result<f64, EvalError> {
    if d == 0 || !x.len().is_multiple_of(d) || !y.len().is_multiple_of(d) {
        return Err(EvalError::InvalidOption(format!(
            "energy distance: {} and {} values are not whole {d}-vectors",
            x.len(),
            y.len()
        )));
    }
    if x.len() / d < 2 || y.len() / d < 2 {
        return Err(EvalError::InvalidOption(
            "energy distance needs at least 2 points in each sample".into(),
        ));
    }
    for (set, values) in [("first sample", x), ("second sample", y)] {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(EvalError::NonFiniteInput {
                set: set.into(),
                example: i / d,
            });
        }
    }
    Ok(2.0 * mean_distance(x, y, d, false)
        - mean_distance(x, x, d, true)
        - mean_distance(y, y, d, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() -> Result<(), EvalError> {
        // x = {0, 1}, y = {3, 5}: cross distances 3, 5, 2, 4 (mean 3.5); within x 1, within y 2.
        let e = energy_distance(&[0.0, 1.0], &[3.0, 5.0], 1)?;
        assert!((e - (7.0 - 1.0 - 2.0)).abs() < 1e-12, "{e}");
        // 2-D: x = {(0,0), (3,4)}, y = {(0,0), (0,1)}: cross 0, 1, 5, √18; within 5 and 1.
        let e = energy_distance(&[0.0, 0.0, 3.0, 4.0], &[0.0, 0.0, 0.0, 1.0], 2)?;
        let want = 2.0 * (0.0 + 1.0 + 5.0 + 18f64.sqrt()) / 4.0 - 5.0 - 1.0;
        assert!((e - want).abs() < 1e-12, "{e} vs {want}");
        // Symmetric, and a shift of one sample raises it.
        let a = [0.0, 1.0, 2.0, 3.0];
        let b = [0.5, 1.5, 2.5, 3.5];
        assert!((energy_distance(&a, &b, 1)? - energy_distance(&b, &a, 1)?).abs() < 1e-12);
        let far = [10.0, 11.0, 12.0, 13.0];
        assert!(energy_distance(&a, &far, 1)? > energy_distance(&a, &b, 1)?);
        Ok(())
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(energy_distance(&[0.0, 1.0, 2.0], &[0.0, 1.0], 2).is_err());
        assert!(energy_distance(&[0.0], &[0.0, 1.0], 1).is_err());
        assert!(energy_distance(&[0.0, f32::NAN], &[0.0, 1.0], 1).is_err());
    }
}
