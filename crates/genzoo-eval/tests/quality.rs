//! The sample-quality metrics against closed forms, brute force and their defining properties.
//!
//! FID: zero for a set with itself; the closed form for commuting covariances; the 2×2 identity
//! `Tr √A = √(Tr A + 2√det A)` (for a 2×2 matrix with non-negative eigenvalues,
//! `(√λ₁ + √λ₂)² = λ₁ + λ₂ + 2√(λ₁λ₂)`) for non-commuting ones; an independent Denman–Beavers
//! square root of the non-symmetric `Σ₁Σ₂`; growth with noise and blur. KID: the kernel by
//! hand, the estimator against explicit loops, unbiasedness over many same-distribution draws.
//! Precision/recall: identical and disjoint sets, a 1-D case by hand, brute force. Classifier
//! scores: hand-made probability vectors. Tests on real MNIST run when `GENZOO_MNIST_DIR` is
//! set and otherwise report themselves SKIPPED.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, ImageView, Split, ViewRng, load_mnist_split, rng_for, to_array_rows};
use genzoo_eval::EvalError;
use genzoo_eval::classifier_scores::{classifier_scores, softmax_rows};
use genzoo_eval::degrade::{gaussian_blur, gaussian_noise};
use genzoo_eval::features::{Features, from_rows};
use genzoo_eval::fid::{Moments, fid, frechet_distance, sqrtm_psd, trace_sqrt_product};
use genzoo_eval::intensity::{from_intensities, to_intensities};
use genzoo_eval::kid::{KidOptions, kid, mmd2_unbiased, polynomial_kernel};
use genzoo_eval::precision_recall::{knn_sq_radii, precision_recall};
use genzoo_eval::quality::{FeatureNet, QualityOptions, quality};
use genzoo_models::{Classify, ModelError};
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

const STREAM_TEST: u64 = u64::from_be_bytes(*b"qualtest");

/// `n × f` standard normal values.
fn normal(n: usize, f: usize, seed: u64) -> Features {
    let mut rng = rng_for(seed, STREAM_TEST, 0);
    DMatrix::from_fn(n, f, |_, _| StandardNormal.sample(&mut rng))
}

/// `n` draws of `A z + b`, `z ~ N(0, I_f)`, with fixed `A` and `b` for each width `f`:
/// correlated Gaussian features, one distribution per width whatever the seed.
fn correlated(n: usize, f: usize, seed: u64) -> Features {
    let a = normal(f, f, u64::MAX - f as u64) / (f as f64).sqrt();
    let mut x = normal(n, f, seed) * a.transpose();
    for (j, mut col) in x.column_iter_mut().enumerate() {
        col.add_scalar_mut(j as f64 * 0.3);
    }
    x
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

// ---------------------------------------------------------------- FID

#[test]
fn fid_of_a_set_with_itself_is_zero() {
    for (n, f) in [(500, 16), (20, 40)] {
        // (20, 40): fewer examples than features, a singular covariance.
        let x = correlated(n, f, 1);
        let r = fid(&x, &x).unwrap();
        let scale = Moments::of(&x).unwrap().cov.trace();
        assert!(r.fid <= 1e-9 * scale, "n={n} f={f}: {r:?}");
        assert!(r.trace_term.abs() <= 1e-9 * scale, "{r:?}");
        assert_eq!(r.mean_term, 0.0);
    }
}

#[test]
fn fid_with_fewer_examples_than_features_agrees_with_the_moment_route() {
    // n ≤ F: `fid` takes the exact-factor route (singular values of G₁ᵀG₂); the eigen route of
    // `frechet_distance` gives the same number up to its √ε-sized clamping error.
    for (n1, n2) in [(30, 35), (30, 200)] {
        let x = correlated(n1, 40, 90);
        let y = correlated(n2, 40, 91) * 1.3;
        let exact = fid(&x, &y).unwrap();
        let moments = frechet_distance(&Moments::of(&x).unwrap(), &Moments::of(&y).unwrap());
        let moments = moments.unwrap();
        assert!(
            rel_close(exact.fid, moments.fid, 1e-5),
            "{exact:?} vs {moments:?}"
        );
        assert_eq!(exact.mean_term, moments.mean_term);
    }
}

#[test]
fn moments_are_the_unbiased_ones() {
    // Rows (0,0), (2,0), (1,3): mean (1,1); deviations (−1,−1), (1,−1), (0,2);
    // Σ = [[2, 0], [0, 6]] / (3 − 1).
    let x = DMatrix::from_row_slice(3, 2, &[0.0, 0.0, 2.0, 0.0, 1.0, 3.0]);
    let m = Moments::of(&x).unwrap();
    assert_eq!(m.mean, DVector::from_vec(vec![1.0, 1.0]));
    let expected = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 3.0]);
    assert!((m.cov - expected).abs().max() < 1e-15);
}

