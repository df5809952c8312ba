//! Fréchet distance between Gaussians fitted to two feature sets: FID (Heusel et al. 2017,
//! "GANs trained by a two time-scale update rule converge to a local Nash equilibrium").
//!
//! ```text
//! d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½)
//! ```
//! with μ the mean of the rows of a feature matrix `[n, F]` and Σ its unbiased covariance
//! (divisor `n − 1`, `np.cov(rowvar=False)`, as pytorch-fid computes it).
//!
//! `Σ₁Σ₂` is not symmetric, but it is similar to the positive semi-definite matrix
//! `M = Σ₁^½ Σ₂ Σ₁^½` (`Σ₁Σ₂ = Σ₁^½ M Σ₁^-½` for invertible Σ₁, and by continuity the spectra
//! agree for singular ones), so `Tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(M)`. Two symmetric eigendecompositions
//! (nalgebra's Householder tridiagonalisation + implicit QR) give it: `Σ₁ = V diag(λ) Vᵀ`,
//! `Σ₁^½ = V diag(√λ) Vᵀ`, then the eigenvalues of `M`. Rounding leaves eigenvalues of a
//! singular PSD matrix at about `−1e-16 · λ_max`; they are clamped to 0 and counted in
//! [`Clamp`], which the report carries. pytorch-fid instead takes `scipy.linalg.sqrtm` of the
//! non-symmetric product (complex Schur form), adds `εI` when it is singular and drops an
//! imaginary part; the symmetric route needs neither.
//!
//! With fewer examples than features (`n ≤ F`: 1000 samples through a 1280-wide network) the
//! covariance is singular and those clamped square roots would each add `√ε · λ_max ≈ 1e-8 λ_max`
//! of error; [`fid`] then uses exact factors instead: with `Σᵢ = GᵢGᵢᵀ` (`G` the centred data
//! over `√(n − 1)`), `Tr((Σ₁Σ₂)^½)` is the sum of the singular values of `G₁ᵀG₂`.
//!
//! Everything is `f64`: the trace term subtracts numbers of order `F · var` to leave a
//! difference of order one.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use serde::Serialize;

use crate::EvalError;
use crate::features::{Features, check_finite, check_same_width};

/// QR sweeps allowed per dimension before an eigendecomposition is declared not to converge
/// (implicit QR needs two or three per eigenvalue on a symmetric tridiagonal matrix).
const EIGEN_ITERATIONS_PER_DIM: usize = 64;

/// Negative eigenvalues set to zero while taking square roots of PSD matrices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Clamp {
    /// How many eigenvalues were negative.
    pub count: usize,
    /// The most negative one divided by the largest |eigenvalue| (0 when none was negative):
    /// around `1e-15` is rounding; much larger means the input was not PSD.
    pub worst_relative: f64,
}

impl Clamp {
    /// Count the negative entries of a spectrum.
    fn of(eigenvalues: &DVector<f64>) -> Self {
        let scale = eigenvalues.amax();
        let negative = eigenvalues.iter().filter(|&&l| l < 0.0);
        let worst = negative.clone().fold(0.0f64, |w, &l| w.min(l));
        Clamp {
            count: negative.count(),
            worst_relative: if scale > 0.0 { worst / scale } else { 0.0 },
        }
    }
    /// Both clamps together.
    fn merge(self, other: Clamp) -> Clamp {
        Clamp {
            count: self.count + other.count,
            worst_relative: self.worst_relative.min(other.worst_relative),
        }
    }
}

/// Mean and unbiased covariance of a feature set.
#[derive(Clone, Debug)]
pub struct Moments {
    /// `μ`, `[F]`.
    pub mean: DVector<f64>,
    /// `Σ = (X − μ)ᵀ(X − μ) / (n − 1)`, `[F, F]`.
    pub cov: DMatrix<f64>,
    /// Number of examples.
    pub n: usize,
}

