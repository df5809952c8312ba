//! 3×3 convolutions (stride 1, padding 1) by Winograd's minimal filtering F(2×2, 3×3)
//! (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks"), on host memory of
//! the flex CPU backend, for the forward, the input gradient and the weight gradient.
//!
//! A 2×2 output tile of the correlation of a 4×4 input tile `d` with a 3×3 kernel `g` is
//! ```text
//! Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//!      ⎡1  0 −1  0⎤        ⎡1   0   0⎤
//! Bᵀ = ⎢0  1  1  0⎥,  G =  ⎢½   ½   ½⎥,  Aᵀ = ⎡1 1  1  0⎤
//!      ⎢0 −1  1  0⎥        ⎢½  −½   ½⎥        ⎣0 1 −1 −1⎦
//!      ⎣0  1  0 −1⎦        ⎣0   0   1⎦
//! ```
//! Summing over input channels inside the brackets turns the 16 positions ξ of the 4×4
//! transformed tile into 16 independent matrix products,
//! `M[ξ] = U[ξ] · V[ξ]` with `U[ξ] = (G g Gᵀ)[ξ]: [O, C]` and `V[ξ] = (Bᵀ d B)[ξ]: [C, N]`
//! over the `N = B·T` tiles of the batch: 16·O·C·N multiply-adds against the direct
//! 36·O·C·N (2.25× fewer). The work runs in groups of whole images small enough that the
//! transformed tiles stay in a core's L2 between the transform, the 16 products (gemm, through
//! flex) and the output transform ([`GROUP_TILES`]), groups in parallel. The transforms are
//! additions only (and the halves of `G`), so the result matches the direct convolution to
//! f32 rounding (2e-7–9e-7 relative at the U-Net's shapes; `tests/winograd.rs` holds it to
//! burn's convolution within 1e-5 in value and every gradient).
//!
//! The backward passes reuse the same pieces:
//! - input gradient: a 3×3 correlation of `∂L/∂y` with the kernel flipped by 180° and its two
//!   channel axes swapped, again stride 1 and padding 1, so the forward routine applies;
//! - weight gradient: `∂L/∂U[ξ] = ∂L/∂M[ξ] · V[ξ]ᵀ` with `∂L/∂M = A (∂L/∂Y) Aᵀ` per tile
//!   (`[O, N] × [N, C]`, 16 products), then `∂L/∂g = Gᵀ (∂L/∂U) G`.
//!
//! # Shapes
//! `x: [B, C, H, W]`, `w: [O, C, 3, 3]`, `bias: [O]` → `[B, O, H, W]`; tiles per image
//! `T = ⌈H/2⌉·⌈W/2⌉` (odd sides are padded with zeros to the next tile and cut again).

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use burn::backend::Flex;
use burn::backend::flex::{FlexTensor, Layout};
use burn::backend::ops::FloatTensorOps;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{DType, Shape};
use rayon::prelude::*;

use crate::host::{flex_tensor as flex, flex_values as host};

/// Winograd convolutions run so far (forward and input-gradient calls): tests check the path
/// is taken, since a fall-back to flex's convolution would give the same numbers.
static CALLS: AtomicUsize = AtomicUsize::new(0);

/// How many convolutions took the Winograd path in this process.
pub fn calls() -> usize {
    CALLS.load(Ordering::Relaxed)
}

/// Positions of a transformed 4×4 tile.
const XI: usize = 16;
/// Side of an input tile.
const TILE: usize = 4;
/// Taps of a 3×3 kernel.
const TAPS: usize = 9;

/// Geometry of one call: batch, channels, spatial sides and tiles per side.
#[derive(Clone, Copy, Debug)]
struct Geom {
    b: usize,
    c: usize,
    h: usize,
    w: usize,
    th: usize,
    tw: usize,
}

