//! MNIST loading: file discovery, split boundaries, validation; real data when available.

use std::path::Path;

use genzoo_data::mnist::{
    MNIST_SIDE, TEST_IMAGES_FILE, TEST_LABELS_FILE, TRAIN_IMAGES_FILE, TRAIN_LABELS_FILE,
};
use genzoo_data::{
    DataError, Images, MNIST_TEST, MNIST_TRAIN, MNIST_VALID, Split, load_mnist, load_mnist_split,
    write_idx_images, write_idx_labels,
};

use crate::mnist_dir;

/// Official label counts per digit (LeCun et al.'s distribution), train set then test set.
const OFFICIAL_TRAIN_HISTOGRAM: [usize; 10] =
    [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const OFFICIAL_TEST_HISTOGRAM: [usize; 10] =
    [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

/// Digit images whose first two pixels encode the image's index, so split boundaries show.
fn indexed_images(n: usize) -> Images {
    let size = MNIST_SIDE * MNIST_SIDE;
    let mut pixels = vec![0u8; n * size];
    for i in 0..n {
        pixels[i * size] = (i % 256) as u8;
        pixels[i * size + 1] = (i / 256 % 256) as u8;
    }
    Images::new(n, MNIST_SIDE, MNIST_SIDE, pixels).unwrap()
}

fn index_of(images: &Images, i: usize) -> usize {
    let img = images.image(i);
    usize::from(img[0]) + 256 * usize::from(img[1])
}

fn histogram(labels: &[u8]) -> [usize; 10] {
    let mut h = [0; 10];
    for &l in labels {
        h[usize::from(l)] += 1;
    }
    h
}

#[test]
fn missing_file_says_which_and_that_gz_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_mnist(dir.path()).unwrap_err();
    match &err {
        DataError::Missing { path } => assert_eq!(path, &dir.path().join(TRAIN_IMAGES_FILE)),
        other => panic!("expected Missing, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(&format!("{TRAIN_IMAGES_FILE}.gz")),
        "{message}"
    );

    // The test split needs only the t10k files, and says which one is absent.
    write_idx_images(
        &dir.path().join(TEST_IMAGES_FILE),
        &indexed_images(1),
        false,
    )
    .unwrap();
    let err = load_mnist_split(dir.path(), Split::Test).unwrap_err();
    assert!(
        matches!(&err, DataError::Missing { path } if path.ends_with(TEST_LABELS_FILE)),
        "{err:?}"
    );
}

fn write_set(dir: &Path, images: &str, labels: &str, n: usize, gzip: bool) {
    let suffix = if gzip { ".gz" } else { "" };
    write_idx_images(
        &dir.join(format!("{images}{suffix}")),
        &indexed_images(n),
        gzip,
    )
    .unwrap();
    let digits: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    write_idx_labels(&dir.join(format!("{labels}{suffix}")), &digits, gzip).unwrap();
}

#[test]
fn splits_are_first_50000_last_10000_and_t10k() {
    let dir = tempfile::tempdir().unwrap();
    // Raw train images, gzipped train labels, gzipped test files: both name forms occur.
    let official_train = MNIST_TRAIN + MNIST_VALID;
    write_idx_images(
        &dir.path().join(TRAIN_IMAGES_FILE),
        &indexed_images(official_train),
        false,
    )
    .unwrap();
    let digits: Vec<u8> = (0..official_train).map(|i| (i % 10) as u8).collect();
    write_idx_labels(
        &dir.path().join(format!("{TRAIN_LABELS_FILE}.gz")),
        &digits,
        true,
    )
    .unwrap();
    write_set(
        dir.path(),
        TEST_IMAGES_FILE,
        TEST_LABELS_FILE,
        MNIST_TEST,
        true,
    );

    let mnist = load_mnist(dir.path()).unwrap();
    assert_eq!(
        (mnist.train.len(), mnist.valid.len(), mnist.test.len()),
        (MNIST_TRAIN, MNIST_VALID, MNIST_TEST)
    );
    assert_eq!(index_of(&mnist.train.images, 0), 0);
    assert_eq!(
        index_of(&mnist.train.images, MNIST_TRAIN - 1),
        MNIST_TRAIN - 1
    );
    assert_eq!(index_of(&mnist.valid.images, 0), MNIST_TRAIN);
    assert_eq!(
        index_of(&mnist.valid.images, MNIST_VALID - 1),
        official_train - 1
    );
    assert_eq!(mnist.valid.labels[0], (MNIST_TRAIN % 10) as u8);
    assert_eq!(index_of(&mnist.test.images, MNIST_TEST - 1), MNIST_TEST - 1);

    assert_eq!(
        load_mnist_split(dir.path(), Split::Valid).unwrap(),
        mnist.valid
    );
    assert_eq!(
        load_mnist_split(dir.path(), Split::Test).unwrap(),
        mnist.test
    );
}

#[test]
fn wrong_count_or_side_is_bad_dims() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path(), TEST_IMAGES_FILE, TEST_LABELS_FILE, 5, false);
    let err = load_mnist_split(dir.path(), Split::Test).unwrap_err();
    assert!(
        matches!(&err, DataError::BadDims { detail, .. } if detail.contains("10000")),
        "{err:?}"
    );

    let side = MNIST_SIDE - 1;
    let small = Images::new(MNIST_TEST, side, side, vec![0; MNIST_TEST * side * side]).unwrap();
    write_idx_images(&dir.path().join(TEST_IMAGES_FILE), &small, false).unwrap();
    write_idx_labels(
        &dir.path().join(TEST_LABELS_FILE),
        &vec![0; MNIST_TEST],
        false,
    )
    .unwrap();
    let err = load_mnist_split(dir.path(), Split::Test).unwrap_err();
    assert!(
        matches!(&err, DataError::BadDims { detail, .. } if detail.contains("27x27")),
        "{err:?}"
    );
}

#[test]
fn split_names_round_trip() {
    for split in Split::ALL {
        assert_eq!(split.to_string().parse::<Split>().unwrap(), split);
    }
    let err = "validation".parse::<Split>().unwrap_err();
    assert!(err.to_string().contains("train, valid, test"), "{err}");
}

#[test]
fn real_mnist_loads_with_official_counts() {
    let Some(dir) = mnist_dir("real_mnist_loads_with_official_counts") else {
        return;
    };
    let mnist = load_mnist(&dir).unwrap();
    for (set, n) in [
        (&mnist.train, MNIST_TRAIN),
        (&mnist.valid, MNIST_VALID),
        (&mnist.test, MNIST_TEST),
    ] {
        assert_eq!(
            (set.images.n, set.images.rows, set.images.cols),
            (n, MNIST_SIDE, MNIST_SIDE)
        );
        assert_eq!(set.labels.len(), n);
        assert_eq!(histogram(&set.labels).iter().sum::<usize>(), n);
    }
    let train = histogram(&mnist.train.labels);
    let valid = histogram(&mnist.valid.labels);
    let official: Vec<usize> = train.iter().zip(valid).map(|(a, b)| a + b).collect();
    assert_eq!(official, OFFICIAL_TRAIN_HISTOGRAM);
    assert_eq!(histogram(&mnist.test.labels), OFFICIAL_TEST_HISTOGRAM);
}
