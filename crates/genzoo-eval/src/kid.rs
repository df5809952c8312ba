//! Kernel inception distance: the unbiased MMD² with a cubic polynomial kernel, averaged over
//! random subsets (Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs").
//!
//! ```text
//! k(x, y) = (xᵀy / F + 1)³
//! MMD²ᵤ(X, Y) = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²
//! ```
//! for subsets `X, Y` of `m` rows each. Dropping the diagonal makes each term an unbiased
//! U-statistic, so `E MMD²ᵤ = MMD²(P, Q)`, which is 0 when both sets come from one
//! distribution; a single estimate can therefore be negative. As in torch-fidelity
//! (`kid_subsets = 100`, `kid_subset_size = 1000`, `kid_degree = 3`, `kid_gamma = 1/F`,
//! `kid_coef0 = 1`), each of `S` subsets draws `m` rows of each set without replacement and the
//! report is the mean and the (population, `ddof = 0`) standard deviation of the `S` estimates
//! (when both sets have exactly `m` rows, every subset is the whole of each set and one
//! estimate is computed instead of `S` equal ones).
//! Subset `s` draws from `rng_for(seed, STREAM_KID, s)`, so the subsets run in parallel and
//! the result does not depend on the thread count.

use nalgebra::DMatrix;
use rand::RngCore;
use rayon::prelude::*;
use serde::Serialize;

use crate::EvalError;
use crate::features::{Features, check_finite, check_same_width, gather_rows};

/// RNG stream of the subset draws.
pub const STREAM_KID: u64 = u64::from_be_bytes(*b"kidsubs\0");
/// torch-fidelity's default number of subsets.
pub const DEFAULT_SUBSETS: usize = 100;
/// torch-fidelity's default subset size.
pub const DEFAULT_SUBSET_SIZE: usize = 1000;
/// Degree of the polynomial kernel.
const KERNEL_DEGREE: i32 = 3;

/// How KID is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KidOptions {
    /// Number of subsets `S`.
    pub subsets: usize,
    /// Rows per subset `m`; capped at the smaller set's size (then every subset of that set is
    /// the whole set, as torch-fidelity would refuse).
    pub subset_size: usize,
    /// Seed of the subset draws.
    pub seed: u64,
}

impl Default for KidOptions {
    fn default() -> Self {
        KidOptions {
            subsets: DEFAULT_SUBSETS,
            subset_size: DEFAULT_SUBSET_SIZE,
            seed: 0,
        }
    }
}

/// KID over subsets.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KidReport {
    /// Mean of the subset estimates of MMD²ᵤ.
    pub mean: f64,
    /// Their standard deviation (`ddof = 0`, as torch-fidelity reports it).
    pub std: f64,
    /// Number of subsets drawn: 1 when both sets have exactly `subset_size` rows, since every
    /// subset is then the whole of each set.
    pub subsets: usize,
    /// Rows per subset actually used.
    pub subset_size: usize,
}

/// The cubic kernel `(xᵀy / F + 1)³` of two feature vectors of width `F`.
pub fn polynomial_kernel(x: &[f64], y: &[f64]) -> f64 {
    let dot: f64 = x.iter().zip(y).map(|(a, b)| a * b).sum();
    (dot / x.len() as f64 + 1.0).powi(KERNEL_DEGREE)
}

/// The kernel matrix `k(aᵢ, bⱼ)` of two sets `[m, F]`, `[m', F]` through one matrix product.
fn kernel_matrix(a: &Features, b: &Features) -> DMatrix<f64> {
    let width = a.ncols() as f64;
    (a * b.transpose()).map(|dot| (dot / width + 1.0).powi(KERNEL_DEGREE))
}

/// Sum of the off-diagonal entries of a square matrix.
fn off_diagonal_sum(k: &DMatrix<f64>) -> f64 {
    k.sum() - k.trace()
}

/// The unbiased MMD² of two sets of equal size `m ≥ 2`.
pub fn mmd2_unbiased(x: &Features, y: &Features) -> Result<f64, EvalError> {
    check_same_width(x, y)?;
    let m = x.nrows();
    if y.nrows() != m {
        return Err(EvalError::Shape(format!(
            "MMD² needs equal sizes, got {m} and {}",
            y.nrows()
        )));
    }
    if m < 2 {
        return Err(EvalError::TooFew {
            what: "an unbiased MMD²",
            need: 2,
            got: m,
        });
    }
    let pairs = (m * (m - 1)) as f64;
    let xx = off_diagonal_sum(&kernel_matrix(x, x)) / pairs;
    let yy = off_diagonal_sum(&kernel_matrix(y, y)) / pairs;
    let xy = kernel_matrix(x, y).sum() / (m * m) as f64;
    Ok(xx + yy - 2.0 * xy)
}

/// `m` distinct indices below `n`, uniformly (a partial Fisher–Yates shuffle).
pub fn subset_indices(n: usize, m: usize, rng: &mut impl RngCore) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..m.min(n) {
        let j = i + genzoo_data::rng::uniform_below(rng, (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(m.min(n));
    all
}

/// KID between two feature sets (sizes may differ).
pub fn kid(real: &Features, fake: &Features, options: &KidOptions) -> Result<KidReport, EvalError> {
    check_same_width(real, fake)?;
    check_finite(real, "reference features")?;
    check_finite(fake, "generated features")?;
    if options.subsets == 0 {
        return Err(EvalError::InvalidOption(
            "KID needs at least one subset".into(),
        ));
    }
    let m = options.subset_size.min(real.nrows()).min(fake.nrows());
    if m < 2 {
        return Err(EvalError::TooFew {
            what: "KID",
            need: 2,
            got: m,
        });
    }
    // Both sets exactly m rows: every subset is the whole of each set (MMD² does not depend
    // on the order of rows), so one estimate stands for all and the spread is 0.
    let subsets = if m == real.nrows() && m == fake.nrows() {
        1
    } else {
        options.subsets
    };
    let estimates = (0..subsets)
        .into_par_iter()
        .map(|s| {
            let mut rng = genzoo_data::rng_for(options.seed, STREAM_KID, s as u64);
            let x = gather_rows(real, &subset_indices(real.nrows(), m, &mut rng));
            let y = gather_rows(fake, &subset_indices(fake.nrows(), m, &mut rng));
            mmd2_unbiased(&x, &y)
        })
        .collect::<Result<Vec<f64>, EvalError>>()?;
    let s = estimates.len() as f64;
    let mean = estimates.iter().sum::<f64>() / s;
    let var = estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / s;
    Ok(KidReport {
        mean,
        std: var.sqrt(),
        subsets,
        subset_size: m,
    })
}