fn moments(mean: &[f64], cov: DMatrix<f64>) -> Moments {
    Moments {
        mean: DVector::from_row_slice(mean),
        cov,
        n: 0,
    }
}

#[test]
fn fid_matches_the_closed_form_for_commuting_covariances() {
    // Σ₁ = R diag(a) Rᵀ, Σ₂ = R diag(b) Rᵀ commute, so (Σ₁Σ₂)^½ = R diag(√(ab)) Rᵀ:
    // d² = ‖μ₁ − μ₂‖² + Σᵢ (aᵢ + bᵢ − 2√(aᵢbᵢ)) = ‖μ₁ − μ₂‖² + Σᵢ (√aᵢ − √bᵢ)².
    let a: [f64; 3] = [1.0, 4.0, 0.25];
    let b: [f64; 3] = [9.0, 1.0, 0.25];
    let (mu1, mu2): ([f64; 3], [f64; 3]) = ([0.0, 1.0, -1.0], [3.0, -1.0, 0.5]);
    let expected = (0..3).map(|i| (mu1[i] - mu2[i]).powi(2)).sum::<f64>()
        + (0..3)
            .map(|i| a[i].sqrt() - b[i].sqrt())
            .map(|d| d * d)
            .sum::<f64>();
    // By hand: 9 + 4 + 2.25 + (1 − 3)² + (2 − 1)² + 0 = 20.25.
    assert!((expected - 20.25).abs() < 1e-12);
    let diag = |v: [f64; 3]| DMatrix::from_diagonal(&DVector::from_row_slice(&v));
    let r = frechet_distance(&moments(&mu1, diag(a)), &moments(&mu2, diag(b))).unwrap();
    assert!(rel_close(r.fid, expected, 1e-12), "{r:?}");
    // The same after a rotation (no longer diagonal): a QR factor of a random matrix.
    let q = normal(3, 3, 7).qr().q();
    let rot = |v| &q * diag(v) * q.transpose();
    let r = frechet_distance(&moments(&mu1, rot(a)), &moments(&mu2, rot(b))).unwrap();
    assert!(rel_close(r.fid, expected, 1e-12), "{r:?}");
}

#[test]
fn fid_matches_a_hand_computation_for_non_commuting_2x2_covariances() {
    // Σ₁ = [[1, 0], [0, 4]], Σ₂ = [[2, 1], [1, 2]] do not commute (Σ₁Σ₂ = [[2, 1], [4, 8]],
    // Σ₂Σ₁ = [[2, 4], [1, 8]]). Tr(Σ₁Σ₂) = 10, det Σ₁ det Σ₂ = 4 · 3 = 12, so
    // Tr (Σ₁Σ₂)^½ = √(10 + 2√12) = 4.114390..., and with μ₁ = 0, μ₂ = (1, 2):
    // d² = 5 + 5 + 4 − 2 · 4.114390 = 5.771220...
    let s1 = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 0.0, 4.0]);
    let s2 = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
    let tr_sqrt = (10.0f64 + 2.0 * 12.0f64.sqrt()).sqrt();
    let (t, clamp) = trace_sqrt_product(&s1, &s2).unwrap();
    assert!(rel_close(t, tr_sqrt, 1e-13), "{t} vs {tr_sqrt}");
    assert_eq!(clamp.count, 0);
    let r = frechet_distance(&moments(&[0.0, 0.0], s1), &moments(&[1.0, 2.0], s2)).unwrap();
    assert!(rel_close(r.fid, 14.0 - 2.0 * tr_sqrt, 1e-13), "{r:?}");
    assert!((r.fid - 5.771_220_4).abs() < 1e-7, "{r:?}");
}

/// `√A` of a matrix with positive real eigenvalues by the Denman–Beavers iteration
/// `Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2` from `Y = A, Z = I`: no eigendecomposition, no symmetry.
fn denman_beavers(a: &DMatrix<f64>) -> DMatrix<f64> {
    let (mut y, mut z) = (a.clone(), DMatrix::identity(a.nrows(), a.nrows()));
    for _ in 0..60 {
        let y_inv = y.clone().try_inverse().unwrap();
        let z_inv = z.clone().try_inverse().unwrap();
        (y, z) = ((&y + z_inv) * 0.5, (&z + y_inv) * 0.5);
    }
    y
}