impl Moments {
    /// The moments of the rows of `x: [n, F]` (`n ≥ 2`, all values finite).
    pub fn of(x: &Features) -> Result<Self, EvalError> {
        let n = x.nrows();
        if n < 2 {
            return Err(EvalError::TooFew {
                what: "a covariance",
                need: 2,
                got: n,
            });
        }
        check_finite(x, "features")?;
        let mean = x.row_mean().transpose(); // [F]
        let mut centred = x.clone();
        for (mut col, m) in centred.column_iter_mut().zip(mean.iter()) {
            col.add_scalar_mut(-m);
        }
        // (X − μ)ᵀ(X − μ) through one matrix product (matrixmultiply's dgemm).
        let mut cov = centred.transpose() * &centred / (n - 1) as f64;
        symmetrise(&mut cov);
        Ok(Moments { mean, cov, n })
    }
}

/// `(A + Aᵀ) / 2`: removes the rounding asymmetry of a product that is symmetric in exact
/// arithmetic.
fn symmetrise(a: &mut DMatrix<f64>) {
    let t = a.transpose();
    *a += t;
    *a *= 0.5;
}

/// Eigendecomposition of a symmetric matrix, refusing one that does not converge.
fn eigen(a: DMatrix<f64>) -> Result<SymmetricEigen<f64, nalgebra::Dyn>, EvalError> {
    let dim = a.nrows();
    SymmetricEigen::try_new(a, f64::EPSILON, EIGEN_ITERATIONS_PER_DIM * dim.max(1)).ok_or_else(
        || {
            EvalError::Data(format!(
                "the {dim}×{dim} eigendecomposition did not converge"
            ))
        },
    )
}

/// The PSD square root `A^½ = V diag(√max(λ, 0)) Vᵀ` of a symmetric matrix, and the negative
/// eigenvalues it clamped.
pub fn sqrtm_psd(a: &DMatrix<f64>) -> Result<(DMatrix<f64>, Clamp), EvalError> {
    if !a.is_square() {
        return Err(EvalError::Shape(format!(
            "a square root needs a square matrix, got {}×{}",
            a.nrows(),
            a.ncols()
        )));
    }
    let e = eigen(a.clone())?;
    let clamp = Clamp::of(&e.eigenvalues);
    let roots = e.eigenvalues.map(|l| l.max(0.0).sqrt());
    // V diag(√λ) Vᵀ: scale the columns of V, then one product.
    let mut scaled = e.eigenvectors.clone();
    for (mut col, r) in scaled.column_iter_mut().zip(roots.iter()) {
        col *= *r;
    }
    let mut root = scaled * e.eigenvectors.transpose();
    symmetrise(&mut root);
    Ok((root, clamp))
}

/// `Tr((Σ₁Σ₂)^½) = Σ √λ(Σ₁^½ Σ₂ Σ₁^½)` for symmetric PSD `Σ₁`, `Σ₂`.
pub fn trace_sqrt_product(s1: &DMatrix<f64>, s2: &DMatrix<f64>) -> Result<(f64, Clamp), EvalError> {
    if s1.shape() != s2.shape() {
        return Err(EvalError::Shape(format!(
            "covariances of shapes {:?} and {:?}",
            s1.shape(),
            s2.shape()
        )));
    }
    let (root, clamp1) = sqrtm_psd(s1)?;
    let mut m = &root * s2 * &root;
    symmetrise(&mut m);
    let spectrum = m.symmetric_eigenvalues();
    let clamp2 = Clamp::of(&spectrum);
    let trace = spectrum.iter().map(|&l| l.max(0.0).sqrt()).sum();
    Ok((trace, clamp1.merge(clamp2)))
}

/// FID and its two parts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FidReport {
    /// `max(d², 0)`: rounding can leave `−1e-13` for identical sets.
    pub fid: f64,
    /// `‖μ₁ − μ₂‖²`.
    pub mean_term: f64,
    /// `Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½)`.
    pub trace_term: f64,
    /// Negative eigenvalues clamped on the way.
    pub clamp: Clamp,
}