impl Geom {
    /// Geometry of an input `[B, C, H, W]`.
    fn new(b: usize, c: usize, h: usize, w: usize) -> Self {
        Geom {
            b,
            c,
            h,
            w,
            th: h.div_ceil(2),
            tw: w.div_ceil(2),
        }
    }
    /// Tiles per image.
    fn t(&self) -> usize {
        self.th * self.tw
    }
    /// Tiles in the batch.
    fn n(&self) -> usize {
        self.b * self.t()
    }
}

/// `U[ξ][o][c] = (G g Gᵀ)[ξ]` for every kernel `g = w[o, c]`.
///
/// # Shapes
/// `w: [O, C, 3, 3]` → `[16, O, C]`.
fn weight_transform(w: &[f32], o: usize, c: usize) -> Vec<f32> {
    let oc = o * c;
    let mut u = vec![0f32; XI * oc];
    for (k, g) in w.chunks_exact(TAPS).enumerate().take(oc) {
        // G g: 4×3 (rows of G mix the kernel's rows).
        let mut t = [[0f32; 3]; TILE];
        for j in 0..3 {
            let (g0, g1, g2) = (g[j], g[3 + j], g[6 + j]);
            t[0][j] = g0;
            t[1][j] = 0.5 * (g0 + g1 + g2);
            t[2][j] = 0.5 * (g0 - g1 + g2);
            t[3][j] = g2;
        }
        // (G g) Gᵀ: 4×4.
        for (i, row) in t.iter().enumerate() {
            let [a0, a1, a2] = *row;
            let r = [a0, 0.5 * (a0 + a1 + a2), 0.5 * (a0 - a1 + a2), a2];
            for (j, v) in r.into_iter().enumerate() {
                u[(i * TILE + j) * oc + k] = v;
            }
        }
    }
    u
}

/// The kernel of the input gradient: `w'[c, o, i, j] = w[o, c, 2 − i, 2 − j]`.
///
/// # Shapes
/// `[O, C, 3, 3]` → `[C, O, 3, 3]`.
fn flip_swap(w: &[f32], o: usize, c: usize) -> Vec<f32> {
    let mut out = vec![0f32; o * c * TAPS];
    for oi in 0..o {
        for ci in 0..c {
            let src = &w[(oi * c + ci) * TAPS..][..TAPS];
            let dst = &mut out[(ci * o + oi) * TAPS..][..TAPS];
            for (d, s) in dst.iter_mut().zip(src.iter().rev()) {
                *d = *s;
            }
        }
    }
    out
}

/// One input row split into the two column phases of the padded row (one zero column in front):
/// `e[k] = x[2k − 1]`, `o[k] = x[2k]` for `k ∈ 0..=tw`, zeros outside the row. Tile `tx` reads
/// the padded columns `2tx .. 2tx + 3`, which are `e[tx], o[tx], e[tx + 1], o[tx + 1]`, so the
/// transforms below run on contiguous slices and vectorise.
fn split_row(x: Option<&[f32]>, eo: &mut [f32]) {
    let (e, o) = eo.split_at_mut(eo.len() / 2);
    let Some(x) = x else {
        e.fill(0.0);
        o.fill(0.0);
        return;
    };
    // The padding column and the tails past the row; the pairs below overwrite e[tw] when
    // the width is even.
    let tw = e.len() - 1;
    (e[0], e[tw], o[tw]) = (0.0, 0.0, 0.0);
    let mut pairs = x.chunks_exact(2);
    for ((p, ek), ok) in (&mut pairs).zip(&mut e[1..]).zip(o.iter_mut()) {
        *ok = p[0];
        *ek = p[1];
    }
    if let [last] = pairs.remainder() {
        o[x.len() / 2] = *last;
    }
}

