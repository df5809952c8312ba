//! The 2D toy distributions of FFJORD (Grathwohl et al. 2019, `lib/toy_data.py`), with the
//! exact densities where a closed form exists.
//!
//! Sampling follows FFJORD's formulas (and, where FFJORD calls scikit-learn, sklearn's
//! `make_moons`, `make_circles`, `make_swiss_roll`):
//! ```text
//! 8gaussians   x = (4·c_k + 0.5·ε) / 1.414,  k ~ U{0..8}, c_k on the unit circle every 45°, ε ~ N(0, I)
//! checkerboard x₁ ~ U[−2, 2);  x₂ = u − 2·b + (⌊x₁⌋ mod 2),  u ~ U[0, 1), b ~ U{0, 1};  x = 2·(x₁, x₂)
//! moons        sklearn make_moons(noise = 0.1) · 2 + (−1, −0.2)
//! 2spirals     r = √u · 3π;  d = (−r cos r + u₁/2, r sin r + u₂/2);  x = ±d/3 + 0.1·ε
//! pinwheel     5 arms: f = (1 + 0.3 ε₁, 0.1 ε₂);  a = 2πk/5 + 0.25 e^{f₁};  x = 2·(f₁ cos a + f₂ sin a, −f₁ sin a + f₂ cos a)
//! swissroll    t = 1.5π(1 + 2u);  x = (t cos t + ε₁, t sin t + ε₂) / 5
//! circles      sklearn make_circles(factor = 0.5, noise = 0.08) · 3
//! ```
//! and the GAN literature's mode-counting mixtures `ring8` and `grid25` ([`crate::mixture`]).
//! FFJORD divides the eight Gaussians by the literal `1.414`, not `√2`; we keep `1.414` so that
//! NLLs compare with theirs. The closed-form densities and entropies of `8gaussians` and
//! `checkerboard` live in `toy_oracle.rs`.
//!
//! Where FFJORD's batch size must be a multiple (of 2 or 5) we return exactly `n` points: arms
//! take turns and the rows are shuffled, as FFJORD's pinwheel does.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rand::Rng;
use rand_distr::StandardNormal;

use crate::array::Array;
use crate::error::{DataError, Result};
pub use crate::mixture::GaussianMixture2d;
pub use crate::toy_oracle::FFJORD_SQRT2;
use crate::toy_oracle::{
    CHECKERBOARD_AREA, EIGHT_GAUSSIANS_DIRS, EIGHT_GAUSSIANS_SCALE, EIGHT_GAUSSIANS_STD,
    checkerboard_log_density, eight_gaussians_entropy, eight_gaussians_log_density,
};

/// Half-width of FFJORD's plotting window (`LOW = -4, HIGH = 4`), which covers every toy.
const TOY_PLOT_RANGE: f64 = 4.0;

/// A built-in 2D distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Toy {
    /// Eight Gaussians on a circle.
    EightGaussians,
    /// Uniform on eight squares of a 4×4 board.
    Checkerboard,
    /// Two interleaved half circles.
    Moons,
    /// Two interleaved spirals.
    TwoSpirals,
    /// Five curved arms.
    Pinwheel,
    /// A 2D swiss roll.
    SwissRoll,
    /// Two concentric noisy circles.
    Circles,
    /// Eight well-separated Gaussians on a ring of radius 2, σ = 0.02 (the GAN mode-counting
    /// toy; [`GaussianMixture2d::ring8`]).
    Ring8,
    /// 25 well-separated Gaussians on a grid, σ = 0.05 ([`GaussianMixture2d::grid25`]).
    Grid25,
}

impl Toy {
    /// Every toy, in declaration order.
    pub const ALL: [Toy; 9] = [
        Toy::EightGaussians,
        Toy::Checkerboard,
        Toy::Moons,
        Toy::TwoSpirals,
        Toy::Pinwheel,
        Toy::SwissRoll,
        Toy::Circles,
        Toy::Ring8,
        Toy::Grid25,
    ];

