//! The grid of overlapping patches of a batch of images.
//!
//! Patch (i, j) covers rows `s·i .. s·i + p` and columns `s·j .. s·j + p` (p the side, s the
//! stride); a side of H pixels gives `G = (H − p)/s + 1` patches per side.
//!
//! # Shapes
//! `x: [B, C, H, W]` → `[B·G·G, C, p, p]`, batch-major, then row i, then column j.

use burn::prelude::*;

/// The patches of `x`, `grid` per side.
pub fn extract(x: Tensor<4>, patch: usize, stride: usize, grid: usize) -> Tensor<4> {
    let [b, c, _, _] = x.dims();
    let mut parts = Vec::with_capacity(grid * grid);
    for i in 0..grid {
        let rows = x.clone().narrow(2, i * stride, patch);
        for j in 0..grid {
            parts.push(rows.clone().narrow(3, j * stride, patch)); // [B, C, p, p]
        }
    }
    Tensor::stack::<5>(parts, 1).reshape([b * grid * grid, c, patch, patch])
}
