//! Toy distributions: oracle densities normalise, entropies match, samples follow the densities.

use genzoo_data::Toy;
use genzoo_data::plot::density_grid;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// `σ = 0.5 / 1.414` of each 8gaussians component (FFJORD's 1.414, not √2).
const EIGHT_GAUSSIANS_SIGMA: f64 = 0.5 / 1.414;

#[test]
fn names_round_trip_and_unknown_name_lists_valid_ones() {
    for toy in Toy::ALL {
        assert_eq!(toy.to_string().parse::<Toy>().unwrap(), toy);
    }
    assert_eq!("8gaussians".parse::<Toy>().unwrap(), Toy::EightGaussians);
    let err = "rings".parse::<Toy>().unwrap_err().to_string();
    for toy in Toy::ALL {
        assert!(err.contains(toy.name()), "{err}");
    }
}

#[test]
fn oracle_densities_integrate_to_one() {
    // Midpoint rule over [−6, 6]²: the 8gaussians tails beyond are < 1e−20, and the
    // checkerboard's square edges fall on cell boundaries, so its sum is exact.
    const RANGE: f64 = 6.0;
    const RES: usize = 600;
    let cell = (2.0 * RANGE / RES as f64).powi(2);
    for toy in [Toy::EightGaussians, Toy::Checkerboard] {
        let mass: f64 = density_grid(RANGE, RES)
            .into_iter()
            .map(|(x, y)| toy.log_density(x, y).unwrap().exp() * cell)
            .sum();
        assert!((mass - 1.0).abs() < 1e-3, "{toy}: mass {mass}");
    }
    for toy in Toy::ALL {
        let closed_form = matches!(
            toy,
            Toy::EightGaussians | Toy::Checkerboard | Toy::Ring8 | Toy::Grid25
        );
        assert_eq!(toy.log_density(0.0, 0.0).is_some(), closed_form, "{toy}");
        assert_eq!(toy.oracle_nll().is_some(), closed_form, "{toy}");
    }
}

#[test]
fn oracle_nll_values() {
    let checkerboard = Toy::Checkerboard.oracle_nll().unwrap();
    assert!((checkerboard - 32f64.ln()).abs() < 1e-12);
    assert!((checkerboard - 3.466).abs() < 1e-3);

    // The brief's "≈ 2.838" is the well-separated limit ln 8 + ln(2πe σ²). The components are
    // only ≈ 6.1σ apart, so the mixture's entropy is lower by H(component | x) ≈ 0.006 nats;
    // an independent full-plane quadrature (Python, 900² midpoints on [−4.5, 4.5]²) gave
    // 2.831872.
    let separated =
        8f64.ln() + 1.0 + (2.0 * std::f64::consts::PI * EIGHT_GAUSSIANS_SIGMA.powi(2)).ln();
    assert!((separated - 2.838).abs() < 1e-3);
    let h = Toy::EightGaussians.oracle_nll().unwrap();
    assert!((h - 2.831872).abs() < 1e-5, "8gaussians entropy {h}");
    assert!(
        h < separated && separated - h < 1e-2,
        "{h} vs separated {separated}"
    );

    // And directly: −∫ p log p by the midpoint rule on the plane.
    const RANGE: f64 = 6.0;
    const RES: usize = 600;
    let cell = (2.0 * RANGE / RES as f64).powi(2);
    let grid_entropy: f64 = density_grid(RANGE, RES)
        .into_iter()
        .map(|(x, y)| {
            let lp = Toy::EightGaussians.log_density(x, y).unwrap();
            -lp.exp() * lp * cell
        })
        .sum();
    assert!(
        (grid_entropy - h).abs() < 1e-3,
        "grid {grid_entropy} vs {h}"
    );
}

#[test]
fn sample_nll_matches_oracle() {
    const N: usize = 20_000;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for toy in [
        Toy::EightGaussians,
        Toy::Checkerboard,
        Toy::Ring8,
        Toy::Grid25,
    ] {
        let a = toy.sample(N, &mut rng);
        let nll: Vec<f64> = a
            .values
            .chunks_exact(2)
            .map(|p| -toy.log_density(f64::from(p[0]), f64::from(p[1])).unwrap())
            .collect();
        let mean = nll.iter().sum::<f64>() / N as f64;
        let var = nll.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (N - 1) as f64;
        // Five standard errors, plus a floor for the checkerboard whose NLL is constant.
        let tol = 5.0 * (var / N as f64).sqrt() + 1e-9;
        let oracle = toy.oracle_nll().unwrap();
        assert!(
            (mean - oracle).abs() < tol,
            "{toy}: {mean} vs {oracle} ± {tol}"
        );
    }
}

