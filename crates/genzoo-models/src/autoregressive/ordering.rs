//! An ordering of the n dimensions: `order[i]` is the dimension generated i-th, `position[d]`
//! the step at which dimension d is generated (the inverse permutation).

use genzoo_data::epoch_permutation;

use super::config::OrderKind;

/// A permutation of `0..n` and its inverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ordering {
    order: Vec<usize>,
    position: Vec<usize>,
}

impl Ordering {
    /// `0, 1, …, n−1` (raster order for images).
    pub fn natural(n: usize) -> Self {
        Self::from_order((0..n).collect())
    }

    /// A uniformly random permutation drawn from `(seed, index)`: ordering number `index` of a
    /// family seeded with `seed`, reproducible on any machine.
    pub fn random(n: usize, seed: u64, index: u64) -> Self {
        Self::from_order(epoch_permutation(n, seed, index))
    }

    /// The ordering a config names (`index` selects among random orderings).
    pub fn of_kind(kind: OrderKind, n: usize, seed: u64, index: u64) -> Self {
        match kind {
            OrderKind::Natural => Self::natural(n),
            OrderKind::Random => Self::random(n, seed, index),
        }
    }

    /// From a permutation (`order[i]` generated i-th).
    pub fn from_order(order: Vec<usize>) -> Self {
        let mut position = vec![0; order.len()];
        for (i, &d) in order.iter().enumerate() {
            position[d] = i;
        }
        Self { order, position }
    }

    /// Number of dimensions.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are no dimensions.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Dimensions in generation order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Generation step of each dimension.
    pub fn position(&self) -> &[usize] {
        &self.position
    }
}