    /// FFJORD's name for the toy.
    pub fn name(self) -> &'static str {
        match self {
            Toy::EightGaussians => "8gaussians",
            Toy::Checkerboard => "checkerboard",
            Toy::Moons => "moons",
            Toy::TwoSpirals => "2spirals",
            Toy::Pinwheel => "pinwheel",
            Toy::SwissRoll => "swissroll",
            Toy::Circles => "circles",
            Toy::Ring8 => "ring8",
            Toy::Grid25 => "grid25",
        }
    }

    /// `n` independent points (pairs mirrored for `2spirals`, as in FFJORD), shape `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Array {
        let points = match self {
            Toy::EightGaussians => eight_gaussians(n, rng),
            Toy::Checkerboard => checkerboard(n, rng),
            Toy::Moons => moons(n, rng),
            Toy::TwoSpirals => two_spirals(n, rng),
            Toy::Pinwheel => pinwheel(n, rng),
            Toy::SwissRoll => swiss_roll(n, rng),
            Toy::Circles => circles(n, rng),
            Toy::Ring8 | Toy::Grid25 => self.mixture().map_or_else(Vec::new, |m| m.sample(n, rng)),
        };
        Array {
            shape: vec![n, 2],
            values: points
                .iter()
                .flat_map(|&[x, y]| [x as f32, y as f32])
                .collect(),
        }
    }

    /// The exact log-density at `(x, y)` where a closed form exists (`8gaussians`,
    /// `checkerboard`; `−∞` off the checkerboard's support), `None` otherwise.
    pub fn log_density(&self, x: f64, y: f64) -> Option<f64> {
        match self {
            Toy::EightGaussians => Some(eight_gaussians_log_density(x, y)),
            Toy::Checkerboard => Some(checkerboard_log_density(x, y)),
            Toy::Ring8 | Toy::Grid25 => self.mixture().map(|m| m.log_density(x, y)),
            _ => None,
        }
    }

    /// The differential entropy `H = −E[log p(x)]` in nats: the NLL a perfect model attains.
    ///
    /// `checkerboard`: `ln 32 ≈ 3.466`. `8gaussians`: `≈ 2.8319`, computed by quadrature; the
    /// often-quoted `2.838` is the well-separated limit `ln 8 + 1 + ln(2πσ²)`, which ignores
    /// that neighbouring components (≈ 6.1σ apart) overlap slightly. `None` for toys without a
    /// closed-form density.
    pub fn oracle_nll(&self) -> Option<f64> {
        static EIGHT_GAUSSIANS_ENTROPY: OnceLock<f64> = OnceLock::new();
        match self {
            Toy::EightGaussians => {
                Some(*EIGHT_GAUSSIANS_ENTROPY.get_or_init(eight_gaussians_entropy))
            }
            Toy::Checkerboard => Some(CHECKERBOARD_AREA.ln()),
            Toy::Ring8 | Toy::Grid25 => self.mixture().map(|m| m.entropy()),
            _ => None,
        }
    }

    /// Half-width of a square window `[−r, r]²` that holds (nearly all of) the data.
    pub fn plot_range(&self) -> f64 {
        self.mixture()
            .map_or(TOY_PLOT_RANGE, |m| m.plot_range().max(TOY_PLOT_RANGE))
    }

    /// The Gaussian mixture behind the mode-counting toys (`ring8`, `grid25`), whose modes the
    /// GAN metrics count; `None` for the others.
    pub fn mixture(&self) -> Option<GaussianMixture2d> {
        match self {
            Toy::Ring8 => Some(GaussianMixture2d::ring8()),
            Toy::Grid25 => Some(GaussianMixture2d::grid25()),
            _ => None,
        }
    }
}

impl fmt::Display for Toy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Toy {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self> {
        Toy::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| DataError::UnknownName {
                what: "toy distribution",
                name: s.to_string(),
                valid: Toy::ALL.map(Toy::name).join(", "),
            })
    }
}

