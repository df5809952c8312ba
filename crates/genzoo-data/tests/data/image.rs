//! PNG output: files decode, with the dimensions and pixels the layout promises.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use genzoo_data::colormap::viridis;
use genzoo_data::{Array, DataError, density_grid, save_grid, save_heatmap, save_scatter};

/// Decodes a PNG: `(width, height, channels, pixels)`.
fn decode(path: &Path) -> (usize, usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(BufReader::new(File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    (info.width as usize, info.height as usize, channels, buf)
}

fn pixel(png: &(usize, usize, usize, Vec<u8>), x: usize, y: usize) -> &[u8] {
    let (w, _, c, data) = png;
    &data[(y * w + x) * c..(y * w + x + 1) * c]
}

#[test]
fn grid_follows_make_grid_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.png");
    let (n, h, w) = (5, 4, 6);
    // Image i is uniformly i/4, except pixel (row 1, col 2) of image 4, which is out of range.
    let mut values: Vec<f32> = (0..n).flat_map(|i| vec![i as f32 / 4.0; h * w]).collect();
    values[4 * h * w + w + 2] = 7.0;
    let images = Array::new(vec![n, 1, h, w], values).unwrap();
    save_grid(&path, &images, 3, 2).unwrap();
    let png = decode(&path);
    // 3 columns, ⌈5/3⌉ = 2 rows, padding 2 around and between.
    assert_eq!((png.0, png.1, png.2), (3 * (6 + 2) + 2, 2 * (4 + 2) + 2, 1));
    assert_eq!(pixel(&png, 0, 0), &[0]);
    assert_eq!(
        pixel(&png, 2 + 8, 2),
        &[64],
        "image 1 at column 1: round(255/4)"
    );
    assert_eq!(pixel(&png, 2 + 8 + 5, 2 + 3), &[64]);
    assert_eq!(pixel(&png, 2 + 8 + 6, 2), &[0], "padding between images");
    assert_eq!(
        pixel(&png, 2 + 8, 2 + 6 + 1),
        &[255],
        "image 4, clamped from 1.0"
    );
    assert_eq!(
        pixel(&png, 2 + 8 + 2, 2 + 6 + 1),
        &[255],
        "image 4, clamped from 7.0"
    );
    assert_eq!(
        pixel(&png, 2 + 16, 2 + 6),
        &[0],
        "empty slot of the last row"
    );
}

#[test]
fn rgb_grid_interleaves_planar_channels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rgb.png");
    let mut values = vec![0.0f32; 3 * 2 * 2];
    values[0] = 1.0; // red plane, (0, 0)
    values[4 + 3] = 1.0; // green plane, (1, 1)
    save_grid(&path, &Array::new(vec![1, 3, 2, 2], values).unwrap(), 8, 0).unwrap();
    let png = decode(&path);
    assert_eq!((png.0, png.1, png.2), (2, 2, 3));
    assert_eq!(pixel(&png, 0, 0), &[255, 0, 0]);
    assert_eq!(pixel(&png, 1, 1), &[0, 255, 0]);
}

#[test]
fn grid_rejects_bad_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let two_channels = Array::new(vec![1, 2, 2, 2], vec![0.0; 8]).unwrap();
    let flat = Array::new(vec![4, 2], vec![0.0; 8]).unwrap();
    for a in [two_channels, flat] {
        assert!(matches!(
            save_grid(&path, &a, 2, 1),
            Err(DataError::InvalidArgument(_))
        ));
    }
    assert!(!path.exists());
}

#[test]
fn heatmap_puts_row_zero_on_top_and_spans_the_colormap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("heat.png");
    const RES: usize = 8;
    // The density_grid convention: row 0 is the largest y, so the value y puts the top bright.
    let values: Vec<f64> = density_grid(2.0, RES).into_iter().map(|(_, y)| y).collect();
    save_heatmap(&path, &values, RES, RES).unwrap();
    let png = decode(&path);
    assert_eq!((png.0, png.1, png.2), (RES, RES, 3));
    assert_eq!(pixel(&png, 3, 0), &viridis(1.0));
    assert_eq!(pixel(&png, 5, RES - 1), &viridis(0.0));
    assert!(matches!(
        save_heatmap(&path, &values, RES, RES + 1),
        Err(DataError::InvalidArgument(_))
    ));
}

#[test]
fn density_grid_lists_cell_centres_top_row_first() {
    let g = density_grid(1.0, 4);
    assert_eq!(g.len(), 16);
    assert_eq!(g[0], (-0.75, 0.75));
    assert_eq!(g[3], (0.75, 0.75));
    assert_eq!(g[4], (-0.75, 0.25));
    assert_eq!(g[15], (0.75, -0.75));
}

#[test]
fn scatter_bins_points_with_y_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scatter.png");
    // Many points in the top-right cell, one in the bottom-left, one outside, one NaN.
    let mut values = Vec::new();
    for _ in 0..50 {
        values.extend_from_slice(&[0.9, 0.9]);
    }
    values.extend_from_slice(&[-0.9, -0.9, 5.0, 0.0, f32::NAN, 0.0]);
    let points = Array::new(vec![values.len() / 2, 2], values).unwrap();
    save_scatter(&path, &points, 1.0, 4).unwrap();
    let png = decode(&path);
    assert_eq!((png.0, png.1, png.2), (4, 4, 3));
    assert_eq!(pixel(&png, 3, 0), &viridis(1.0));
    // One point among 50 in the densest cell: log scale keeps it visible.
    assert_eq!(pixel(&png, 0, 3), &viridis(2f64.ln() / 51f64.ln()));
    assert_eq!(pixel(&png, 1, 1), &viridis(0.0));
}