#[test]
fn trace_sqrt_product_matches_denman_beavers_on_the_non_symmetric_product() {
    let f = 6;
    let b1 = normal(f, f, 3);
    let b2 = normal(f, f, 4);
    let eye = DMatrix::<f64>::identity(f, f);
    let s1 = &b1 * b1.transpose() + &eye * 0.1;
    let s2 = &b2 * b2.transpose() + &eye * 0.1;
    let root = denman_beavers(&(&s1 * &s2));
    // The iteration really found a square root of the product.
    assert!((&root * &root - &s1 * &s2).abs().max() < 1e-9 * (&s1 * &s2).abs().max());
    let (t, _) = trace_sqrt_product(&s1, &s2).unwrap();
    assert!(rel_close(t, root.trace(), 1e-10), "{t} vs {}", root.trace());
}

#[test]
fn psd_square_root_squares_to_its_input() {
    let b = normal(6, 6, 5);
    let a = &b * b.transpose();
    let (s, clamp) = sqrtm_psd(&a).unwrap();
    assert!((&s - s.transpose()).abs().max() == 0.0, "not symmetric");
    assert!((&s * &s - &a).abs().max() < 1e-12 * a.abs().max());
    assert!(s.symmetric_eigenvalues().min() > 0.0);
    assert_eq!(clamp.count, 0);
    // A singular PSD matrix (rank 2 in 5-D): rounding leaves tiny negative eigenvalues, which
    // are clamped, counted, and tiny relative to the largest.
    let c = normal(5, 2, 6);
    let a = &c * c.transpose();
    let (s, clamp) = sqrtm_psd(&a).unwrap();
    assert!((&s * &s - &a).abs().max() < 1e-12 * a.abs().max());
    assert!(clamp.worst_relative > -1e-12, "{clamp:?}");
    assert!(matches!(
        sqrtm_psd(&DMatrix::zeros(2, 3)),
        Err(EvalError::Shape(_))
    ));
}

#[test]
fn fid_grows_with_feature_noise() {
    let reference = correlated(2000, 8, 10);
    let mut last = -1.0;
    for sigma in [0.0, 0.1, 0.3, 1.0, 3.0] {
        // Another draw from the same distribution, then noised.
        let noised = correlated(2000, 8, 11) + normal(2000, 8, 12) * sigma;
        let d = fid(&reference, &noised).unwrap().fid;
        assert!(d > last, "σ={sigma}: {d} after {last}");
        last = d;
    }
}

/// `n` smooth random 12×12 images in [0, 1]: a Gaussian blob at a random place and width.
fn blobs(n: usize, seed: u64) -> Array {
    const SIDE: usize = 12;
    let mut rng = rng_for(seed, STREAM_TEST, 1);
    let mut values = Vec::with_capacity(n * SIDE * SIDE);
    for _ in 0..n {
        let (cy, cx) = (rng.random_range(3.0..9.0), rng.random_range(3.0..9.0));
        let w: f64 = rng.random_range(0.8..2.0);
        for y in 0..SIDE {
            for x in 0..SIDE {
                let r2 = (y as f64 - cy).powi(2) + (x as f64 - cx).powi(2);
                values.push((-r2 / (2.0 * w * w)).exp() as f32);
            }
        }
    }
    Array::new(vec![n, 1, SIDE, SIDE], values).unwrap()
}

/// Pixels as features.
fn pixels(a: &Array) -> Features {
    from_rows(a.len(), a.example_size(), &a.values).unwrap()
}

#[test]
fn pixel_fid_grows_as_synthetic_images_are_noised_or_blurred() {
    let reference = pixels(&blobs(1500, 20));
    let other = blobs(1500, 21);
    let mut last = -1.0;
    for sigma in [0.0, 0.05, 0.1, 0.2, 0.4] {
        let d = fid(&reference, &pixels(&gaussian_noise(&other, sigma, 0))).unwrap();
        assert!(d.fid > last, "noise σ={sigma}: {} after {last}", d.fid);
        last = d.fid;
    }
    let mut last = -1.0;
    for sigma in [0.0, 0.7, 1.5, 3.0] {
        let d = fid(&reference, &pixels(&gaussian_blur(&other, sigma).unwrap())).unwrap();
        assert!(d.fid > last, "blur σ={sigma}: {} after {last}", d.fid);
        last = d.fid;
    }
}

