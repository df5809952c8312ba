//! Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019,
//! "Improved precision and recall metric for assessing generative models").
//!
//! Each set estimates its manifold as the union of balls around its points, the ball of `φ`
//! reaching its `k`-th nearest neighbour in the same set (the point itself excluded; `k = 3`
//! in the paper):
//! ```text
//! manifold(Φ) = ∪_{φ ∈ Φ} B(φ, ‖φ − NN_k(φ, Φ)‖)
//! precision   = |{φ_g ∈ Φ_g : φ_g ∈ manifold(Φ_r)}| / |Φ_g|    (are samples realistic?)
//! recall      = |{φ_r ∈ Φ_r : φ_r ∈ manifold(Φ_g)}| / |Φ_r|    (is the data covered?)
//! ```
//! Distances are exact, `‖a − b‖² = ‖a‖² + ‖b‖² − 2aᵀb` in `f64`, computed for blocks of
//! [`BLOCK_ROWS`] rows against a whole set through one matrix product, the blocks in parallel:
//! a 10k × 10k comparison never holds more than a few blocks of `BLOCK_ROWS × 10k` in memory.
//! Squared distances are compared with squared radii (the square root is monotone).
//! The radii depend on the density of each set, so precision and recall are comparable only
//! between sets of equal size (the paper uses 50k each); the `quality` module compares equal
//! numbers of real and generated examples.

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

use crate::EvalError;
use crate::features::{Features, check_finite, check_same_width, squared_row_norms};

/// Neighbourhood size of the paper.
pub const DEFAULT_K: usize = 3;
/// Rows per block of the distance computation: `BLOCK_ROWS × n × 8` bytes per block
/// (20 MB against 10k rows).
pub const BLOCK_ROWS: usize = 256;

/// Precision and recall of a generated set against a reference set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PrecisionRecall {
    /// Fraction of generated examples inside the reference manifold.
    pub precision: f64,
    /// Fraction of reference examples inside the generated manifold.
    pub recall: f64,
    /// Neighbourhood size.
    pub k: usize,
}

/// Squared distances `[n, b]` from every row of `other: [n, F]` to rows `start..start + b` of
/// `a`: column `i` holds the distances of row `start + i`, contiguous in memory.
fn block_sq_distances(
    a: &Features,
    a_norms: &[f64],
    start: usize,
    b: usize,
    other: &Features,
    other_norms: &[f64],
) -> DMatrix<f64> {
    let mut d = other * a.rows(start, b).transpose(); // [n, F]·[F, b] = [n, b]
    for (i, mut col) in d.column_iter_mut().enumerate() {
        for (v, other_norm) in col.iter_mut().zip(other_norms) {
            // Clamped: rounding can make the distance of equal vectors slightly negative.
            *v = (a_norms[start + i] + other_norm - 2.0 * *v).max(0.0);
        }
    }
    d
}

/// Row blocks `(start, len)` covering `0..n`.
fn blocks(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .step_by(BLOCK_ROWS)
        .map(|s| (s, BLOCK_ROWS.min(n - s)))
        .collect()
}

/// Squared distance from each row of `x: [n, F]` to its `k`-th nearest other row.
pub fn knn_sq_radii(x: &Features, k: usize) -> Result<Vec<f64>, EvalError> {
    let n = x.nrows();
    if k == 0 || n <= k {
        return Err(EvalError::TooFew {
            what: "a k-NN radius",
            need: k.max(1) + 1,
            got: n,
        });
    }
    let norms = squared_row_norms(x);
    let per_block: Vec<Vec<f64>> = blocks(n)
        .into_par_iter()
        .map(|(start, b)| {
            let d = block_sq_distances(x, &norms, start, b, x, &norms);
            (0..b)
                .map(|i| {
                    let mut row: Vec<f64> = d.column(i).iter().copied().collect();
                    // The point itself is not its own neighbour.
                    row[start + i] = f64::INFINITY;
                    *row.select_nth_unstable_by(k - 1, f64::total_cmp).1
                })
                .collect()
        })
        .collect();
    Ok(per_block.concat())
}

/// Improved precision and recall of `fake` against `real`, both `[n, F]`.
pub fn precision_recall(
    real: &Features,
    fake: &Features,
    k: usize,
) -> Result<PrecisionRecall, EvalError> {
    check_same_width(real, fake)?;
    check_finite(real, "reference features")?;
    check_finite(fake, "generated features")?;
    let real_radii = knn_sq_radii(real, k)?;
    let fake_radii = knn_sq_radii(fake, k)?;
    let real_norms = squared_row_norms(real);
    let fake_norms = squared_row_norms(fake);
    // One pass over [fake block, all real] answers both questions: a fake row is precise if
    // some real ball holds it; a real row is recalled if some fake ball of the block holds it.
    let (precise, recalled) = blocks(fake.nrows())
        .into_par_iter()
        .map(|(start, b)| {
            let d = block_sq_distances(fake, &fake_norms, start, b, real, &real_norms);
            let mut precise = 0usize;
            let mut recalled = vec![false; real.nrows()];
            for i in 0..b {
                let col = d.column(i);
                precise += usize::from(col.iter().zip(&real_radii).any(|(d, r)| d <= r));
                let radius = fake_radii[start + i];
                for (hit, d) in recalled.iter_mut().zip(col.iter()) {
                    *hit |= *d <= radius;
                }
            }
            (precise, recalled)
        })
        .reduce(
            || (0, vec![false; real.nrows()]),
            |(p1, r1), (p2, r2)| {
                let r = r1.iter().zip(&r2).map(|(a, b)| *a || *b).collect();
                (p1 + p2, r)
            },
        );
    let recalled = recalled.iter().filter(|&&h| h).count();
    Ok(PrecisionRecall {
        precision: precise as f64 / fake.nrows() as f64,
        recall: recalled as f64 / real.nrows() as f64,
        k,
    })
}
