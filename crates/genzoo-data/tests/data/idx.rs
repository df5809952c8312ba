//! IDX reading: round trips, and one distinct error per way a file can be wrong.

use std::fs;
use std::path::Path;

use genzoo_data::idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC};
use genzoo_data::mnist::read_labelled;
use genzoo_data::{
    DataError, read_idx_images, read_idx_labels, write_idx_images, write_idx_labels,
};

use crate::synthetic_images;

#[test]
fn gz_and_raw_load_to_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let images = synthetic_images(7, 5, 4);
    let labels: Vec<u8> = (0..7).map(|i| (i % 10) as u8).collect();
    let (raw, gz) = (dir.path().join("img"), dir.path().join("img.gz"));
    write_idx_images(&raw, &images, false).unwrap();
    write_idx_images(&gz, &images, true).unwrap();
    assert_ne!(fs::read(&raw).unwrap(), fs::read(&gz).unwrap());
    assert_eq!(read_idx_images(&raw).unwrap(), images);
    assert_eq!(read_idx_images(&gz).unwrap(), images);

    // The gzip decision follows the content, not the name.
    let gz_named_raw = dir.path().join("labels-without-suffix");
    write_idx_labels(&gz_named_raw, &labels, true).unwrap();
    assert_eq!(read_idx_labels(&gz_named_raw).unwrap(), labels);
}

#[test]
fn raw_layout_is_big_endian_header_then_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img");
    let images = synthetic_images(2, 3, 1);
    write_idx_images(&path, &images, false).unwrap();
    let bytes = fs::read(&path).unwrap();
    assert_eq!(
        &bytes[..16],
        &[0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1]
    );
    assert_eq!(&bytes[16..], images.pixels.as_slice());
}

/// Writes `images` raw and returns the bytes, for tampering.
fn raw_images(path: &Path) -> Vec<u8> {
    write_idx_images(path, &synthetic_images(3, 2, 2), false).unwrap();
    fs::read(path).unwrap()
}

#[test]
fn truncated_file_is_truncated_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short");
    let bytes = raw_images(&path);
    fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    match read_idx_images(&path) {
        Err(DataError::Truncated {
            path: p,
            expected_bytes,
            found_bytes,
        }) => {
            assert_eq!(p, path);
            assert_eq!((expected_bytes, found_bytes), (28, 27));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    // A header cut short is also a truncation.
    fs::write(&path, &bytes[..6]).unwrap();
    assert!(matches!(
        read_idx_images(&path),
        Err(DataError::Truncated { .. })
    ));
}

#[test]
fn trailing_bytes_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long");
    let mut bytes = raw_images(&path);
    bytes.push(0);
    fs::write(&path, &bytes).unwrap();
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::TrailingBytes { path: p, expected_bytes: 28, found_bytes: 29 } if *p == path),
        "{err:?}"
    );
    assert!(err.to_string().contains("long"), "{err}");
}

#[test]
fn wrong_magic_is_bad_magic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels");
    write_idx_labels(&path, &[1, 2, 3], false).unwrap();
    match read_idx_images(&path) {
        Err(DataError::BadMagic {
            path: p,
            expected,
            found,
        }) => {
            assert_eq!(p, path);
            assert_eq!((expected, found), (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC));
        }
        other => panic!("expected BadMagic, got {other:?}"),
    }
}

#[test]
fn corrupt_gzip_is_gzip_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.gz");
    write_idx_images(&path, &synthetic_images(20, 8, 8), true).unwrap();
    let good = fs::read(&path).unwrap();

    // Flipped bytes in the deflate stream (or the CRC that guards it).
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    for b in &mut flipped[middle..middle + 4] {
        *b ^= 0xff;
    }
    fs::write(&path, &flipped).unwrap();
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::Gzip { path: p, .. } if *p == path),
        "{err:?}"
    );

    // A gzip stream cut short.
    fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::Gzip { path: p, .. } if *p == path),
        "{err:?}"
    );
}

#[test]
fn image_label_count_mismatch_names_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let (img, lab) = (dir.path().join("img"), dir.path().join("lab"));
    write_idx_images(&img, &synthetic_images(4, 2, 2), false).unwrap();
    write_idx_labels(&lab, &[0, 1, 2], false).unwrap();
    match read_labelled(&img, &lab) {
        Err(DataError::CountMismatch {
            images_path,
            labels_path,
            images,
            labels,
        }) => {
            assert_eq!((images_path, labels_path), (img, lab));
            assert_eq!((images, labels), (4, 3));
        }
        other => panic!("expected CountMismatch, got {other:?}"),
    }
}

#[test]
fn label_outside_digits_is_bad_label() {
    let dir = tempfile::tempdir().unwrap();
    let (img, lab) = (dir.path().join("img"), dir.path().join("lab"));
    write_idx_images(&img, &synthetic_images(3, 2, 2), false).unwrap();
    write_idx_labels(&lab, &[9, 10, 0], false).unwrap();
    assert!(matches!(
        read_labelled(&img, &lab),
        Err(DataError::BadLabel {
            index: 1,
            value: 10,
            ..
        })
    ));
}

#[test]
fn missing_file_is_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent");
    assert!(matches!(read_idx_labels(&path), Err(DataError::Io { path: p, .. }) if p == path));
}