/// The first `n` MNIST test images (`offset..offset+n`) in [0, 1], or `None` without MNIST.
fn mnist_test(test: &str, offset: usize, n: usize) -> Option<Array> {
    let Some(dir) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!("SKIPPED {test}: GENZOO_MNIST_DIR not set");
        return None;
    };
    let set = load_mnist_split(std::path::Path::new(&dir), Split::Test).unwrap();
    let rows: Vec<usize> = (offset..offset + n).collect();
    Some(to_array_rows(
        &set.images,
        &rows,
        ImageView::Unit,
        ViewRng::new(Split::Test, 0, 0),
    ))
}

/// 2×2 average pooling of `[n, 1, h, w]` images: 196 pixel features for MNIST, enough to rank
/// degradations and cheap to decompose.
fn pooled_pixels(a: &Array) -> Features {
    let (h, w) = (a.shape[2], a.shape[3]);
    let (ph, pw) = (h / 2, w / 2);
    DMatrix::from_fn(a.len(), ph * pw, |i, j| {
        let (y, x) = (2 * (j / pw), 2 * (j % pw));
        let img = a.row(i);
        let at = |yy: usize, xx: usize| f64::from(img[yy * w + xx]);
        (at(y, x) + at(y + 1, x) + at(y, x + 1) + at(y + 1, x + 1)) / 4.0
    })
}

#[test]
fn mnist_pixel_fid_grows_with_noise_and_blur_when_available() {
    let test = "mnist_pixel_fid_grows_with_noise_and_blur_when_available";
    let (Some(reference), Some(other)) = (mnist_test(test, 0, 1000), mnist_test(test, 1000, 1000))
    else {
        return;
    };
    let reference = pooled_pixels(&reference);
    let mut last = -1.0;
    for sigma in [0.0, 0.05, 0.1, 0.2, 0.4] {
        let d = fid(
            &reference,
            &pooled_pixels(&gaussian_noise(&other, sigma, 0)),
        )
        .unwrap();
        assert!(d.fid > last, "noise σ={sigma}: {} after {last}", d.fid);
        last = d.fid;
    }
    let mut last = -1.0;
    for sigma in [0.0, 0.5, 1.0, 2.0] {
        let d = fid(
            &reference,
            &pooled_pixels(&gaussian_blur(&other, sigma).unwrap()),
        )
        .unwrap();
        assert!(d.fid > last, "blur σ={sigma}: {} after {last}", d.fid);
        last = d.fid;
    }
}

// ---------------------------------------------------------------- KID

#[test]
fn cubic_kernel_on_hand_values() {
    // xᵀy = 1·3 + 2·(−1) = 1, F = 2: (1/2 + 1)³ = 3.375.
    assert_eq!(polynomial_kernel(&[1.0, 2.0], &[3.0, -1.0]), 3.375);
    // xᵀy = 0: (0 + 1)³ = 1; xᵀy = −3, F = 3: (−1 + 1)³ = 0.
    assert_eq!(polynomial_kernel(&[1.0, 0.0], &[0.0, 5.0]), 1.0);
    assert_eq!(
        polynomial_kernel(&[1.0, 1.0, 1.0], &[-1.0, -1.0, -1.0]),
        0.0
    );
}

/// The unbiased MMD² by explicit loops over pairs.
fn mmd2_loops(x: &Features, y: &Features) -> f64 {
    let m = x.nrows();
    let row = |a: &Features, i: usize| a.row(i).iter().copied().collect::<Vec<f64>>();
    let (mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0);
    for i in 0..m {
        for j in 0..m {
            if i != j {
                xx += polynomial_kernel(&row(x, i), &row(x, j));
                yy += polynomial_kernel(&row(y, i), &row(y, j));
            }
            xy += polynomial_kernel(&row(x, i), &row(y, j));
        }
    }
    let pairs = (m * (m - 1)) as f64;
    xx / pairs + yy / pairs - 2.0 * xy / (m * m) as f64
}

#[test]
fn mmd2_matches_explicit_loops() {
    let x = normal(7, 3, 30);
    let y = normal(7, 3, 31) * 1.5;
    let fast = mmd2_unbiased(&x, &y).unwrap();
    assert!(rel_close(fast, mmd2_loops(&x, &y), 1e-12), "{fast}");
    assert!(matches!(
        mmd2_unbiased(&x, &normal(6, 3, 0)),
        Err(EvalError::Shape(_))
    ));
}