/// The Fréchet distance between `N(μ₁, Σ₁)` and `N(μ₂, Σ₂)`.
pub fn frechet_distance(a: &Moments, b: &Moments) -> Result<FidReport, EvalError> {
    if a.mean.len() != b.mean.len() {
        return Err(EvalError::Shape(format!(
            "feature widths differ: {} vs {}",
            a.mean.len(),
            b.mean.len()
        )));
    }
    let mean_term = (&a.mean - &b.mean).norm_squared();
    let (cross, clamp) = trace_sqrt_product(&a.cov, &b.cov)?;
    let trace_term = a.cov.trace() + b.cov.trace() - 2.0 * cross;
    Ok(FidReport {
        fid: (mean_term + trace_term).max(0.0),
        mean_term,
        trace_term,
        clamp,
    })
}

/// A factor `G` of the covariance, `Σ = G Gᵀ`: the centred rows over `√(n − 1)` (`[F, n]`,
/// exact) when `n ≤ F`, where Σ is singular and square roots of its rounding-level eigenvalues
/// would each add an error of order `√ε · λ_max`; else `V diag(√λ)` (`[F, F]`).
fn covariance_factor(x: &Features, m: &Moments) -> Result<(DMatrix<f64>, Clamp), EvalError> {
    if x.nrows() <= x.ncols() {
        let mut centred = x.transpose(); // [F, n]
        for (mut row, mu) in centred.row_iter_mut().zip(m.mean.iter()) {
            row.add_scalar_mut(-mu);
        }
        return Ok((centred / ((x.nrows() - 1) as f64).sqrt(), Clamp::default()));
    }
    let e = eigen(m.cov.clone())?;
    let clamp = Clamp::of(&e.eigenvalues);
    let mut g = e.eigenvectors;
    for (mut col, l) in g.column_iter_mut().zip(e.eigenvalues.iter()) {
        col *= l.max(0.0).sqrt();
    }
    Ok((g, clamp))
}

/// `Tr((Σ₁Σ₂)^½) = ‖G₁ᵀG₂‖_*` (the sum of singular values) for `Σᵢ = GᵢGᵢᵀ`: the eigenvalues of
/// `Σ₁Σ₂ = G₁G₁ᵀG₂G₂ᵀ` are those of `(G₁ᵀG₂)(G₁ᵀG₂)ᵀ`, the squared singular values.
fn trace_sqrt_from_factors(g1: &DMatrix<f64>, g2: &DMatrix<f64>) -> Result<f64, EvalError> {
    let cross = g1.transpose() * g2;
    let dim = cross.nrows().max(cross.ncols());
    let svd = nalgebra::SVD::try_new(
        cross,
        false,
        false,
        f64::EPSILON,
        EIGEN_ITERATIONS_PER_DIM * dim.max(1),
    )
    .ok_or_else(|| EvalError::Data(format!("the {dim}-wide SVD did not converge")))?;
    Ok(svd.singular_values.sum())
}

/// FID between two feature sets `[n₁, F]` and `[n₂, F]`.
///
/// When a set has no more examples than features (`n ≤ F`, a singular covariance), the trace
/// term uses the exact factor of its covariance, the centred data, and `‖G₁ᵀG₂‖_*`; otherwise
/// [`frechet_distance`] of the moments.
pub fn fid(real: &Features, fake: &Features) -> Result<FidReport, EvalError> {
    check_same_width(real, fake)?;
    let (a, b) = (Moments::of(real)?, Moments::of(fake)?);
    let f = real.ncols();
    if real.nrows() > f && fake.nrows() > f {
        return frechet_distance(&a, &b);
    }
    let (g1, clamp1) = covariance_factor(real, &a)?;
    let (g2, clamp2) = covariance_factor(fake, &b)?;
    let mean_term = (&a.mean - &b.mean).norm_squared();
    let trace_term = a.cov.trace() + b.cov.trace() - 2.0 * trace_sqrt_from_factors(&g1, &g2)?;
    Ok(FidReport {
        fid: (mean_term + trace_term).max(0.0),
        mean_term,
        trace_term,
        clamp: clamp1.merge(clamp2),
    })
}
