//! The mode-counting toys of the GAN literature: equal-weight mixtures of isotropic Gaussians
//! whose modes are far apart, so that every sample can be assigned to a mode (VEEGAN,
//! Srivastava et al. 2017; PacGAN, Lin et al. 2018, Table 1).
//!
//! ```text
//! ring8    μ_k = 2·(cos 2πk/8, sin 2πk/8),  k = 0..8,       σ = 0.02
//! grid25   μ_{ij} = (i, j),  i, j ∈ {−4, −2, 0, 2, 4},       σ = 0.05
//! p(x) = (1/K) Σ_k N(x; μ_k, σ² I)
//! ```
//! PacGAN's repository draws its ring at radius 1 with σ = 0.01 (`2DRing_GAN&PacGAN/config.py`);
//! its paper and VEEGAN state radius 2 with σ = 0.02. The two are the same up to a scale, and the
//! mode metrics ([`ModeReport`]-style counting in `genzoo-eval`) are scale-free (distances in σ),
//! so the paper's values are used. Neighbouring means are ≥ 1.53/0.02 ≈ 77σ (ring) and 40σ (grid)
//! apart, so the mixture's entropy is the well-separated one, `ln K + ln(2πe σ²)`, to far below
//! f64 precision.

use std::f64::consts::PI;

use rand::Rng;
use rand_distr::StandardNormal;

/// An equal-weight mixture of isotropic 2D Gaussians.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture2d {
    /// The component means.
    pub means: Vec<[f64; 2]>,
    /// The standard deviation of every component, per axis.
    pub std: f64,
}

impl GaussianMixture2d {
    /// `modes` Gaussians evenly on a circle of `radius`, the first on the positive x axis.
    pub fn ring(modes: usize, radius: f64, std: f64) -> Self {
        let means = (0..modes)
            .map(|k| {
                let a = 2.0 * PI * k as f64 / modes as f64;
                [radius * a.cos(), radius * a.sin()]
            })
            .collect();
        GaussianMixture2d { means, std }
    }

    /// A `side × side` grid of Gaussians `spacing` apart, centred on the origin, row-major
    /// (x slowest).
    pub fn grid(side: usize, spacing: f64, std: f64) -> Self {
        let offset = (side as f64 - 1.0) / 2.0;
        let at = |i: usize| (i as f64 - offset) * spacing;
        let means = (0..side)
            .flat_map(|i| (0..side).map(move |j| [at(i), at(j)]))
            .collect();
        GaussianMixture2d { means, std }
    }

    /// VEEGAN's and PacGAN's ring: 8 modes, radius 2, σ = 0.02.
    pub fn ring8() -> Self {
        Self::ring(8, 2.0, 0.02)
    }

    /// VEEGAN's and PacGAN's grid: 25 modes at {−4, −2, 0, 2, 4}², σ = 0.05.
    pub fn grid25() -> Self {
        Self::grid(5, 2.0, 0.05)
    }

    /// `n` draws: a uniform mode, then the Gaussian noise.
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<[f64; 2]> {
        (0..n)
            .map(|_| {
                let [mx, my] = self.means[rng.random_range(0..self.means.len())];
                let ex: f64 = rng.sample(StandardNormal);
                let ey: f64 = rng.sample(StandardNormal);
                [mx + self.std * ex, my + self.std * ey]
            })
            .collect()
    }

    /// `log p(x, y)`, by a log-sum-exp over the components.
    pub fn log_density(&self, x: f64, y: f64) -> f64 {
        let var = self.std * self.std;
        let log_norm = -(2.0 * PI * var).ln() - (self.means.len() as f64).ln();
        let terms: Vec<f64> = self
            .means
            .iter()
            .map(|&[mx, my]| -((x - mx).powi(2) + (y - my).powi(2)) / (2.0 * var))
            .collect();
        let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
        log_norm + top + sum.ln()
    }

    /// The differential entropy of well-separated modes, `ln K + ln(2πe σ²)` nats.
    pub fn entropy(&self) -> f64 {
        (self.means.len() as f64).ln() + (2.0 * PI * std::f64::consts::E * self.std.powi(2)).ln()
    }

    /// Half-width of a square window `[−r, r]²` that holds every mode with room around it.
    pub fn plot_range(&self) -> f64 {
        let reach = self
            .means
            .iter()
            .map(|m| m[0].abs().max(m[1].abs()))
            .fold(0.0, f64::max);
        reach + 1.0
    }
}