/// `V[ξ][c][n] = (Bᵀ d B)[ξ]` for the 4×4 input tile `d` of tile `n` (zeros outside the image)
/// of a group of images, written into `v`.
///
/// # Shapes
/// `x: [b, C, H, W]` (the group's images), `v: [16, C, b·T]`.
fn input_tiles(x: &[f32], g: Geom, v: &mut [f32]) {
    let n = g.n();
    let tw = g.tw;
    let len = 2 * (tw + 1); // one split row: even then odd padded columns
    // The plane's padded rows p = 0 .. 2·th + 1 (input row p − 1), each split once.
    let mut split = vec![0f32; (2 * g.th + 2) * len];
    let mut t = vec![0f32; TILE * len];
    for bi in 0..g.b {
        for ci in 0..g.c {
            let plane = &x[(bi * g.c + ci) * g.h * g.w..][..g.h * g.w];
            for (p, eo) in split.chunks_exact_mut(len).enumerate() {
                let r = p.wrapping_sub(1);
                split_row((r < g.h).then(|| &plane[r * g.w..][..g.w]), eo);
            }
            for ty in 0..g.th {
                // Bᵀ d down the columns over padded rows 2ty .. 2ty + 3, for the whole row of
                // tiles at once.
                let rows = &split[2 * ty * len..][..TILE * len];
                let (r0, rest) = rows.split_at(len);
                let (r1, rest) = rest.split_at(len);
                let (r2, r3) = rest.split_at(len);
                let (t0, rest) = t.split_at_mut(len);
                let (t1, rest) = rest.split_at_mut(len);
                let (t2, t3) = rest.split_at_mut(len);
                for q in 0..len {
                    t0[q] = r0[q] - r2[q];
                    t1[q] = r1[q] + r2[q];
                    t2[q] = r2[q] - r1[q];
                    t3[q] = r1[q] - r3[q];
                }
                // (Bᵀ d) B along the rows: with d = (e[tx], o[tx], e[tx + 1], o[tx + 1]),
                // (d0 − d2, d1 + d2, d2 − d1, d1 − d3) for every tile of the row at once.
                let base = bi * g.t() + ty * tw;
                for (i, a) in t.chunks_exact(len).enumerate() {
                    let (e, o) = a.split_at(tw + 1);
                    let (e0, e1, o0, o1) = (&e[..tw], &e[1..], &o[..tw], &o[1..]);
                    let at = |j: usize| ((i * TILE + j) * g.c + ci) * n + base;
                    let (p0, rest) = v[at(0)..].split_at_mut(at(1) - at(0));
                    let (p1, rest) = rest.split_at_mut(at(2) - at(1));
                    let (p2, p3) = rest.split_at_mut(at(3) - at(2));
                    let (p0, p1, p2, p3) =
                        (&mut p0[..tw], &mut p1[..tw], &mut p2[..tw], &mut p3[..tw]);
                    for k in 0..tw {
                        p0[k] = e0[k] - e1[k];
                        p1[k] = o0[k] + e1[k];
                        p2[k] = e1[k] - o0[k];
                        p3[k] = o0[k] - o1[k];
                    }
                }
            }
        }
    }
}