#[test]
fn kid_is_unbiased_on_same_distribution_sets() {
    // 400 independent pairs of sets of 40 from one distribution: the mean estimate is 0 within
    // 4 standard errors. The biased (V-statistic) estimate, which keeps the diagonal, sits many
    // standard errors above 0 — the test can tell the two apart.
    const DRAWS: usize = 400;
    const M: usize = 40;
    let mut unbiased = Vec::with_capacity(DRAWS);
    let mut biased = Vec::with_capacity(DRAWS);
    for s in 0..DRAWS as u64 {
        let x = correlated(M, 4, 100 + 2 * s);
        let y = correlated(M, 4, 101 + 2 * s);
        let u = mmd2_unbiased(&x, &y).unwrap();
        let k = |a: &Features, b: &Features| (a * b.transpose() / 4.0).map(|d| (d + 1.0).powi(3));
        let m2 = (M * M) as f64;
        biased.push((k(&x, &x).sum() + k(&y, &y).sum() - 2.0 * k(&x, &y).sum()) / m2);
        unbiased.push(u);
    }
    let stats = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        (mean, sd / n.sqrt())
    };
    let (mean, se) = stats(&unbiased);
    assert!(mean.abs() < 4.0 * se, "unbiased mean {mean} ± {se}");
    let (bmean, bse) = stats(&biased);
    assert!(bmean > 10.0 * bse, "biased mean {bmean} ± {bse}");
}

#[test]
fn kid_over_subsets_separates_distributions_and_follows_its_seed() {
    let x = correlated(600, 6, 40);
    let same = correlated(600, 6, 41);
    let shifted = correlated(600, 6, 42).add_scalar(1.0);
    let options = KidOptions {
        subsets: 20,
        subset_size: 200,
        seed: 3,
    };
    let k_same = kid(&x, &same, &options).unwrap();
    let k_shift = kid(&x, &shifted, &options).unwrap();
    assert_eq!(k_same.subset_size, 200);
    assert!(k_same.mean.abs() < 3.0 * k_same.std, "{k_same:?}");
    assert!(k_shift.mean > 4.0 * k_shift.std, "{k_shift:?}");
    assert_eq!(kid(&x, &same, &options).unwrap(), k_same);
    let other_seed = KidOptions { seed: 4, ..options };
    assert_ne!(kid(&x, &same, &other_seed).unwrap().mean, k_same.mean);
    // The subset size is capped at the smaller set.
    let small = kid(&x, &same.rows(0, 50).into_owned(), &options).unwrap();
    assert_eq!((small.subset_size, small.subsets), (50, 20));
    // Two sets of exactly the subset size: one estimate, the plain MMD² of the two sets.
    let (x50, y50) = (x.rows(0, 50).into_owned(), same.rows(0, 50).into_owned());
    let whole = kid(&x50, &y50, &options).unwrap();
    assert_eq!((whole.subsets, whole.std), (1, 0.0));
    // Equal up to the order of summation (the subset is a permutation of the rows).
    let direct = mmd2_unbiased(&x50, &y50).unwrap();
    assert!((whole.mean - direct).abs() < 1e-10, "{whole:?} vs {direct}");
}

// ---------------------------------------------------------------- precision / recall

#[test]
fn precision_and_recall_of_identical_and_of_disjoint_sets() {
    let x = correlated(300, 5, 50);
    let pr = precision_recall(&x, &x, 3).unwrap();
    assert_eq!((pr.precision, pr.recall), (1.0, 1.0));
    let far = correlated(300, 5, 51).add_scalar(1e3);
    let pr = precision_recall(&x, &far, 3).unwrap();
    assert_eq!((pr.precision, pr.recall), (0.0, 0.0));
}

