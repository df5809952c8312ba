//! Deterministic shuffling and batching from a seed.
//!
//! Epoch `e` visits the examples in the order of a Fisher–Yates shuffle (Durstenfeld 1964;
//! Knuth, TAOCP vol. 2, Algorithm 3.4.2P) driven by `rng_for(seed, STREAM_SHUFFLE, e)`:
//! ```text
//! for i = n-1 down to 1:  j ~ U{0..i};  swap(perm[i], perm[j])
//! ```
//! Batches are consecutive runs of `batch` entries of that permutation; the incomplete last run
//! is dropped (PyTorch's `drop_last=True`), so every batch has the same size and each example is
//! seen at most once per epoch. Where a run stands is a [`BatchCursor`] `(epoch, position)`: two
//! integers, so a checkpoint that stores them resumes on exactly the next batch.

use crate::error::{DataError, Result};
use crate::rng::uniform_below;
pub use crate::rng::{rng_for, splitmix64};

/// Stream id of the epoch shuffles (see [`rng_for`]).
pub const STREAM_SHUFFLE: u64 = u64::from_be_bytes(*b"shuffle\0");

/// The order in which epoch `epoch` visits `n` examples: a permutation of `0..n`.
pub fn epoch_permutation(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut rng = rng_for(seed, STREAM_SHUFFLE, epoch);
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        // `i + 1 <= n` fits in u64 and the draw is `<= i`, so both casts are lossless.
        let j = uniform_below(&mut rng, (i + 1) as u64) as usize;
        perm.swap(i, j);
    }
    perm
}

/// Where a run stands in its stream of batches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BatchCursor {
    /// The current epoch (0-based).
    pub epoch: u64,
    /// How many entries of the epoch's permutation have been consumed.
    pub position: usize,
}

impl BatchCursor {
    /// The cursor as `(epoch, position)`, for storing in a checkpoint.
    pub fn to_pair(self) -> (u64, u64) {
        (self.epoch, self.position as u64)
    }

    /// The cursor stored by [`Self::to_pair`].
    pub fn from_pair((epoch, position): (u64, u64)) -> Result<Self> {
        let position = usize::try_from(position).map_err(|_| {
            DataError::InvalidArgument(format!("batch position {position} does not fit a usize"))
        })?;
        Ok(Self { epoch, position })
    }
}

/// Checks that `batch` full batches can be cut from `n` examples.
fn check_batch(n: usize, batch: usize) -> Result<()> {
    if batch == 0 || batch > n {
        return Err(DataError::InvalidArgument(format!(
            "batch size {batch} must be in 1..={n} (the number of examples)"
        )));
    }
    Ok(())
}

/// Moves `cursor` to the start of the next epoch if no full batch is left in the current one.
fn roll_over(n: usize, batch: usize, cursor: &mut BatchCursor) {
    if cursor.position + batch > n {
        cursor.epoch += 1;
        cursor.position = 0;
    }
}

/// Cuts the batch at `cursor` out of `perm` (the cursor's epoch permutation) and advances it.
fn take(perm: &[usize], batch: usize, cursor: &mut BatchCursor) -> Vec<usize> {
    let out = perm[cursor.position..cursor.position + batch].to_vec();
    cursor.position += batch;
    // Advance eagerly so that `cursor.epoch` changing tells the caller an epoch just ended.
    roll_over(perm.len(), batch, cursor);
    out
}

/// The example indices of the batch at `cursor`, advancing it (into the next epoch once fewer
/// than `batch` examples are left).
///
/// Recomputes the epoch permutation, O(n) per call; [`Batcher`] caches it.
pub fn next_batch_indices(
    n: usize,
    batch: usize,
    seed: u64,
    cursor: &mut BatchCursor,
) -> Result<Vec<usize>> {
    check_batch(n, batch)?;
    // A cursor saved with a different batch size may point past the last full batch.
    roll_over(n, batch, cursor);
    let perm = epoch_permutation(n, seed, cursor.epoch);
    Ok(take(&perm, batch, cursor))
}

/// A batch stream that keeps the current epoch's permutation; yields what
/// [`next_batch_indices`] yields, without recomputing the permutation on every call.
#[derive(Clone, Debug)]
pub struct Batcher {
    n: usize,
    batch: usize,
    seed: u64,
    cursor: BatchCursor,
    /// The permutation of `perm_epoch`, or empty before the first batch.
    perm: Vec<usize>,
    perm_epoch: u64,
}

impl Batcher {
    /// A stream of `batch`-sized batches of `n` examples, starting at `cursor`.
    pub fn new(n: usize, batch: usize, seed: u64, cursor: BatchCursor) -> Result<Self> {
        check_batch(n, batch)?;
        Ok(Self {
            n,
            batch,
            seed,
            cursor,
            perm: Vec::new(),
            perm_epoch: 0,
        })
    }

    /// Full batches per epoch, `⌊n / batch⌋`.
    pub fn batches_per_epoch(&self) -> usize {
        self.n / self.batch
    }

    /// Where the stream stands: store this to resume.
    pub fn cursor(&self) -> BatchCursor {
        self.cursor
    }

    /// The next batch's example indices.
    pub fn next_indices(&mut self) -> Vec<usize> {
        roll_over(self.n, self.batch, &mut self.cursor);
        if self.perm.is_empty() || self.perm_epoch != self.cursor.epoch {
            self.perm = epoch_permutation(self.n, self.seed, self.cursor.epoch);
            self.perm_epoch = self.cursor.epoch;
        }
        take(&self.perm, self.batch, &mut self.cursor)
    }
}
