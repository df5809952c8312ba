//! The closed-form oracles of two FFJORD toys (see [`crate::toy`] for the samplers).
//!
//! ```text
//! 8gaussians    p(x) = (1/8) Σ_k N(x; 4 c_k / 1.414, σ² I),  σ = 0.5 / 1.414
//! checkerboard  p(x) = 1/32 on the eight 2×2 squares (i, j) = (⌊x/2⌋, ⌊y/2⌋) ∈ {−2..1}², i + j even
//! ```
//! and their differential entropies `H = −E[log p]`, the NLL a perfect model attains:
//! `ln 32` for the checkerboard, and for 8gaussians a quadrature (≈ 2.8319 nats), slightly below
//! the well-separated value `ln 8 + ln(2πe σ²) ≈ 2.8382` since neighbours are only ≈ 6.1σ apart.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// FFJORD's stand-in for `√2` in `8gaussians` (`dataset /= 1.414`).
pub const FFJORD_SQRT2: f64 = 1.414;
/// Radius of the 8gaussians centres before the division by [`FFJORD_SQRT2`].
pub(crate) const EIGHT_GAUSSIANS_SCALE: f64 = 4.0;
/// Standard deviation of each 8gaussians component before the division.
pub(crate) const EIGHT_GAUSSIANS_STD: f64 = 0.5;
/// The eight unit directions of FFJORD's 8gaussians centres, in FFJORD's order.
pub(crate) const EIGHT_GAUSSIANS_DIRS: [(f64, f64); 8] = [
    (1.0, 0.0),
    (-1.0, 0.0),
    (0.0, 1.0),
    (0.0, -1.0),
    (FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
    (-FRAC_1_SQRT_2, FRAC_1_SQRT_2),
    (-FRAC_1_SQRT_2, -FRAC_1_SQRT_2),
];
/// Area of the checkerboard's support: eight 2×2 squares.
pub(crate) const CHECKERBOARD_AREA: f64 = 32.0;

/// Centre `k` of the 8gaussians mixture, after FFJORD's division by 1.414.
pub(crate) fn eight_gaussians_centre(k: usize) -> (f64, f64) {
    let (dx, dy) = EIGHT_GAUSSIANS_DIRS[k];
    let s = EIGHT_GAUSSIANS_SCALE / FFJORD_SQRT2;
    (s * dx, s * dy)
}

/// Standard deviation of each 8gaussians component, after the division.
pub(crate) fn eight_gaussians_sigma() -> f64 {
    EIGHT_GAUSSIANS_STD / FFJORD_SQRT2
}

/// `log Σ_k (1/8) N((x, y); μ_k, σ² I)`, computed with the log-sum-exp shift.
pub(crate) fn eight_gaussians_log_density(x: f64, y: f64) -> f64 {
    let sigma = eight_gaussians_sigma();
    let k_count = EIGHT_GAUSSIANS_DIRS.len();
    let exponents: [f64; EIGHT_GAUSSIANS_DIRS.len()] = std::array::from_fn(|k| {
        let (cx, cy) = eight_gaussians_centre(k);
        -((x - cx).powi(2) + (y - cy).powi(2)) / (2.0 * sigma * sigma)
    });
    let max = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = exponents.iter().map(|e| (e - max).exp()).sum();
    max + sum.ln() - (k_count as f64).ln() - (2.0 * PI * sigma * sigma).ln()
}

/// `H = −∫ N(x; μ₀, σ²I) log p(x) dx`. The mixture is invariant under rotation by 45°, which
/// permutes its components, so every component gives the same expectation and `H` equals this
/// one-component integral. Trapezoid rule in standardised coordinates on `[−8σ, 8σ]²`: for a
/// smooth integrand under a Gaussian weight it converges geometrically, and the truncated mass
/// (≈ 1e−15) is below `f64` resolution of the result.
pub(crate) fn eight_gaussians_entropy() -> f64 {
    const HALF_WIDTH_SIGMAS: f64 = 8.0;
    const STEPS_PER_SIGMA: usize = 16;
    let sigma = eight_gaussians_sigma();
    let (cx, cy) = eight_gaussians_centre(0);
    let h = 1.0 / STEPS_PER_SIGMA as f64;
    let half = (HALF_WIDTH_SIGMAS * STEPS_PER_SIGMA as f64) as i64;
    let nodes: Vec<(f64, f64)> = (-half..=half)
        .map(|i| {
            let u = i as f64 * h;
            (u, (-0.5 * u * u).exp() * h / (2.0 * PI).sqrt())
        })
        .collect();
    let (mut total, mut weight) = (0.0, 0.0);
    for &(u, wu) in &nodes {
        for &(v, wv) in &nodes {
            let w = wu * wv;
            total += w * eight_gaussians_log_density(cx + sigma * u, cy + sigma * v);
            weight += w;
        }
    }
    -total / weight
}

/// `ln(1/32)` on the eight 2×2 squares `(i, j)`, `i = ⌊x/2⌋, j = ⌊y/2⌋ ∈ {−2..1}`, `i + j`
/// even; `−∞` elsewhere.
pub(crate) fn checkerboard_log_density(x: f64, y: f64) -> f64 {
    let (i, j) = ((x / 2.0).floor(), (y / 2.0).floor());
    let inside = (-2.0..=1.0).contains(&i) && (-2.0..=1.0).contains(&j);
    if inside && (i + j).rem_euclid(2.0) == 0.0 {
        -CHECKERBOARD_AREA.ln()
    } else {
        f64::NEG_INFINITY
    }
}