#[test]
fn precision_and_recall_on_a_1d_case_by_hand() {
    // Real {0, 1, 2, 10}: 1st-neighbour radii 1, 1, 1, 8. Fake {0.5, 1.5, 3.2}: radii 1, 1, 1.7.
    // Precision: 0.5 ∈ B(0,1), 1.5 ∈ B(1,1), 3.2 ∈ B(10,8) → 3/3.
    // Recall: 0 ∈ B(0.5,1), 1 ∈ B(0.5,1), 2 ∈ B(1.5,1), 10 is 6.8 from 3.2 > 1.7 → 3/4.
    let real = DMatrix::from_column_slice(4, 1, &[0.0, 1.0, 2.0, 10.0]);
    let fake = DMatrix::from_column_slice(3, 1, &[0.5, 1.5, 3.2]);
    let radii = knn_sq_radii(&real, 1).unwrap();
    assert_eq!(radii, vec![1.0, 1.0, 1.0, 64.0]);
    let pr = precision_recall(&real, &fake, 1).unwrap();
    assert_eq!((pr.precision, pr.recall), (1.0, 0.75));
    // k = 2: real radii 2, 1, 2, 9; fake radii 2.7, 1.7, 2.7.
    // Precision: all three inside; recall: 10 is 6.8 from 3.2 > 2.7 → 3/4 again; with
    // k = 3 the fake radii are undefined (3 points) and refused.
    assert_eq!(knn_sq_radii(&real, 2).unwrap(), vec![4.0, 1.0, 4.0, 81.0]);
    assert!(matches!(
        precision_recall(&real, &fake, 3),
        Err(EvalError::TooFew { .. })
    ));
}

/// Precision and recall from explicit distances and sorting.
fn pr_brute_force(real: &Features, fake: &Features, k: usize) -> (f64, f64) {
    let dist = |a: &Features, i: usize, b: &Features, j: usize| (a.row(i) - b.row(j)).norm();
    let radii = |x: &Features| -> Vec<f64> {
        (0..x.nrows())
            .map(|i| {
                let mut d: Vec<f64> = (0..x.nrows())
                    .filter(|&j| j != i)
                    .map(|j| dist(x, i, x, j))
                    .collect();
                d.sort_by(f64::total_cmp);
                d[k - 1]
            })
            .collect()
    };
    let (rr, rf) = (radii(real), radii(fake));
    let inside = |p: &Features, i: usize, set: &Features, r: &[f64]| {
        (0..set.nrows()).any(|j| dist(p, i, set, j) <= r[j])
    };
    let precision = (0..fake.nrows())
        .filter(|&i| inside(fake, i, real, &rr))
        .count();
    let recall = (0..real.nrows())
        .filter(|&i| inside(real, i, fake, &rf))
        .count();
    (
        precision as f64 / fake.nrows() as f64,
        recall as f64 / real.nrows() as f64,
    )
}

#[test]
fn precision_and_recall_match_brute_force() {
    // More rows than one distance block (256), overlapping but different distributions.
    let real = correlated(300, 3, 60);
    let fake = correlated(280, 3, 61) * 1.4;
    let pr = precision_recall(&real, &fake, 3).unwrap();
    let (p, r) = pr_brute_force(&real, &fake, 3);
    assert_eq!((pr.precision, pr.recall), (p, r));
    assert!(
        p > 0.05 && p < 0.95 && r > 0.05 && r < 0.95,
        "{p} {r}: not a telling case"
    );
}

// ---------------------------------------------------------------- classifier scores

fn probs(rows: &[&[f64]]) -> DMatrix<f64> {
    DMatrix::from_row_iterator(
        rows.len(),
        rows[0].len(),
        rows.iter().flat_map(|r| r.iter().copied()),
    )
}