#[test]
fn samples_are_finite_sized_and_inside_the_plot_window() {
    const N: usize = 2_001; // odd, and not a multiple of 5: FFJORD would return fewer points
    for toy in Toy::ALL {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let a = toy.sample(N, &mut rng);
        assert_eq!(a.shape, vec![N, 2], "{toy}");
        assert!(a.values.iter().all(|v| v.is_finite()), "{toy}");
        let r = toy.plot_range() as f32;
        let inside = a
            .values
            .chunks_exact(2)
            .filter(|p| p[0].abs() < r && p[1].abs() < r)
            .count();
        assert!(
            inside as f64 >= 0.99 * N as f64,
            "{toy}: only {inside}/{N} inside ±{r}"
        );
        let again = toy.sample(N, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(a, again, "{toy} must be a function of the generator");
    }
}

#[test]
fn samples_follow_ffjord_geometry() {
    const N: usize = 10_000;
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let radii = |toy: Toy, rng: &mut ChaCha8Rng| -> Vec<f64> {
        let a = toy.sample(N, rng);
        a.values
            .chunks_exact(2)
            .map(|p| f64::from(p[0]).hypot(f64::from(p[1])))
            .collect()
    };
    // circles: half the points on radius 3, half on 1.5. With noise σ = 0.24 per axis after
    // scaling, about 0.1% of each ring strays past the midway radius 2.25.
    let r = radii(Toy::Circles, &mut rng);
    let outer = r.iter().filter(|&&r| r > 2.25).count();
    assert!(
        outer.abs_diff(N / 2) <= N / 100,
        "{outer} of {N} on the outer ring"
    );
    // 8gaussians: every point near radius 4/1.414.
    let r = radii(Toy::EightGaussians, &mut rng);
    let mean = r.iter().sum::<f64>() / N as f64;
    assert!((mean - 4.0 / 1.414).abs() < 0.05, "mean radius {mean}");
    // 2spirals is point-symmetric: its mean is the origin.
    let a = Toy::TwoSpirals.sample(N, &mut rng);
    let (mx, my) = a.values.chunks_exact(2).fold((0.0, 0.0), |(sx, sy), p| {
        (
            sx + f64::from(p[0]) / N as f64,
            sy + f64::from(p[1]) / N as f64,
        )
    });
    assert!(
        mx.abs() < 0.01 && my.abs() < 0.01,
        "2spirals mean ({mx}, {my})"
    );
}

/// The mode-counting mixtures: each component's mass, by the midpoint rule on a window of ±8σ
/// around its mean (the other modes are ≥ 40σ away), is 1/K, so the mixture integrates to 1;
/// the means sit where PacGAN's Table 1 says (ring of radius 2, grid {−4, −2, 0, 2, 4}²).
#[test]
fn gaussian_mixtures_normalise_and_sit_on_their_grids() {
    for (toy, k, std) in [(Toy::Ring8, 8, 0.02), (Toy::Grid25, 25, 0.05)] {
        let m = toy.mixture().unwrap();
        assert_eq!(m.means.len(), k, "{toy}");
        assert_eq!(m.std, std, "{toy}");
        const RES: usize = 400;
        let half = 8.0 * std;
        let h = 2.0 * half / RES as f64;
        let mut mass = 0.0;
        for &[mx, my] in &m.means {
            for i in 0..RES {
                for j in 0..RES {
                    let x = mx - half + (i as f64 + 0.5) * h;
                    let y = my - half + (j as f64 + 0.5) * h;
                    mass += toy.log_density(x, y).unwrap().exp() * h * h;
                }
            }
        }
        assert!((mass - 1.0).abs() < 1e-6, "{toy}: mass {mass}");
    }
    let ring = Toy::Ring8.mixture().unwrap();
    for (k, &[x, y]) in ring.means.iter().enumerate() {
        let a = std::f64::consts::PI * k as f64 / 4.0;
        assert!((x - 2.0 * a.cos()).abs() < 1e-12 && (y - 2.0 * a.sin()).abs() < 1e-12);
    }
    let grid = Toy::Grid25.mixture().unwrap();
    let axis = [-4.0, -2.0, 0.0, 2.0, 4.0];
    for &[x, y] in &grid.means {
        assert!(axis.contains(&x) && axis.contains(&y), "({x}, {y})");
    }
    let mut distinct = grid.means.clone();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap());
    distinct.dedup();
    assert_eq!(distinct.len(), 25);
}
