//! Random translations: the shift itself by hand, the offsets' range and reproducibility, and
//! the batch function's bookkeeping.

use genzoo_data::Array;
use genzoo_data::augment::{offsets, random_shifts, translate};

/// A 3×4 image with distinct values 1..=12.
fn image() -> Vec<f32> {
    (1..=12).map(|v| v as f32).collect()
}

#[test]
fn translate_moves_pixels_and_fills_the_border() {
    let img = image();
    let mut out = vec![0.0; 12];
    translate(&img, 3, 4, 0, 0, -1.0, &mut out);
    assert_eq!(out, img, "a zero shift is the identity");
    // Down one row, left one column: out[r][c] = img[r-1][c+1].
    translate(&img, 3, 4, 1, -1, -1.0, &mut out);
    #[rustfmt::skip]
    let want = [
        -1.0, -1.0, -1.0, -1.0,
         2.0,  3.0,  4.0, -1.0,
         6.0,  7.0,  8.0, -1.0,
    ];
    assert_eq!(out, want);
    // A shift by the whole width leaves only the fill.
    translate(&img, 3, 4, 0, 4, 0.5, &mut out);
    assert!(out.iter().all(|&v| v == 0.5));
}

#[test]
fn offsets_are_reproducible_in_range_and_cover_every_value() {
    let s = 2;
    let mut seen = [[0usize; 5]; 5];
    for i in 0..2000 {
        let (dy, dx) = offsets(7, 3, i, s);
        assert_eq!((dy, dx), offsets(7, 3, i, s), "same (seed, epoch, example)");
        assert!((-2..=2).contains(&dy) && (-2..=2).contains(&dx));
        seen[(dy + 2) as usize][(dx + 2) as usize] += 1;
    }
    // 25 cells, 80 expected each: every one is hit, none wildly over (a stuck draw would be).
    for row in seen {
        for count in row {
            assert!((40..=130).contains(&count), "cell count {count}");
        }
    }
    // Another epoch or seed draws other offsets.
    let a: Vec<_> = (0..50).map(|i| offsets(7, 3, i, s)).collect();
    assert_ne!(a, (0..50).map(|i| offsets(7, 4, i, s)).collect::<Vec<_>>());
    assert_ne!(a, (0..50).map(|i| offsets(8, 3, i, s)).collect::<Vec<_>>());
}

#[test]
fn random_shifts_moves_each_example_by_its_own_offsets() {
    // Two 6×6 examples, each a single bright pixel in the middle (2, 3), so no shift of ≤ 2
    // pushes it out; the batch holds training rows 10 and 11.
    let (side, idx) = (6usize, [10usize, 11]);
    let mut values = vec![0.0f32; 2 * side * side];
    for e in 0..2 {
        values[e * side * side + 2 * side + 3] = 1.0;
    }
    let mut batch = Array {
        shape: vec![2, 1, side, side],
        values: values.clone(),
    };
    random_shifts(&mut batch, &idx, 5, 9, 2, 0.0);
    let mut moved = 0;
    for (e, &i) in idx.iter().enumerate() {
        let (dy, dx) = offsets(9, 5, i, 2);
        let plane = &batch.values[e * side * side..(e + 1) * side * side];
        let at = ((2 + dy) as usize) * side + (3 + dx) as usize;
        assert_eq!(
            plane[at], 1.0,
            "example {e}: the pixel moved by ({dy}, {dx})"
        );
        assert_eq!(
            plane.iter().sum::<f32>(),
            1.0,
            "example {e}: nothing else lit"
        );
        moved += usize::from((dy, dx) != (0, 0));
    }
    assert!(moved > 0, "the drawn offsets moved at least one example");
    // max_shift = 0 leaves a batch alone.
    let mut same = Array {
        shape: vec![2, 1, side, side],
        values: values.clone(),
    };
    random_shifts(&mut same, &idx, 5, 9, 0, 0.0);
    assert_eq!(same.values, values);
}