#[test]
fn classifier_scores_on_hand_made_probabilities() {
    let ln = f64::ln;
    // One confident example per class: the ideal.
    let s = classifier_scores(
        &probs(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]]),
        0.1,
    )
    .unwrap();
    assert_eq!(s.mean_confidence, 1.0);
    assert_eq!(s.mean_label_entropy, 0.0);
    assert_eq!(s.histogram, vec![1, 1, 1]);
    assert!((s.histogram_entropy - ln(3.0)).abs() < 1e-15);
    assert_eq!(s.modes_covered, 3);
    assert!((s.inception_score - 3.0).abs() < 1e-14);
    // Two examples: (½, ½, 0) and (0, 0, 1). Confidence (½ + 1)/2 = 0.75; label entropy
    // (ln 2 + 0)/2; p̄ = (¼, ¼, ½); E KL = ½[½ ln(½/¼)·2] + ½[ln(1/½)] = ½ ln 2 + ½ ln 2 = ln 2,
    // so the score is 2. The first row's argmax is its first maximum, class 0.
    let s = classifier_scores(&probs(&[&[0.5, 0.5, 0.0], &[0.0, 0.0, 1.0]]), 0.1).unwrap();
    assert_eq!(s.mean_confidence, 0.75);
    assert!((s.mean_label_entropy - ln(2.0) / 2.0).abs() < 1e-15);
    assert!((s.inception_score - 2.0).abs() < 1e-14, "{s:?}");
    assert_eq!(s.histogram, vec![1, 0, 1]);
    assert!((s.histogram_entropy - ln(2.0)).abs() < 1e-15);
    assert_eq!(s.modes_covered, 2);
    // Uniform predictions: no information, score 1.
    let u = 1.0 / 3.0;
    let s = classifier_scores(&probs(&[&[u, u, u], &[u, u, u]]), 0.1).unwrap();
    assert!((s.mean_label_entropy - ln(3.0)).abs() < 1e-15);
    assert!((s.inception_score - 1.0).abs() < 1e-14);
    // Mode coverage threshold: 20 of class 0 and 1 of class 1 out of 21 with C = 2 and
    // f = 0.1: a class needs max(1, 0.1 · 21 / 2) = 1.05 examples, so only class 0 counts.
    let mut rows: Vec<&[f64]> = vec![&[1.0, 0.0]; 20];
    rows.push(&[0.0, 1.0]);
    let s = classifier_scores(&probs(&rows), 0.1).unwrap();
    assert_eq!((s.histogram.clone(), s.modes_covered), (vec![20, 1], 1));
    assert_eq!(
        classifier_scores(&probs(&rows), 0.0).unwrap().modes_covered,
        2
    );
    // Rows that are not distributions are refused.
    assert!(classifier_scores(&probs(&[&[0.5, 0.4]]), 0.1).is_err());
}

#[test]
fn softmax_is_stable_and_exact_on_hand_logits() {
    // logits (0, ln 2, ln 3) + c → (1, 2, 3)/6 for any offset c.
    for c in [0.0, 1000.0, -1000.0] {
        let p = softmax_rows(&probs(&[&[c, c + 2f64.ln(), c + 3f64.ln()]]));
        for (v, e) in p.iter().zip([1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]) {
            // c + ln 2 rounds at 1e-13 for c = ±1000; exact for c = 0.
            assert!((v - e).abs() < 1e-12, "{p}");
        }
    }
}

// ---------------------------------------------------------------- intensities, degradations

#[test]
fn intensities_round_trip_and_count_clamps() {
    let mut v = vec![-1.0f32, 0.0, 1.0, 1.5, -3.0];
    let clamped = to_intensities(&mut v, ImageView::Symmetric);
    assert_eq!(v, vec![0.0, 0.5, 1.0, 1.0, 0.0]);
    assert_eq!(clamped, 2);
    let mut u = vec![0.0f32, 0.25, 1.0];
    from_intensities(&mut u, ImageView::Symmetric);
    assert_eq!(u, vec![-1.0, -0.5, 1.0]);
    from_intensities(&mut u, ImageView::Unit);
    assert_eq!(u, vec![-1.0, -0.5, 1.0]);
}

#[test]
fn noise_follows_the_image_and_blur_keeps_constants() {
    let a = blobs(10, 70);
    let noised = gaussian_noise(&a, 0.2, 5);
    assert_eq!(gaussian_noise(&a.slice(0, 3), 0.2, 5), noised.slice(0, 3));
    assert!(noised.values.iter().all(|v| (0.0..=1.0).contains(v)));
    let flat = Array::new(vec![2, 1, 5, 7], vec![0.25; 70]).unwrap();
    let blurred = gaussian_blur(&flat, 1.3).unwrap();
    assert!(blurred.values.iter().all(|v| (v - 0.25).abs() < 1e-6));
}

// ---------------------------------------------------------------- the one-pass report

/// A fixed random feature net: features tanh(x W₁) `[B, F]`, logits features·W₂ `[B, C]`.
struct RandomNet {
    w1: Tensor<2>,
    w2: Tensor<2>,
    f: usize,
    c: usize,
}

impl RandomNet {
    fn new(d: usize, f: usize, c: usize, seed: u64) -> Self {
        let dev = Device::flex();
        let mut rng = rng_for(seed, STREAM_TEST, 2);
        let mut draw = |n: usize, scale: f32| -> Vec<f32> {
            (0..n)
                .map(|_| {
                    let e: f32 = StandardNormal.sample(&mut rng);
                    scale * e
                })
                .collect()
        };
        let w1 = Tensor::from_data(
            TensorData::new(draw(d * f, 3.0 / (d as f32).sqrt()), [d, f]),
            &dev,
        );
        let w2 = Tensor::from_data(TensorData::new(draw(f * c, 3.0), [f, c]), &dev);
        RandomNet { w1, w2, f, c }
    }
}

