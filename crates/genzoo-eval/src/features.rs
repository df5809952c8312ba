//! Feature matrices: what the sample-quality metrics consume.
//!
//! A set of `n` examples seen through a feature network is an `n × F` matrix of `f64`, one row
//! per example (`nalgebra::DMatrix`, column-major, so a row is strided; the metrics only touch
//! rows through matrix products). Everything downstream of the network is computed in `f64`:
//! FID subtracts traces of order `F · var` to get differences of order one.

use nalgebra::DMatrix;

use crate::EvalError;

/// A feature matrix `[n, F]`, one row per example.
pub type Features = DMatrix<f64>;

/// A feature matrix from row-major values `[n, F]` (as read back from a tensor).
pub fn from_rows(n: usize, f: usize, values: &[f32]) -> Result<Features, EvalError> {
    if values.len() != n * f {
        return Err(EvalError::Shape(format!(
            "{} values cannot be {n} rows of {f}",
            values.len()
        )));
    }
    Ok(DMatrix::from_row_iterator(
        n,
        f,
        values.iter().map(|&v| f64::from(v)),
    ))
}

/// Refuse a matrix holding a NaN or an infinity, naming the set and the first bad row.
pub fn check_finite(x: &Features, set: &str) -> Result<(), EvalError> {
    // Column-major: the flat index modulo the row count is the row.
    match x.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(EvalError::NonFiniteInput {
            set: set.to_string(),
            example: i % x.nrows().max(1),
        }),
    }
}

/// Refuse two sets whose feature widths differ.
pub fn check_same_width(a: &Features, b: &Features) -> Result<(), EvalError> {
    if a.ncols() != b.ncols() {
        return Err(EvalError::Shape(format!(
            "feature widths differ: {} vs {}",
            a.ncols(),
            b.ncols()
        )));
    }
    Ok(())
}

/// The rows at `indices`, in that order.
pub fn gather_rows(x: &Features, indices: &[usize]) -> Features {
    x.select_rows(indices)
}

/// `‖x_i‖²` of every row.
pub fn squared_row_norms(x: &Features) -> Vec<f64> {
    x.row_iter().map(|r| r.norm_squared()).collect()
}
