//! Mode coverage against hand-built sample sets whose counts, coverage, quality and reverse KL
//! are known by hand.
#![allow(clippy::unwrap_used)]

use genzoo_data::mixture::GaussianMixture2d;
use genzoo_eval::ModeReport;

/// Two modes at (0, 0) and (10, 0), σ = 1, threshold 3σ.
fn two_modes(samples: &[[f64; 2]]) -> ModeReport {
    ModeReport::from_mixture(samples, &[[0.0, 0.0], [10.0, 0.0]], 1.0, 3.0).expect("valid")
}

#[test]
fn counts_follow_the_nearest_mode_within_three_sigma() {
    // (2.9, 0) is inside mode 0's 3σ ball, (3.1, 0) outside every ball; (7.5, 0) is nearer
    // mode 1 and 2.5σ from it; (0, 2.99) just inside; (5, 0) is equidistant and 5σ from both.
    let r = two_modes(&[[2.9, 0.0], [3.1, 0.0], [7.5, 0.0], [0.0, 2.99], [5.0, 0.0]]);
    assert_eq!(r.counts, vec![2, 1]);
    assert_eq!(r.samples, 5);
    assert_eq!(r.covered(), 2);
    assert!((r.high_quality() - 0.6).abs() < 1e-15);
    // q = (2/3, 1/3): KL = 2/3 ln(4/3) + 1/3 ln(2/3).
    let kl = 2.0 / 3.0 * (4.0f64 / 3.0).ln() + 1.0 / 3.0 * (2.0f64 / 3.0).ln();
    assert!((r.reverse_kl().unwrap() - kl).abs() < 1e-15);
}

#[test]
fn uniform_histogram_has_zero_kl_and_collapse_has_log_k() {
    let even = two_modes(&[[0.0, 0.0], [10.0, 0.0], [0.5, 0.5], [9.5, 0.5]]);
    assert_eq!(even.reverse_kl(), Some(0.0));
    let collapsed = two_modes(&[[0.0, 0.0], [0.1, 0.0], [0.0, 0.1]]);
    assert_eq!(collapsed.covered(), 1);
    assert!((collapsed.reverse_kl().unwrap() - 2f64.ln()).abs() < 1e-15);
    let nothing = two_modes(&[[5.0, 5.0]]);
    assert_eq!(nothing.covered(), 0);
    assert_eq!(nothing.high_quality(), 0.0);
    assert_eq!(nothing.reverse_kl(), None);
}

#[test]
fn the_true_grid_is_fully_covered_at_the_3_sigma_rate() {
    // Samples of the grid itself: every mode covered, and a 2D Gaussian sample lies within 3σ
    // of its mean with probability 1 − e^{−9/2} ≈ 0.98889.
    use rand::SeedableRng;
    let m = GaussianMixture2d::grid25();
    let x = m.sample(50_000, &mut rand_chacha::ChaCha8Rng::seed_from_u64(3));
    let r = ModeReport::from_mixture(&x, &m.means, m.std, 3.0).expect("valid");
    assert_eq!(r.covered(), 25);
    let p = 1.0 - (-4.5f64).exp();
    let se = (p * (1.0 - p) / 50_000.0).sqrt();
    assert!(
        (r.high_quality() - p).abs() < 5.0 * se,
        "{}",
        r.high_quality()
    );
    assert!(r.reverse_kl().unwrap() < 0.01);
}

#[test]
fn labels_histogram_and_bad_input() {
    let r = ModeReport::from_labels(&[0, 0, 3, 999], 1000).expect("valid");
    assert_eq!(r.covered(), 3);
    assert_eq!(r.high_quality(), 1.0);
    assert!(ModeReport::from_labels(&[1000], 1000).is_err());
    assert!(ModeReport::from_mixture(&[[0.0, 0.0]], &[], 1.0, 3.0).is_err());
    assert!(ModeReport::from_mixture(&[[f64::NAN, 0.0]], &[[0.0, 0.0]], 1.0, 3.0).is_err());
}
