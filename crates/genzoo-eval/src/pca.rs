//! Principal components: the projection of feature vectors onto the two (or k) directions of
//! largest variance, for a picture of a representation.
//!
//! `C = (1/n) Σ (x − μ)(x − μ)ᵀ`, eigenvectors v₁, v₂, … by decreasing eigenvalue (nalgebra's
//! symmetric eigendecomposition, f64); the projection of x is `((x − μ)·v₁, (x − μ)·v₂, …)`.
//! An eigenvector's sign is arbitrary; each is flipped so its largest entry is positive, so a
//! picture does not mirror between runs.
//!
//! # Shapes
//! `x: n × d` row-major → `n × k`.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::EvalError;

/// Most sweeps per dimension of the eigendecomposition.
const ITERATIONS_PER_DIM: usize = 100;

/// The first `k` principal-component scores of the rows of `x`, and the fraction of the total
/// variance each explains.
pub fn pca(x: &[f32], d: usize, k: usize) -> Result<(Vec<f64>, Vec<f64>), EvalError> {
    if d == 0 || k == 0 || k > d || !x.len().is_multiple_of(d) || x.len() < 2 * d {
        return Err(EvalError::InvalidOption(format!(
            "pca: {} values, width {d}, {k} components",
            x.len()
        )));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(EvalError::NonFiniteInput {
            set: "pca features".into(),
            example: i / d,
        });
    }
    let n = x.len() / d;
    let mut mean = vec![0f64; d];
    for row in x.chunks_exact(d) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += f64::from(*v) / n as f64;
        }
    }
    let centred = DMatrix::from_fn(n, d, |i, j| f64::from(x[i * d + j]) - mean[j]);
    let cov = centred.transpose() * &centred / n as f64;
    let eig =
        SymmetricEigen::try_new(cov, f64::EPSILON, ITERATIONS_PER_DIM * d).ok_or_else(|| {
            EvalError::Data(format!(
                "the {d}×{d} PCA eigendecomposition did not converge"
            ))
        })?;
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let total: f64 = eig.eigenvalues.iter().map(|v| v.max(0.0)).sum();
    let mut scores = vec![0f64; n * k];
    let mut explained = Vec::with_capacity(k);
    for (c, &e) in order.iter().take(k).enumerate() {
        let mut v = eig.eigenvectors.column(e).into_owned();
        let (imax, _) = v.iter().enumerate().fold((0, 0.0f64), |acc, (i, &w)| {
            if w.abs() > acc.1 { (i, w.abs()) } else { acc }
        });
        if v[imax] < 0.0 {
            v = -v;
        }
        let proj = &centred * &v;
        for i in 0..n {
            scores[i * k + c] = proj[i];
        }
        explained.push(eig.eigenvalues[e].max(0.0) / total.max(f64::MIN_POSITIVE));
    }
    Ok((scores, explained))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points on a line y = 2x (plus a small orthogonal wiggle): the first component is that
    /// line, explaining almost all variance, and the scores are the positions along it.
    #[test]
    fn the_first_component_of_a_line_is_the_line() -> Result<(), EvalError> {
        let n = 50;
        let mut x = Vec::new();
        for i in 0..n {
            let t = i as f32 - 24.5;
            let wiggle = if i % 2 == 0 { 0.01 } else { -0.01 };
            x.extend([t + 2.0 * wiggle, 2.0 * t - wiggle]);
        }
        let (scores, explained) = pca(&x, 2, 2)?;
        assert!(explained[0] > 0.999, "{explained:?}");
        assert!((explained[0] + explained[1] - 1.0).abs() < 1e-9);
        // Score = position along the unit vector (1, 2)/√5, up to the shared sign rule.
        for i in 0..n {
            let t = i as f64 - 24.5;
            let want = t * 5f64.sqrt();
            assert!(
                (scores[i * 2] - want).abs() < 0.05,
                "{i}: {} vs {want}",
                scores[i * 2]
            );
        }
        assert!(pca(&x, 2, 3).is_err());
        Ok(())
    }
}
