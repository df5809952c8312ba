//! `Array`: the one in-memory data format every model consumes.
//!
//! A dense `f32` array in row-major (C) order whose first axis indexes examples:
//! `[n, 1, 28, 28]` for MNIST images, `[n, 2]` for 2D toy points. Element
//! `(i, j₁, …, j_k)` lives at `values[i * example_size + offset(j₁, …, j_k)]`, so one example is a
//! contiguous run of `example_size` values and batching is a copy of whole runs.

use crate::error::{DataError, Result};

/// A row-major `f32` array with the example axis first.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// Sizes of each axis; `shape[0]` is the number of examples. Never empty.
    pub shape: Vec<usize>,
    /// The values, `shape.iter().product()` of them, last axis fastest.
    pub values: Vec<f32>,
}

impl Array {
    /// Builds an array, checking that `shape` is non-empty and that its product equals
    /// `values.len()`.
    pub fn new(shape: Vec<usize>, values: Vec<f32>) -> Result<Self> {
        if shape.is_empty() {
            return Err(DataError::InvalidArgument(
                "an Array needs at least one axis (the example axis)".to_string(),
            ));
        }
        let expected = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| DataError::InvalidArgument(format!("shape {shape:?} overflows")))?;
        if expected != values.len() {
            return Err(DataError::InvalidArgument(format!(
                "shape {shape:?} needs {expected} values, got {}",
                values.len()
            )));
        }
        Ok(Self { shape, values })
    }

    /// An array of zeros of the given shape.
    pub fn zeros(shape: Vec<usize>) -> Result<Self> {
        let count = shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| DataError::InvalidArgument(format!("shape {shape:?} overflows")))?;
        Self::new(shape, vec![0.0; count])
    }

    /// Number of examples (`shape[0]`).
    pub fn len(&self) -> usize {
        self.shape.first().copied().unwrap_or(0)
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The shape of one example (`shape[1..]`).
    pub fn example_dims(&self) -> &[usize] {
        self.shape.get(1..).unwrap_or(&[])
    }

    /// Number of values in one example (product of [`Self::example_dims`]).
    pub fn example_size(&self) -> usize {
        self.example_dims().iter().product()
    }

    /// The values of example `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn row(&self, i: usize) -> &[f32] {
        let size = self.example_size();
        &self.values[i * size..(i + 1) * size]
    }

    /// The examples at `indices`, in that order (repeats allowed): the batching primitive.
    ///
    /// # Panics
    /// If an index is `>= self.len()`; indices come from the batcher, not from users.
    pub fn gather(&self, indices: &[usize]) -> Array {
        let size = self.example_size();
        let mut values = Vec::with_capacity(indices.len() * size);
        for &i in indices {
            values.extend_from_slice(self.row(i));
        }
        let mut shape = self.shape.clone();
        shape[0] = indices.len();
        Array { shape, values }
    }

    /// Examples `start..end` as a new array.
    ///
    /// # Panics
    /// If `start > end` or `end > self.len()`.
    pub fn slice(&self, start: usize, end: usize) -> Array {
        assert!(
            start <= end && end <= self.len(),
            "slice {start}..{end} of {}",
            self.len()
        );
        let size = self.example_size();
        let mut shape = self.shape.clone();
        shape[0] = end - start;
        Array {
            shape,
            values: self.values[start * size..end * size].to_vec(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn iota(shape: Vec<usize>) -> Array {
        let count = shape.iter().product::<usize>();
        Array::new(shape, (0..count).map(|v| v as f32).collect()).unwrap()
    }

    #[test]
    fn new_rejects_wrong_count_and_empty_shape() {
        assert!(matches!(
            Array::new(vec![2, 3], vec![0.0; 5]),
            Err(DataError::InvalidArgument(_))
        ));
        assert!(matches!(
            Array::new(vec![], vec![]),
            Err(DataError::InvalidArgument(_))
        ));
        assert!(matches!(
            Array::new(vec![usize::MAX, 2], vec![]),
            Err(DataError::InvalidArgument(_))
        ));
    }

    #[test]
    fn gather_copies_whole_examples_in_index_order() {
        let a = iota(vec![4, 2, 3]);
        assert_eq!(a.example_dims(), &[2, 3]);
        assert_eq!(a.example_size(), 6);
        let g = a.gather(&[3, 0, 3]);
        assert_eq!(g.shape, vec![3, 2, 3]);
        assert_eq!(g.row(0), a.row(3));
        assert_eq!(g.row(1), a.row(0));
        assert_eq!(g.row(2), a.row(3));
    }

    #[test]
    fn slice_is_gather_of_a_range() {
        let a = iota(vec![5, 2]);
        assert_eq!(a.slice(1, 4), a.gather(&[1, 2, 3]));
        assert!(a.slice(2, 2).is_empty());
    }
}