fn normal(rng: &mut impl Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// Fisher–Yates over rows (FFJORD's `rng.permutation`, sklearn's `shuffle=True`).
fn shuffle(points: &mut [[f64; 2]], rng: &mut impl Rng) {
    for i in (1..points.len()).rev() {
        points.swap(i, rng.random_range(0..=i));
    }
}

/// `numpy.linspace(0, stop, m, endpoint)`.
fn linspace(stop: f64, m: usize, endpoint: bool) -> impl Iterator<Item = f64> {
    let intervals = if endpoint {
        m.saturating_sub(1).max(1)
    } else {
        m.max(1)
    };
    (0..m).map(move |k| stop * k as f64 / intervals as f64)
}

fn eight_gaussians(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    (0..n)
        .map(|_| {
            let (ex, ey) = (normal(rng), normal(rng));
            let k = rng.random_range(0..EIGHT_GAUSSIANS_DIRS.len());
            let (dx, dy) = EIGHT_GAUSSIANS_DIRS[k];
            [
                (EIGHT_GAUSSIANS_SCALE * dx + EIGHT_GAUSSIANS_STD * ex) / FFJORD_SQRT2,
                (EIGHT_GAUSSIANS_SCALE * dy + EIGHT_GAUSSIANS_STD * ey) / FFJORD_SQRT2,
            ]
        })
        .collect()
}

fn checkerboard(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    (0..n)
        .map(|_| {
            let x1 = rng.random::<f64>() * 4.0 - 2.0;
            let x2_ = rng.random::<f64>() - f64::from(rng.random_range(0..2u8)) * 2.0;
            // Python's `%` on floats takes the sign of the divisor: rem_euclid, not `%`.
            let x2 = x2_ + x1.floor().rem_euclid(2.0);
            [x1 * 2.0, x2 * 2.0]
        })
        .collect()
}

fn moons(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    const NOISE: f64 = 0.1;
    let n_out = n / 2;
    let outer = linspace(PI, n_out, true).map(|t| [t.cos(), t.sin()]);
    let inner = linspace(PI, n - n_out, true).map(|t| [1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
    let mut points: Vec<[f64; 2]> = outer.chain(inner).collect();
    shuffle(&mut points, rng);
    points
        .into_iter()
        .map(|[x, y]| {
            let (x, y) = (x + NOISE * normal(rng), y + NOISE * normal(rng));
            [x * 2.0 - 1.0, y * 2.0 - 0.2]
        })
        .collect()
}

fn two_spirals(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    const TURN_DEGREES: f64 = 540.0;
    const OFFSET: f64 = 0.5;
    const SHRINK: f64 = 3.0;
    const NOISE: f64 = 0.1;
    let arm = n.div_ceil(2);
    let base: Vec<[f64; 2]> = (0..arm)
        .map(|_| {
            let r = rng.random::<f64>().sqrt() * TURN_DEGREES * (2.0 * PI) / 360.0;
            let dx = -r.cos() * r + rng.random::<f64>() * OFFSET;
            let dy = r.sin() * r + rng.random::<f64>() * OFFSET;
            [dx, dy]
        })
        .collect();
    // FFJORD's second arm is the point reflection of the first (`-d1x, -d1y`).
    let mirrored = base.iter().take(n - arm).map(|&[x, y]| [-x, -y]);
    let mut points: Vec<[f64; 2]> = base.iter().copied().chain(mirrored).collect();
    shuffle(&mut points, rng);
    points
        .into_iter()
        .map(|[x, y]| {
            [
                x / SHRINK + NOISE * normal(rng),
                y / SHRINK + NOISE * normal(rng),
            ]
        })
        .collect()
}

fn pinwheel(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    const RADIAL_STD: f64 = 0.3;
    const TANGENTIAL_STD: f64 = 0.1;
    const ARMS: usize = 5;
    const RATE: f64 = 0.25;
    let mut points: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let f1 = normal(rng) * RADIAL_STD + 1.0;
            let f2 = normal(rng) * TANGENTIAL_STD;
            let arm_angle = 2.0 * PI * (i % ARMS) as f64 / ARMS as f64;
            let a = arm_angle + RATE * f1.exp();
            let (s, c) = a.sin_cos();
            // einsum("ti,tij->tj", f, [[cos, −sin], [sin, cos]]) in FFJORD.
            [2.0 * (f1 * c + f2 * s), 2.0 * (-f1 * s + f2 * c)]
        })
        .collect();
    shuffle(&mut points, rng);
    points
}

fn swiss_roll(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    const NOISE: f64 = 1.0;
    const SHRINK: f64 = 5.0;
    (0..n)
        .map(|_| {
            let t = 1.5 * PI * (1.0 + 2.0 * rng.random::<f64>());
            // sklearn's third coordinate (height, `21 u`) is dropped by FFJORD's `[:, [0, 2]]`.
            let x = t * t.cos() + NOISE * normal(rng);
            let z = t * t.sin() + NOISE * normal(rng);
            [x / SHRINK, z / SHRINK]
        })
        .collect()
}

fn circles(n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
    const FACTOR: f64 = 0.5;
    const NOISE: f64 = 0.08;
    const SCALE: f64 = 3.0;
    let n_out = n / 2;
    let outer = linspace(2.0 * PI, n_out, false).map(|t| [t.cos(), t.sin()]);
    let inner = linspace(2.0 * PI, n - n_out, false).map(|t| [FACTOR * t.cos(), FACTOR * t.sin()]);
    let mut points: Vec<[f64; 2]> = outer.chain(inner).collect();
    shuffle(&mut points, rng);
    points
        .into_iter()
        .map(|[x, y]| {
            [
                SCALE * (x + NOISE * normal(rng)),
                SCALE * (y + NOISE * normal(rng)),
            ]
        })
        .collect()
}