/// `y = Aᵀ M A` per tile plus the bias, cut to the image, for a group of images. Each row of
/// tiles is done at once on contiguous slices of M (one per ξ), so the loops vectorise.
///
/// # Shapes
/// `m: [16, O, b·T]`, `bias: [O]`, `y: [b, O, H, W]`.
fn output_tiles(m: &[f32], o: usize, g: Geom, bias: Option<&[f32]>, y: &mut [f32]) {
    let (n, tw) = (g.n(), g.tw);
    // Aᵀ M for one output row of every tile in a tile row: four columns of the 2×4 product.
    let mut t = vec![0f32; TILE * tw];
    for (p, plane) in y.chunks_exact_mut(g.h * g.w).enumerate() {
        let (bi, oi) = (p / o, p % o);
        let add = bias.map_or(0.0, |b| b[oi]);
        for ty in 0..g.th {
            let at = bi * g.t() + ty * tw;
            let r: [&[f32]; XI] = std::array::from_fn(|xi| &m[(xi * o + oi) * n + at..][..tw]);
            for i in 0..2 {
                let row = 2 * ty + i;
                if row >= g.h {
                    break;
                }
                // Row i of Aᵀ: (1, 1, 1, 0) or (0, 1, −1, −1), over M's rows 0..4 of column j.
                for (j, tj) in t.chunks_exact_mut(tw).enumerate() {
                    let (m0, m1, m2, m3) = (r[j], r[4 + j], r[8 + j], r[12 + j]);
                    for k in 0..tw {
                        tj[k] = if i == 0 {
                            m0[k] + m1[k] + m2[k]
                        } else {
                            m1[k] - m2[k] - m3[k]
                        };
                    }
                }
                // (Aᵀ M) A: columns 2tx and 2tx + 1 of the output row.
                let (t0, rest) = t.split_at(tw);
                let (t1, rest) = rest.split_at(tw);
                let (t2, t3) = rest.split_at(tw);
                let out = &mut plane[row * g.w..][..g.w];
                let mut pairs = out.chunks_exact_mut(2);
                for (k, pair) in (&mut pairs).enumerate() {
                    pair[0] = t0[k] + t1[k] + t2[k] + add;
                    pair[1] = t1[k] - t2[k] - t3[k] + add;
                }
                if let [last] = pairs.into_remainder() {
                    let k = g.w / 2;
                    *last = t0[k] + t1[k] + t2[k] + add;
                }
            }
        }
    }
}

/// `∂L/∂M[ξ][o][n] = (A ∂L/∂Y Aᵀ)[ξ]` for the 2×2 output-gradient tile of tile `n` (zeros
/// outside the image), for a group of images, a row of tiles at a time.
///
/// # Shapes
/// `dy: [b, O, H, W]`, `dm: [16, O, b·T]`.
fn output_grad_tiles(dy: &[f32], o: usize, g: Geom, dm: &mut [f32]) {
    let (n, tw) = (g.n(), g.tw);
    // The tile row's two output rows split into even and odd columns (zeros past the image):
    // u[0] = (row 2ty, even), u[1] = (row 2ty, odd), u[2] = (row 2ty + 1, even), u[3] = odd.
    let mut u = vec![0f32; TILE * tw];
    let mut a = vec![0f32; 2 * tw];
    for (p, plane) in dy.chunks_exact(g.h * g.w).enumerate() {
        let (bi, oi) = (p / o, p % o);
        for ty in 0..g.th {
            for (i, uu) in u.chunks_exact_mut(2 * tw).enumerate() {
                let (even, odd) = uu.split_at_mut(tw);
                let row = 2 * ty + i;
                even.fill(0.0);
                odd.fill(0.0);
                if row < g.h {
                    let src = &plane[row * g.w..][..g.w];
                    for ((pair, e), od) in src.chunks(2).zip(even.iter_mut()).zip(odd.iter_mut()) {
                        *e = pair[0];
                        *od = pair.get(1).copied().unwrap_or(0.0);
                    }
                }
            }
            let (r0, r1) = u.split_at(2 * tw); // (even, odd) of each output row
            let at = bi * g.t() + ty * tw;
            for i in 0..TILE {
                // Row i of A u: A's rows are (1, 0), (1, 1), (1, −1), (0, −1).
                for (k, ak) in a.iter_mut().enumerate() {
                    *ak = match i {
                        0 => r0[k],
                        1 => r0[k] + r1[k],
                        2 => r0[k] - r1[k],
                        _ => -r1[k],
                    };
                }
                let (pp, qq) = a.split_at(tw); // (A u)[i] at the even and odd column
                // (A u) Aᵀ along the row: (p, p + q, p − q, −q).
                for j in 0..TILE {
                    let out = &mut dm[((i * TILE + j) * o + oi) * n + at..][..tw];
                    for ((d, &p), &q) in out.iter_mut().zip(pp).zip(qq) {
                        *d = match j {
                            0 => p,
                            1 => p + q,
                            2 => p - q,
                            _ => -q,
                        };
                    }
                }
            }
        }
    }
}

