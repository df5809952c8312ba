//! Wall-clock timing for genzoo's speed benchmarks and per-op examples: the median of repeated
//! runs after untimed warm-up runs (the allocator, the thread pool and the caches settle in
//! the warm-up). The median, not the mean, because a shared 2-core machine adds rare long
//! outliers. Speed is measured by benchmarks and examples, never asserted by a test.

use std::time::Instant;

/// Median wall time of `f` in milliseconds over `reps` timed runs (at least one), after
/// `warmup` untimed ones.
pub fn median_ms(warmup: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..warmup {
        f();
    }
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
