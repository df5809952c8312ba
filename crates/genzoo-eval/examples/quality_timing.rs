//! Wall time of the sample-quality metrics on two sets of synthetic features, feature
//! extraction excluded: `cargo run --release -p genzoo-eval --example quality_timing -- N F`
//! (default 10000 × 128, the `mnist_features` width). Prints one line per metric.

use std::time::Instant;

use genzoo_data::rng_for;
use genzoo_eval::fid::fid;
use genzoo_eval::kid::{KidOptions, kid};
use genzoo_eval::precision_recall::{DEFAULT_K, precision_recall};
use nalgebra::DMatrix;
use rand_distr::{Distribution, StandardNormal};

/// Stream of the synthetic features.
const STREAM_TIMING: u64 = u64::from_be_bytes(*b"qtiming\0");
/// Default number of examples per set.
const DEFAULT_N: usize = 10_000;
/// Default feature width.
const DEFAULT_F: usize = 128;

fn features(n: usize, f: usize, seed: u64) -> DMatrix<f64> {
    let mut rng = rng_for(seed, STREAM_TIMING, 0);
    // ReLU-like non-negative features, as a penultimate layer gives.
    DMatrix::from_fn(n, f, |_, _| {
        let z: f64 = StandardNormal.sample(&mut rng);
        z.max(0.0)
    })
}

fn main() -> Result<(), genzoo_eval::EvalError> {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (n, f) = (arg(1, DEFAULT_N), arg(2, DEFAULT_F));
    let (a, b) = (features(n, f, 0), features(n, f, 1));
    println!(
        "{n} vs {n} features of width {f}, {} threads",
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let d = fid(&a, &b)?;
    println!(
        "FID               {:>8.2} s   ({:.4})",
        t.elapsed().as_secs_f64(),
        d.fid
    );
    let t = Instant::now();
    let k = kid(&a, &b, &KidOptions::default())?;
    println!(
        "KID (subsets of ≤ 1000)  {:>8.2} s   ({:.5} ± {:.5})",
        t.elapsed().as_secs_f64(),
        k.mean,
        k.std
    );
    let t = Instant::now();
    let pr = precision_recall(&a, &b, DEFAULT_K)?;
    println!(
        "precision/recall  {:>8.2} s   ({:.4} / {:.4})",
        t.elapsed().as_secs_f64(),
        pr.precision,
        pr.recall
    );
    Ok(())
}
