//! The process-wide fast-path switch and the count of fast ops taken.
//!
//! Benchmarks switch the fast paths off to time burn's in the same process; tests read the
//! count to check that a fast path was taken, since a silent fall-back to burn would give the
//! same numbers, only slower. Every op reaches both through [`crate::dispatch`].

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Whether the hand-written ops take their fast paths (default `true`).
static FAST: AtomicBool = AtomicBool::new(true);

/// Fast-path ops run so far in this process.
static RECORDED: AtomicUsize = AtomicUsize::new(0);

/// How many ops took a fast path in this process.
pub fn fast_ops_recorded() -> usize {
    RECORDED.load(Ordering::Relaxed)
}

/// Count one fast-path op.
pub(crate) fn record() {
    RECORDED.fetch_add(1, Ordering::Relaxed);
}

/// Turn the fast paths on or off process-wide (for A/B benchmarks and tests).
pub fn set_fast(on: bool) {
    FAST.store(on, Ordering::Relaxed);
}

/// Whether the fast paths are on.
pub fn is_fast() -> bool {
    FAST.load(Ordering::Relaxed)
}
