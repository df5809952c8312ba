//! Image views: exact values, reproducibility, and the statistics of the random draws.

use genzoo_data::mnist::Split;
use genzoo_data::{
    Array, ImageView, Images, ViewRng, binarisation_fingerprint, load_mnist_split, to_array,
    to_array_rows,
};

use crate::{mnist_dir, synthetic_images};

/// Fingerprint of the fixed binarisation of `synthetic_images(64, 28, 28)` (test split salt),
/// recorded when the scheme was written. If this changes, every binarised-MNIST number changes.
const SYNTHETIC_FIXED_FINGERPRINT: u64 = 0xc2f5_e901_6cb3_b67c;
/// Fingerprint of the fixed binarisation of the real MNIST test split, recorded likewise.
const MNIST_TEST_FIXED_FINGERPRINT: u64 = 0x1d0b_f778_c6c7_3da6;

fn images() -> Images {
    synthetic_images(64, 28, 28)
}

fn rng(split: Split, seed: u64, epoch: u64) -> ViewRng {
    ViewRng::new(split, seed, epoch)
}

#[test]
fn unit_and_symmetric_are_exact_affine_maps() {
    let img = images();
    let unit = to_array(&img, ImageView::Unit, rng(Split::Train, 0, 0));
    let sym = to_array(&img, ImageView::Symmetric, rng(Split::Train, 0, 0));
    assert_eq!(unit.shape, vec![64, 1, 28, 28]);
    for ((&p, &u), &s) in img.pixels.iter().zip(&unit.values).zip(&sym.values) {
        assert_eq!(u, f32::from(p) / 255.0);
        assert!((s - (2.0 * u - 1.0)).abs() < 1e-6);
        if p == 0 {
            assert_eq!((u, s), (0.0, -1.0));
        }
        if p == 255 {
            assert_eq!((u, s), (1.0, 1.0));
        }
    }
}

#[test]
fn dequantised_values_lie_in_their_pixel_bin_and_are_uniform_within_it() {
    let img = images();
    let a = to_array(&img, ImageView::Dequantised, rng(Split::Train, 3, 0));
    let mut offset_sum = 0.0;
    for (&p, &x) in img.pixels.iter().zip(&a.values) {
        let lo = f32::from(p) / 256.0;
        let hi = (f32::from(p) + 1.0) / 256.0;
        assert!(lo <= x && x < hi, "p={p}, x={x}");
        offset_sum += f64::from(x) * 256.0 - f64::from(p);
    }
    // u ~ U[0, 1): mean 1/2, variance 1/12; allow 5 standard errors.
    let count = a.values.len() as f64;
    let tol = 5.0 * (1.0 / 12.0 / count).sqrt();
    assert!((offset_sum / count - 0.5).abs() < tol);
    let next_epoch = to_array(&img, ImageView::Dequantised, rng(Split::Train, 3, 1));
    assert_ne!(a, next_epoch);
}

#[test]
fn fixed_binarisation_is_pinned_and_ignores_seed_and_epoch() {
    let img = images();
    let a = to_array(&img, ImageView::BinaryFixed, rng(Split::Test, 0, 0));
    let b = to_array(&img, ImageView::BinaryFixed, rng(Split::Test, 99, 7));
    assert_eq!(a, b);
    assert!(a.values.iter().all(|&v| v == 0.0 || v == 1.0));
    let fingerprint = binarisation_fingerprint(&a);
    eprintln!("synthetic fixed binarisation fingerprint: {fingerprint:#018x}");
    assert_eq!(fingerprint, SYNTHETIC_FIXED_FINGERPRINT);

    let train = to_array(&img, ImageView::BinaryFixed, rng(Split::Train, 0, 0));
    assert_ne!(a, train, "splits must not share binarisation noise");
}

#[test]
fn dynamic_binarisation_is_a_function_of_seed_and_epoch() {
    let img = images();
    let draw = |seed, epoch| {
        to_array(
            &img,
            ImageView::BinaryDynamic,
            rng(Split::Train, seed, epoch),
        )
    };
    assert_eq!(draw(5, 2), draw(5, 2));
    assert_ne!(draw(5, 2), draw(5, 3));
    assert_ne!(draw(5, 2), draw(6, 2));
}

#[test]
fn binarised_mean_matches_pixel_intensity() {
    // Law of large numbers: the sum of independent Bernoulli(q_k) has variance Σ q_k(1 − q_k).
    let img = images();
    let q: Vec<f64> = img.pixels.iter().map(|&p| f64::from(p) / 255.0).collect();
    let variance: f64 = q.iter().map(|q| q * (1.0 - q)).sum();
    let tol = 5.0 * variance.sqrt();
    for view in [ImageView::BinaryFixed, ImageView::BinaryDynamic] {
        let a = to_array(&img, view, rng(Split::Valid, 1, 4));
        let ones: f64 = a.values.iter().map(|&v| f64::from(v)).sum();
        let expected: f64 = q.iter().sum();
        assert!(
            (ones - expected).abs() < tol,
            "{view}: {ones} vs {expected} ± {tol}"
        );
    }
    // The extremes are deterministic: black never fires, white always does.
    let a = to_array(&img, ImageView::BinaryDynamic, rng(Split::Train, 0, 0));
    for (&p, &v) in img.pixels.iter().zip(&a.values) {
        match p {
            0 => assert_eq!(v, 0.0),
            255 => assert_eq!(v, 1.0),
            _ => {}
        }
    }
}

#[test]
fn batch_views_equal_rows_of_the_whole_view() {
    let img = images();
    let indices = [63, 0, 17, 17, 5];
    for view in ImageView::ALL {
        let r = rng(Split::Train, 11, 2);
        let whole: Array = to_array(&img, view, r);
        assert_eq!(
            to_array_rows(&img, &indices, view, r),
            whole.gather(&indices),
            "{view}"
        );
    }
}

#[test]
fn view_names_round_trip() {
    for view in ImageView::ALL {
        assert_eq!(view.to_string().parse::<ImageView>().unwrap(), view);
    }
    let err = "binary".parse::<ImageView>().unwrap_err().to_string();
    assert!(
        err.contains("binary-fixed") && err.contains("dequantised"),
        "{err}"
    );
}

#[test]
fn real_mnist_fixed_binarisation_is_pinned() {
    let Some(dir) = mnist_dir("real_mnist_fixed_binarisation_is_pinned") else {
        return;
    };
    let test = load_mnist_split(&dir, Split::Test).unwrap();
    let a = to_array(&test.images, ImageView::BinaryFixed, rng(Split::Test, 0, 0));
    let fingerprint = binarisation_fingerprint(&a);
    eprintln!("MNIST test fixed binarisation fingerprint: {fingerprint:#018x}");
    assert_eq!(fingerprint, MNIST_TEST_FIXED_FINGERPRINT);
}