impl Classify for RandomNet {
    fn num_classes(&self) -> usize {
        self.c
    }
    fn feature_dim(&self) -> usize {
        self.f
    }
    fn features_and_logits(&self, x: Tensor<2>) -> Result<(Tensor<2>, Tensor<2>), ModelError> {
        let phi = x.matmul(self.w1.clone()).tanh(); // [B, F]
        let logits = phi.clone().matmul(self.w2.clone()); // [B, C]
        Ok((phi, logits))
    }
}

fn net_id(shape: &[usize]) -> FeatureNet {
    FeatureNet {
        family: "random".into(),
        checkpoint: "none".into(),
        step: 7,
        weights: "raw".into(),
        sha256: "0".repeat(64),
        input_shape: shape.to_vec(),
        view: "unit".into(),
    }
}

fn small_options() -> QualityOptions {
    QualityOptions {
        batch_size: 64,
        kid: KidOptions {
            subsets: 10,
            subset_size: 100,
            seed: 0,
        },
        ..QualityOptions::default()
    }
}

#[test]
fn quality_of_a_set_against_itself_and_against_noise() {
    let images = blobs(300, 80);
    let net = RandomNet::new(144, 16, 4, 1);
    let id = net_id(&[1, 12, 12]);
    let dev = Device::flex();
    let r = quality(&net, &id, &images, &images, &small_options(), &dev).unwrap();
    assert_eq!(r.feature_net, id);
    let m = &r.metrics;
    assert!(m.fid.fid < 1e-9, "{m:?}");
    assert_eq!(
        (m.precision_recall.precision, m.precision_recall.recall),
        (1.0, 1.0)
    );
    assert_eq!(m.generated, m.reference);
    assert_eq!(m.generated.histogram.iter().sum::<usize>(), 300);
    let noisy = gaussian_noise(&images, 0.4, 1);
    let n = quality(&net, &id, &images, &noisy, &small_options(), &dev).unwrap();
    assert!(n.metrics.fid.fid > 0.1, "{:?}", n.metrics.fid);
    assert!(n.metrics.kid.mean > 0.0);
    // Unequal sizes: precision/recall on 100 of each.
    let few = quality(
        &net,
        &id,
        &images,
        &images.slice(0, 100),
        &small_options(),
        &dev,
    )
    .unwrap();
    assert_eq!(few.metrics.precision_recall_examples, 100);
    assert_eq!(few.metrics.kid.subset_size, 100);
}

#[test]
fn quality_refuses_wrong_sizes_and_nan() {
    let net = RandomNet::new(144, 8, 3, 2);
    let id = net_id(&[1, 12, 12]);
    let dev = Device::flex();
    let images = blobs(20, 81);
    let wrong = Array::new(vec![20, 1, 10, 10], vec![0.5; 2000]).unwrap();
    let e = quality(&net, &id, &images, &wrong, &small_options(), &dev).unwrap_err();
    assert!(matches!(e, EvalError::Shape(_)), "{e}");
    assert!(e.to_string().contains("[1, 10, 10]"), "{e}");
    let mut nan = images.clone();
    nan.values[5 * 144 + 3] = f32::NAN;
    let e = quality(&net, &id, &images, &nan, &small_options(), &dev).unwrap_err();
    assert!(
        matches!(&e, EvalError::NonFiniteInput { example: 5, set } if set == "generated images"),
        "{e}"
    );
}

#[test]
fn mnist_quality_through_a_random_net_grows_with_noise_when_available() {
    let test = "mnist_quality_through_a_random_net_grows_with_noise_when_available";
    let (Some(reference), Some(other)) = (mnist_test(test, 0, 500), mnist_test(test, 500, 500))
    else {
        return;
    };
    let net = RandomNet::new(784, 32, 10, 3);
    let id = net_id(&[1, 28, 28]);
    let dev = Device::flex();
    let mut last = (-1.0, -1.0);
    for sigma in [0.0, 0.1, 0.2, 0.4] {
        let noised = gaussian_noise(&other, sigma, 0);
        let r = quality(&net, &id, &reference, &noised, &small_options(), &dev).unwrap();
        let now = (r.metrics.fid.fid, r.metrics.kid.mean);
        assert!(
            now.0 > last.0 && now.1 > last.1,
            "σ={sigma}: {now:?} after {last:?}"
        );
        last = now;
    }
}