/// `∂L/∂g = Gᵀ (∂L/∂U) G` for every kernel.
///
/// # Shapes
/// `du: [16, O, C]` → `[O, C, 3, 3]`.
fn weight_grad_transform(du: &[f32], o: usize, c: usize) -> Vec<f32> {
    let oc = o * c;
    let mut dw = vec![0f32; oc * TAPS];
    for (k, out) in dw.chunks_exact_mut(TAPS).enumerate() {
        let d: [f32; XI] = std::array::from_fn(|xi| du[xi * oc + k]);
        // Gᵀ D: 3×4 (Gᵀ's rows are (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1)).
        let t: [[f32; TILE]; 3] = [
            std::array::from_fn(|j| d[j] + 0.5 * (d[4 + j] + d[8 + j])),
            std::array::from_fn(|j| 0.5 * (d[4 + j] - d[8 + j])),
            std::array::from_fn(|j| 0.5 * (d[4 + j] + d[8 + j]) + d[12 + j]),
        ];
        // (Gᵀ D) G: 3×3.
        for (i, r) in t.iter().enumerate() {
            out[i * 3] = r[0] + 0.5 * (r[1] + r[2]);
            out[i * 3 + 1] = 0.5 * (r[1] - r[2]);
            out[i * 3 + 2] = 0.5 * (r[1] + r[2]) + r[3];
        }
    }
    dw
}

/// Slots of the per-thread scratch: the transformed input, the transformed output gradient.
const SLOT_V: usize = 0;
const SLOT_DM: usize = 1;

thread_local! {
    /// Per-thread scratch tensors reused across groups and calls. A fresh buffer for every
    /// group cost a zero-fill (and, for new pages, the kernel's) of four times the layer's
    /// input per pass, a sizeable share of the U-Net's training step (docs/history/speed.md,
    /// "The U-Net's convolutions by Winograd's algorithm; every family side by side (2026-12-04,
    /// Intel Xeon)"); the transforms overwrite every value, so only the first use needs one.
    static SCRATCH: RefCell<[Option<FlexTensor>; 2]> = const { RefCell::new([None, None]) };
}

/// Runs `fill` on `len = Π shape` values of this thread's scratch `slot`, then `then` on them
/// as an f32 flex tensor of `shape`. `fill` must write every value (they hold a previous
/// call's data). The buffer is taken out of the slot meanwhile, so a task that rayon runs on
/// this thread while `then` waits gets its own.
fn with_scratch<R>(
    slot: usize,
    shape: [usize; 3],
    fill: impl FnOnce(&mut [f32]),
    then: impl FnOnce(FlexTensor) -> R,
) -> R {
    let len: usize = shape.iter().product();
    let held = SCRATCH.with(|s| s.borrow_mut()[slot].take());
    let mut buf = match held {
        Some(t) if t.is_unique() && t.layout().shape().num_elements() >= len => t,
        _ => FlexTensor::empty(Shape::new([len]), DType::F32),
    };
    match buf.try_storage_mut::<f32>() {
        Some(values) => fill(&mut values[..len]),
        // Unreachable: `buf` is unique (checked or new); a shared buffer is replaced.
        None => {
            buf = FlexTensor::empty(Shape::new([len]), DType::F32);
            fill(&mut buf.storage_mut::<f32>()[..len]);
        }
    }
    let view = buf
        .clone()
        .with_layout(Layout::contiguous(Shape::new(shape)));
    let out = then(view);
    SCRATCH.with(|s| s.borrow_mut()[slot] = Some(buf));
    out
}

/// Tiles handled by one task: whole images, at least this many tiles, so that a group's
/// transformed input (`16·C·tiles` values, ≤ 1.2 MB at the U-Net's widths) stays in a core's
/// L2 cache between the transform, the 16 products and the output transform. Without the
/// grouping each of those passes streams ~50 MB through memory and F(2×2, 3×3) ran slower than
/// flex's im2col convolution (docs/history/speed.md, "The U-Net's convolutions by Winograd's
/// algorithm; every family side by side (2026-12-04, Intel Xeon)").
const GROUP_TILES: usize = 64;

/// Images per task (see [`GROUP_TILES`]).
fn images_per_group(g: Geom) -> usize {
    GROUP_TILES.div_ceil(g.t()).clamp(1, g.b.max(1))
}

/// The convolution of `x` with the 3×3 kernels `w` (stride 1, padding 1) and the bias, by
/// groups of images in parallel.
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [O, C, 3, 3]`, `bias: [O]` → `[B, O, H, W]`.
fn conv3x3_values(x: &[f32], w: &[f32], bias: Option<&[f32]>, o: usize, g: Geom) -> Vec<f32> {
    CALLS.fetch_add(1, Ordering::Relaxed);
    let plane = g.h * g.w;
    let mut y = vec![0f32; g.b * o * plane];
    if y.is_empty() {
        return y; // an empty batch, map or output
    }
    let u = flex(weight_transform(w, o, g.c), [XI, o, g.c]);
    let per = images_per_group(g);
    y.par_chunks_mut(per * o * plane)
        .enumerate()
        .for_each(|(k, yk)| {
            let gk = Geom::new(yk.len() / (o * plane), g.c, g.h, g.w);
            let xk = &x[k * per * g.c * plane..][..gk.b * g.c * plane];
            // M[ξ] = U[ξ] · V[ξ]: [16, O, C] × [16, C, n] → [16, O, n].
            let m = with_scratch(
                SLOT_V,
                [XI, g.c, gk.n()],
                |v| input_tiles(xk, gk, v),
                |v| Flex::float_matmul(u.clone(), v),
            );
            output_tiles(&host(&m), o, gk, bias, yk);
        });
    y
}

/// `∂L/∂w` of the convolution above from its input and output gradient: per group of images
/// `∂L/∂U[ξ] = ∂L/∂M[ξ] · V[ξ]ᵀ`, summed over the groups.
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, H, W]` → `[O, C, 3, 3]`.
fn conv3x3_weight_grad(x: &[f32], dy: &[f32], o: usize, g: Geom) -> Vec<f32> {
    let per = images_per_group(g);
    let plane = g.h * g.w;
    if g.n() == 0 {
        return vec![0f32; o * g.c * TAPS]; // no tile contributes
    }
    let groups = g.b.div_ceil(per);
    let du = (0..groups)
        .into_par_iter()
        .map(|k| {
            let b = per.min(g.b - k * per);
            let gk = Geom::new(b, g.c, g.h, g.w);
            let xk = &x[k * per * g.c * plane..][..b * g.c * plane];
            let dyk = &dy[k * per * o * plane..][..b * o * plane];
            let n = gk.n();
            let du = with_scratch(
                SLOT_V,
                [XI, g.c, n],
                |v| input_tiles(xk, gk, v),
                |v| {
                    let vt = Flex::float_swap_dims(v, 1, 2); // [16, n, C], a view
                    with_scratch(
                        SLOT_DM,
                        [XI, o, n],
                        |dm| output_grad_tiles(dyk, o, gk, dm),
                        |dm| Flex::float_matmul(dm, vt), // [16, O, C]
                    )
                },
            );
            host(&du).into_owned()
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(p, q)| *p += q);
            a
        })
        .unwrap_or_else(|| vec![0f32; XI * o * g.c]);
    weight_grad_transform(&du, o, g.c)
}

/// Whether the Winograd path computes `conv2d(x, w, options)` and its weight gradient: a 3×3
/// kernel with stride 1, padding 1 on every side, no dilation or groups.
pub fn applies(x_channels: usize, w_dims: [usize; 4], options: &ConvOptions<2>) -> bool {
    let [_, c, kh, kw] = w_dims;
    [kh, kw] == [3, 3]
        && c == x_channels
        && options.stride == [1, 1]
        && options.padding == [(1, 1), (1, 1)]
        && options.dilation == [1, 1]
        && options.groups == 1
}

/// Whether the input gradient of such a convolution also goes through Winograd: only when the
/// input has at least [`MIN_INPUT_CHANNELS`] channels.
pub fn applies_to_input_grad(x_channels: usize) -> bool {
    x_channels >= MIN_INPUT_CHANNELS
}

/// Whether the weight gradient of such a convolution also goes through Winograd: only on maps
/// of at least [`MIN_WEIGHT_GRAD_SIDE`] rows and columns.
pub fn applies_to_weight_grad(h: usize, w: usize) -> bool {
    h.min(w) >= MIN_WEIGHT_GRAD_SIDE
}

/// On the U-Net's 7×7 maps the 2×2 output tiles cover 8×8 (31% of the products wasted) and the
/// shifted products of [`crate::conv::weight_grad_shifts`] were faster for the weight gradient
/// (timings: docs/history/speed.md, "The U-Net's convolutions by Winograd's algorithm; every
/// family side by side (2026-12-04, Intel Xeon)"); the forward and the input gradient still
/// gain there.
pub const MIN_WEIGHT_GRAD_SIDE: usize = 8;

/// Below this many input channels flex's transposed convolution computes the input gradient
/// faster (the U-Net's 1→32 stem, whose 16 products have one row; timings:
/// docs/history/speed.md, "The U-Net's convolutions by Winograd's algorithm; every family side
/// by side (2026-12-04, Intel Xeon)").
pub const MIN_INPUT_CHANNELS: usize = 8;

/// The forward on flex tensors.
///
/// # Shapes
/// `x: [B, C, H, W]`, `w: [O, C, 3, 3]`, `bias: [O]` → `[B, O, H, W]`.
pub fn conv3x3(x: &FlexTensor, w: &FlexTensor, bias: Option<&FlexTensor>) -> FlexTensor {
    let [b, c, h, wd] = x.layout().shape().dims::<4>();
    let o = w.layout().shape().dims::<4>()[0];
    let g = Geom::new(b, c, h, wd);
    let bias = bias.map(host);
    let y = conv3x3_values(&host(x), &host(w), bias.as_deref(), o, g);
    flex(y, [b, o, h, wd])
}

/// The input gradient on flex tensors: the forward with the flipped, swapped kernel.
///
/// # Shapes
/// `dy: [B, O, H, W]`, `w: [O, C, 3, 3]` → `[B, C, H, W]`.
pub fn conv3x3_input_grad(dy: &FlexTensor, w: &FlexTensor) -> FlexTensor {
    let [b, o, h, wd] = dy.layout().shape().dims::<4>();
    let c = w.layout().shape().dims::<4>()[1];
    let wt = flip_swap(&host(w), o, c);
    let dx = conv3x3_values(&host(dy), &wt, None, c, Geom::new(b, o, h, wd));
    flex(dx, [b, c, h, wd])
}

/// The weight gradient on flex tensors.
///
/// # Shapes
/// `x: [B, C, H, W]`, `dy: [B, O, H, W]` → `[O, C, 3, 3]`.
pub fn conv3x3_weight_grad_flex(x: &FlexTensor, dy: &FlexTensor) -> FlexTensor {
    let [b, c, h, wd] = x.layout().shape().dims::<4>();
    let o = dy.layout().shape().dims::<4>()[1];
    let dw = conv3x3_weight_grad(&host(x), &host(dy), o, Geom::new(b, c, h, wd));
    flex(dw, [o, c, 3, 3])
}
