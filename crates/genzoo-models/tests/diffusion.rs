//! Diffusion: schedules against hand-computed values, the forward marginal, target
//! conversions, and every sampler against the closed-form optimal denoiser of Gaussian data.
//!
//! For data `x₀ ~ N(μ, Σ)`, `x_t ~ N(√ᾱ μ, A_t)` with `A_t = ᾱΣ + (1−ᾱ)I`, and the optimal
//! ε-predictor is `ε*(x_t, t) = E[ε | x_t] = √(1−ᾱ) A_t⁻¹ (x_t − √ᾱ μ)`. With it every sampler step
//! is affine plus Gaussian noise, `x_s = a x_t + K ε*(x_t) + σ z`, so the exact law of each
//! sampler's output can be propagated in f64 (mean and covariance), independently of the
//! tensor code. The tests check (1) the samples against that exact law, with tolerances from
//! the sample size, and (2) the exact law against N(μ, Σ): the discretisation bias, small for
//! DDPM and DDIM with enough steps and measurable for DDIM at S = 10.

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::diffusion::process::{Coefs, q_sample};
use genzoo_models::diffusion::samplers::{Chain, Denoiser, ddim_sigma, slerp, timesteps};
use genzoo_models::diffusion::{
    DdpmConfig, DdpmVariance, NoiseSchedule, Prediction, ScheduleKind, Skip,
};
use genzoo_models::{Batch, DataKind, DataSpec, Family, ModelError, Optimizers, StepCx};
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{Adam, AdamConfig, deterministic_init};

type Mat = [[f64; 2]; 2];
type Vec2 = [f64; 2];

fn mat_mul(a: &Mat, b: &Mat) -> Mat {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
        }
    }
    c
}
fn mat_vec(a: &Mat, v: &Vec2) -> Vec2 {
    [
        a[0][0] * v[0] + a[0][1] * v[1],
        a[1][0] * v[0] + a[1][1] * v[1],
    ]
}
fn transpose(a: &Mat) -> Mat {
    [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]
}
fn inverse(a: &Mat) -> Mat {
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    [
        [a[1][1] / det, -a[0][1] / det],
        [-a[1][0] / det, a[0][0] / det],
    ]
}

/// The data law: correlated, with variances away from 1 so that errors show.
const MU: Vec2 = [0.8, -0.4];
const SIGMA: Mat = [[0.5, 0.3], [0.3, 0.35]];
/// Samples per sampler.
const N: usize = 4000;
/// Tolerance in standard errors.
const Z: f64 = 5.0;

/// `M_t = √(1−ᾱ) A_t⁻¹`, so that `ε* = M_t (x − √ᾱ μ)`.
fn eps_matrix(ab: f64) -> Mat {
    let a = [
        [ab * SIGMA[0][0] + 1.0 - ab, ab * SIGMA[0][1]],
        [ab * SIGMA[1][0], ab * SIGMA[1][1] + 1.0 - ab],
    ];
    let inv = inverse(&a);
    let s = (1.0 - ab).sqrt();
    [
        [s * inv[0][0], s * inv[0][1]],
        [s * inv[1][0], s * inv[1][1]],
    ]
}

/// The optimal ε-predictor as a denoiser over tensors, for `prediction` (converted from ε*).
fn oracle<'a>(
    schedule: &'a NoiseSchedule,
    prediction: Prediction,
) -> impl FnMut(Tensor<2>, usize) -> Result<Tensor<2>, ModelError> + 'a {
    move |x: Tensor<2>, t: usize| {
        let ab = schedule.alpha_bar(t);
        let m = eps_matrix(ab);
        let d = x.device();
        let mt: Vec<f32> = transpose(&m).iter().flatten().map(|&v| v as f32).collect();
        let mt = Tensor::<2>::from_data(TensorData::new(mt, [2, 2]), &d);
        let shift: Vec<f32> = MU.iter().map(|&v| (v * ab.sqrt()) as f32).collect();
        let shift = Tensor::<2>::from_data(TensorData::new(shift, [1, 2]), &d);
        let eps = (x.clone() - shift).matmul(mt); // [N, 2]
        // Re-express ε* in the requested target: x̂₀ = (x − √(1−ᾱ)ε)/√ᾱ, v = √ᾱ ε − √(1−ᾱ) x̂₀.
        let x0 = (x - eps.clone().mul_scalar((1.0 - ab).sqrt())).div_scalar(ab.sqrt());
        Ok(match prediction {
            Prediction::Eps => eps,
            Prediction::X0 => x0,
            Prediction::V => eps.mul_scalar(ab.sqrt()) - x0.mul_scalar((1.0 - ab).sqrt()),
        })
    }
}

/// Mean and covariance, exactly, of a chain of steps `x ← a x + K ε*(x, t) + σ z` from
/// `x ~ N(0, I)`.
fn exact_law(steps: &[(f64, f64, f64, f64)]) -> (Vec2, Mat) {
    let mut m = [0.0, 0.0];
    let mut c = [[1.0, 0.0], [0.0, 1.0]];
    for &(ab, a, k, var) in steps {
        let em = eps_matrix(ab);
        let p = [
            [a + k * em[0][0], k * em[0][1]],
            [k * em[1][0], a + k * em[1][1]],
        ];
        let offset = mat_vec(&em, &[ab.sqrt() * MU[0], ab.sqrt() * MU[1]]);
        let pm = mat_vec(&p, &m);
        m = [pm[0] - k * offset[0], pm[1] - k * offset[1]];
        c = mat_mul(&mat_mul(&p, &c), &transpose(&p));
        c[0][0] += var;
        c[1][1] += var;
    }
    (m, c)
}

/// The exact law of DDPM ancestral sampling over all T steps: `x_{t−1} = c₁ x̂₀ + c₂ x_t + σ z`
/// with `x̂₀ = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t`, i.e. `a = c₁/√ᾱ_t + c₂`, `K = −c₁ √(1−ᾱ_t)/√ᾱ_t`,
/// from Ho et al.'s β_t and β̃_t as the schedule stores them.
fn ddpm_law(s: &NoiseSchedule, variance: DdpmVariance) -> (Vec2, Mat) {
    let steps: Vec<_> = (0..s.steps())
        .rev()
        .map(|t| {
            let (ab, abp, b) = (s.alpha_bar(t), s.alpha_bar_prev(t), s.beta(t));
            let var = match (t, variance) {
                (0, _) => 0.0,
                (_, DdpmVariance::Beta) => b,
                (_, DdpmVariance::BetaTilde) => s.posterior_variance(t),
            };
            ancestral(ab, abp, b, var)
        })
        .collect();
    exact_law(&steps)
}

/// The exact law of DDPM over the timesteps `taus` with σ² = β (Song et al.'s σ̂ row): each
/// jump τ_i → τ_{i−1} is one ancestral step of a process with `β = 1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}}`.
fn skipped_ddpm_law(s: &NoiseSchedule, taus: &[usize]) -> (Vec2, Mat) {
    let steps: Vec<_> = (0..taus.len())
        .rev()
        .map(|i| {
            let ab = s.alpha_bar(taus[i]);
            let abp = i.checked_sub(1).map_or(1.0, |j| s.alpha_bar(taus[j]));
            let b = 1.0 - ab / abp;
            ancestral(ab, abp, b, if i == 0 { 0.0 } else { b })
        })
        .collect();
    exact_law(&steps)
}

/// One ancestral step `c₁ x̂₀ + c₂ x_t + σ z` as `(ᾱ_t, a, K, σ²)` for [`exact_law`].
fn ancestral(ab: f64, abp: f64, b: f64, var: f64) -> (f64, f64, f64, f64) {
    let c1 = abp.sqrt() * b / (1.0 - ab);
    let c2 = (1.0 - b).sqrt() * (1.0 - abp) / (1.0 - ab);
    (
        ab,
        c1 / ab.sqrt() + c2,
        -c1 * (1.0 - ab).sqrt() / ab.sqrt(),
        var,
    )
}

/// The exact law of DDIM (eq. 12): `x_s = √ᾱ_s x̂₀ + √(1−ᾱ_s−σ²) ε + σ z`, i.e.
/// `a = √(ᾱ_s/ᾱ_t)`, `K = √(1−ᾱ_s−σ²) − √ᾱ_s √(1−ᾱ_t)/√ᾱ_t`.
fn ddim_law(s: &NoiseSchedule, taus: &[usize], eta: f64) -> (Vec2, Mat) {
    let steps: Vec<_> = (0..taus.len())
        .rev()
        .map(|i| {
            let t = taus[i];
            let prev = i.checked_sub(1).map(|j| taus[j]);
            let (ab, abs) = (s.alpha_bar(t), s.alpha_bar_at(prev));
            let sigma = ddim_sigma(s, t, prev, eta);
            let k = (1.0 - abs - sigma * sigma).max(0.0).sqrt()
                - abs.sqrt() * (1.0 - ab).sqrt() / ab.sqrt();
            (ab, (abs / ab).sqrt(), k, sigma * sigma)
        })
        .collect();
    exact_law(&steps)
}

/// Sample mean and covariance of `[N, 2]` values.
fn moments(x: Tensor<2>) -> (Vec2, Mat) {
    let v: Vec<f32> = genzoo_nn::host::to_vec(x, "samples").expect("f32 data");
    let n = v.len() / 2;
    let mut m = [0.0; 2];
    for r in v.chunks(2) {
        m[0] += r[0] as f64 / n as f64;
        m[1] += r[1] as f64 / n as f64;
    }
    let mut c = [[0.0; 2]; 2];
    for r in v.chunks(2) {
        let d = [r[0] as f64 - m[0], r[1] as f64 - m[1]];
        for i in 0..2 {
            for j in 0..2 {
                c[i][j] += d[i] * d[j] / (n - 1) as f64;
            }
        }
    }
    (m, c)
}

/// Samples against the exact law, at `Z` standard errors.
fn assert_matches(what: &str, sample: (Vec2, Mat), law: (Vec2, Mat)) {
    let (m, c) = sample;
    let (lm, lc) = law;
    let n = N as f64;
    for i in 0..2 {
        let tol = Z * (lc[i][i] / n).sqrt();
        assert!(
            (m[i] - lm[i]).abs() < tol,
            "{what}: mean[{i}] {} vs {} (±{tol})",
            m[i],
            lm[i]
        );
        for j in 0..2 {
            // Var of a sample covariance of Gaussians: (C_ii C_jj + C_ij²)/n.
            let tol = Z * ((lc[i][i] * lc[j][j] + lc[i][j].powi(2)) / n).sqrt();
            assert!(
                (c[i][j] - lc[i][j]).abs() < tol,
                "{what}: cov[{i}][{j}] {} vs {} (±{tol})",
                c[i][j],
                lc[i][j]
            );
        }
    }
}

/// Largest deviation of a law from N(μ, Σ).
fn bias(law: &(Vec2, Mat)) -> f64 {
    law_gap(law, &(MU, SIGMA))
}

/// Largest entry-wise difference of two laws' means and covariances.
fn law_gap((m, c): &(Vec2, Mat), (m2, c2): &(Vec2, Mat)) -> f64 {
    let mut worst: f64 = 0.0;
    for i in 0..2 {
        worst = worst.max((m[i] - m2[i]).abs());
        for j in 0..2 {
            worst = worst.max((c[i][j] - c2[i][j]).abs());
        }
    }
    worst
}

fn linear() -> NoiseSchedule {
    NoiseSchedule::new(ScheduleKind::Linear, 1000).expect("valid schedule")
}

fn chain<'a, 'b>(s: &'a NoiseSchedule, p: Prediction, d: &'a mut Denoiser<'b>) -> Chain<'a, 'b> {
    Chain {
        schedule: s,
        prediction: p,
        denoise: d,
        clip: None,
    }
}

fn start(seed: u64, device: &Device) -> Tensor<2> {
    standard_normal([N, 2], &mut rng_for(seed, 0, 0), device)
}

/// Ho et al.'s linear schedule: β_t = 1e-4 + (0.02 − 1e-4)·t/999, ᾱ its running product.
#[test]
fn linear_schedule_values() {
    let s = linear();
    assert_eq!(s.steps(), 1000);
    assert!((s.beta(0) - 1e-4).abs() < 1e-18);
    assert!((s.beta(999) - 0.02).abs() < 1e-15);
    assert!((s.beta(500) - (1e-4 + 0.0199 * 500.0 / 999.0)).abs() < 1e-15);
    assert!((s.alpha_bar(0) - 0.9999).abs() < 1e-15);
    let b1 = 1e-4 + 0.0199 / 999.0;
    assert!((s.alpha_bar(1) - 0.9999 * (1.0 - b1)).abs() < 1e-15);
    // ln ᾱ_999 = Σ ln(1 − β_t) ≈ −Σβ_t − ½Σβ_t² = −10.05 − 0.0669…: ᾱ_999 ≈ 4.04e-5, the value
    // quoted for this schedule (e.g. Nichol & Dhariwal 2021, §3.2: "ᾱ_T ≈ 4e-5" style figures).
    assert!(
        (s.alpha_bar(999) - 4.0358e-5).abs() < 1e-8,
        "{}",
        s.alpha_bar(999)
    );
    // β̃_t ≤ β_t, β̃_0 = 0, and β̃_1 = (1 − ᾱ_0)/(1 − ᾱ_1)·β_1 = β_0 β_1/(β_0 + β_1 − β_0 β_1).
    assert_eq!(s.posterior_variance(0), 0.0);
    let expect = 1e-4 * b1 / (1e-4 + b1 - 1e-4 * b1);
    assert!((s.posterior_variance(1) - expect).abs() < 1e-12 * expect);
    assert!((0..1000).all(|t| s.posterior_variance(t) <= s.beta(t)));
}

/// Nichol & Dhariwal's cosine schedule: β_0 = 1 − f(1/T)/f(0), ᾱ_t = f((t+1)/T)/f(0) until the
/// clip, the last β clipped at 0.999, and no β is 0 (candle's integer division makes them 0).
#[test]
fn cosine_schedule_values() {
    let s = NoiseSchedule::new(ScheduleKind::Cosine, 1000).expect("valid schedule");
    let f = |t: f64| {
        ((t + 0.008) / 1.008 * std::f64::consts::FRAC_PI_2)
            .cos()
            .powi(2)
    };
    assert!((s.beta(0) - (1.0 - f(0.001) / f(0.0))).abs() < 1e-15);
    assert!((s.alpha_bar(499) - f(0.5) / f(0.0)).abs() < 1e-12);
    assert!(
        (s.alpha_bar(499) - 0.4938).abs() < 1e-3,
        "{}",
        s.alpha_bar(499)
    );
    assert_eq!(s.beta(999), 0.999);
    assert!(s.betas().iter().all(|&b| b > 1e-6), "a β is (nearly) 0");
    assert!(
        s.betas().windows(2).all(|w| w[1] >= w[0]),
        "β must increase"
    );
}

/// Samples of q(x_t | x₀) have mean √ᾱ x₀ and variance 1 − ᾱ.
#[test]
fn forward_marginal_matches_the_closed_form() {
    let s = linear();
    let d = Device::flex();
    let (n, dim, x0v) = (20_000usize, 2usize, 0.7f64);
    for t in [0, 300, 999] {
        let ab = s.alpha_bar(t);
        let x0 = Tensor::<2>::full([n, dim], x0v, &d);
        let eps = standard_normal([n, dim], &mut rng_for(3, t as u64, 0), &d);
        let xt = q_sample(x0, eps, &Coefs::new(&vec![ab; n], &d));
        let v: Vec<f32> = genzoo_nn::host::to_vec(xt, "samples").expect("f32");
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        let m = v.len() as f64;
        assert!(
            (mean - ab.sqrt() * x0v).abs() < Z * ((1.0 - ab) / m).sqrt(),
            "t={t}: mean {mean}"
        );
        assert!(
            (var - (1.0 - ab)).abs() < Z * (1.0 - ab) * (2.0 / m).sqrt(),
            "t={t}: var {var}"
        );
    }
}

/// Every target converts back to the (ε, x₀) it was made from.
#[test]
fn prediction_targets_convert_back() {
    let s = linear();
    let d = Device::flex();
    let mut rng = rng_for(4, 0, 0);
    let x0 = standard_normal([16, 5], &mut rng, &d);
    let eps = standard_normal([16, 5], &mut rng, &d);
    for t in [0, 10, 500, 999] {
        let ab = s.alpha_bar(t);
        let c = Coefs::new(&[ab; 16], &d);
        let xt = q_sample(x0.clone(), eps.clone(), &c);
        for p in [Prediction::Eps, Prediction::X0, Prediction::V] {
            let target = p.target(x0.clone(), eps.clone(), &c);
            let (e, x) = p.eps_and_x0(target, xt.clone(), ab);
            // f32 round-off, amplified by 1/√ᾱ or 1/√(1−ᾱ) at the ends of the schedule.
            let tol = 1e-5 / ab.sqrt().min((1.0 - ab).sqrt());
            let err = |a: Tensor<2>, b: Tensor<2>| (a - b).abs().max().into_scalar::<f32>() as f64;
            assert!(err(e, eps.clone()) < tol, "{p:?} t={t}: ε");
            assert!(err(x, x0.clone()) < tol, "{p:?} t={t}: x₀");
        }
    }
}

/// DDPM with either variance reproduces N(μ, Σ) with the optimal denoiser.
#[test]
fn ddpm_reproduces_gaussian_data() -> Result<(), ModelError> {
    let s = linear();
    let d = Device::flex();
    // σ² = β̃ loses ~1% of the variance over the chain (a property of the chain, not of the
    // code: the exact law shows it too); σ² = β is unbiased to 1e-3.
    for (variance, p, max_bias) in [
        (DdpmVariance::Beta, Prediction::Eps, 1e-3),
        (DdpmVariance::BetaTilde, Prediction::V, 1e-2),
    ] {
        let mut den = oracle(&s, p);
        let all: Vec<usize> = (0..s.steps()).collect();
        let x = chain(&s, p, &mut den).ddpm(
            start(1, &d),
            &all,
            variance,
            &mut rng_for(2, 0, 0),
            &mut |_, _| {},
        )?;
        let law = ddpm_law(&s, variance);
        eprintln!("DDPM {variance:?}: exact-law bias {:.2e}", bias(&law));
        assert!(bias(&law) < max_bias, "{variance:?}: {law:?}");
        assert_matches(&format!("DDPM {variance:?}"), moments(x), law);
    }
    Ok(())
}

/// DDPM with σ² = β over S < T skipped steps (Song et al.'s σ̂ row) matches its exact law, and
/// with S = T through the skip path equals the full chain's law.
#[test]
fn skipped_ddpm_matches_its_exact_law() -> Result<(), ModelError> {
    let s = linear();
    let d = Device::flex();
    let full = skipped_ddpm_law(&s, &timesteps(1000, 1000, Skip::Uniform)?);
    let ho = ddpm_law(&s, DdpmVariance::Beta);
    let gap = law_gap(&full, &ho);
    assert!(
        gap < 1e-9,
        "S = T skip law differs from Ho et al.'s by {gap}"
    );
    for (steps, skip) in [(10, Skip::Uniform), (50, Skip::Quad)] {
        let taus = timesteps(1000, steps, skip)?;
        let law = skipped_ddpm_law(&s, &taus);
        eprintln!(
            "DDPM σ̂ S={steps} {skip:?}: exact-law bias {:.2e}",
            bias(&law)
        );
        let mut den = oracle(&s, Prediction::Eps);
        let x = chain(&s, Prediction::Eps, &mut den).ddpm(
            start(3, &d),
            &taus,
            DdpmVariance::Beta,
            &mut rng_for(4, 0, 0),
            &mut |_, _| {},
        )?;
        assert_matches(&format!("DDPM σ̂ S={steps} {skip:?}"), moments(x), law);
    }
    Ok(())
}

/// DDIM (η = 0 at S = 10 and 50, both skips; η = 1) matches its exact law; that law reaches
/// N(μ, Σ) as S grows (Euler-type discretisation: variance shrinks at small S).
#[test]
fn ddim_reproduces_gaussian_data() -> Result<(), ModelError> {
    let s = linear();
    let d = Device::flex();
    let cases = [
        (10, Skip::Uniform, 0.0, 0.2),
        (10, Skip::Quad, 0.0, 0.2),
        (50, Skip::Uniform, 0.0, 0.05),
        (50, Skip::Quad, 0.0, 0.05),
        (50, Skip::Uniform, 1.0, 0.1),
        (1000, Skip::Uniform, 0.0, 3e-3),
    ];
    for (steps, skip, eta, max_bias) in cases {
        let taus = timesteps(1000, steps, skip)?;
        let law = ddim_law(&s, &taus, eta);
        eprintln!(
            "DDIM S={steps} {skip:?} η={eta}: exact-law bias {:.2e}",
            bias(&law)
        );
        assert!(
            bias(&law) < max_bias,
            "S={steps} {skip:?}: bias {}",
            bias(&law)
        );
        if steps == 1000 {
            continue; // the law is checked; 1000 oracle steps add nothing to the sampler check
        }
        let mut den = oracle(&s, Prediction::X0);
        let x = chain(&s, Prediction::X0, &mut den).ddim(
            start(5, &d),
            &taus,
            eta,
            &mut rng_for(6, 0, 0),
            &mut |_, _| {},
        )?;
        assert_matches(&format!("DDIM S={steps} {skip:?} η={eta}"), moments(x), law);
    }
    Ok(())
}

/// Clipping x̂₀ to a range the data never leaves must not change what DDIM (η = 0) draws, even
/// from an imperfect denoiser. Here ε̂ = 0.95 ε*, shrunk as a regression to the mean is: at
/// large t its error, magnified by 1/√ᾱ, puts x̂₀ far outside [−4, 4] and the clip acts. With
/// ε̂ re-derived from the clipped x̂₀ the two runs agree; pairing the clipped x̂₀ with the raw
/// ε̂ instead drains the state's noise at every step (measured: largest moment gap 0.037 with
/// the re-derived ε̂, 0.255 without, the variance falling from 0.82 to 0.56).
#[test]
fn ddim_clipping_keeps_the_state_of_an_imperfect_denoiser() -> Result<(), ModelError> {
    /// Shrinkage of the imperfect ε̂.
    const SHRINK: f64 = 0.95;
    /// Far outside the data (|μ| + 4σ < 3.6), so that only magnified errors are clipped.
    const RANGE: f64 = 4.0;
    let s = linear();
    let d = Device::flex();
    let taus = timesteps(1000, 100, Skip::Uniform)?;
    let run = |clip: Option<f64>| -> Result<(Vec2, Mat), ModelError> {
        let mut exact = oracle(&s, Prediction::Eps);
        let mut den = |x: Tensor<2>, t: usize| Ok(exact(x, t)?.mul_scalar(SHRINK));
        let mut c = chain(&s, Prediction::Eps, &mut den);
        c.clip = clip;
        let x = c.ddim(
            start(7, &d),
            &taus,
            0.0,
            &mut rng_for(8, 0, 0),
            &mut |_, _| {},
        )?;
        Ok(moments(x))
    };
    let (free, clipped) = (run(None)?, run(Some(RANGE))?);
    let gap = law_gap(&free, &clipped);
    eprintln!("unclipped {free:?}, clipped {clipped:?}: gap {gap:.2e}");
    assert!(
        gap < 0.1,
        "clipping changed the samples: {free:?} vs {clipped:?}"
    );
    Ok(())
}

/// η = 0 is deterministic given x_T (the noise stream is never read); η = 1 is not.
#[test]
fn ddim_eta0_is_deterministic() -> Result<(), ModelError> {
    let s = linear();
    let d = Device::flex();
    let taus = timesteps(1000, 20, Skip::Uniform)?;
    let run = |eta: f64, seed: u64| -> Result<Vec<f32>, ModelError> {
        let mut den = oracle(&s, Prediction::Eps);
        let x = chain(&s, Prediction::Eps, &mut den).ddim(
            start(7, &d),
            &taus,
            eta,
            &mut rng_for(seed, 0, 0),
            &mut |_, _| {},
        )?;
        Ok(genzoo_nn::host::to_vec(x, "samples").expect("f32"))
    };
    assert_eq!(run(0.0, 1)?, run(0.0, 2)?);
    assert_ne!(run(1.0, 1)?, run(1.0, 2)?);
    Ok(())
}

/// With η = 1 and S = T, DDIM's per-step variance is DDPM's β̃_t (Song et al., §4.1).
#[test]
fn ddim_eta1_full_steps_has_posterior_variance() -> Result<(), ModelError> {
    for kind in [ScheduleKind::Linear, ScheduleKind::Cosine] {
        let s = NoiseSchedule::new(kind, 1000)?;
        let taus = timesteps(1000, 1000, Skip::Uniform)?;
        assert_eq!(taus, (0..1000).collect::<Vec<_>>());
        for i in 0..taus.len() {
            let prev = i.checked_sub(1).map(|j| taus[j]);
            let sigma = ddim_sigma(&s, taus[i], prev, 1.0);
            let tilde = s.posterior_variance(taus[i]);
            assert!(
                (sigma * sigma - tilde).abs() <= 1e-12 * tilde.max(1e-300),
                "{kind:?} t={i}"
            );
        }
    }
    Ok(())
}

/// Timesteps exactly as ermongroup/ddim: `range(0, T, T//S)` and `int(linspace(0, √(0.8T), S)²)`
/// (values computed with numpy's formula by hand: int(800 i²/81)).
#[test]
fn timesteps_follow_ermongroup() -> Result<(), ModelError> {
    assert_eq!(
        timesteps(1000, 10, Skip::Uniform)?,
        (0..10).map(|i| 100 * i).collect::<Vec<_>>()
    );
    assert_eq!(
        timesteps(1000, 10, Skip::Quad)?,
        vec![0, 9, 39, 88, 158, 246, 355, 483, 632, 800]
    );
    assert_eq!(timesteps(1000, 30, Skip::Uniform)?.len(), 31); // 1000 // 30 = 33
    assert!(timesteps(1000, 0, Skip::Uniform).is_err());
    assert!(timesteps(1000, 1001, Skip::Uniform).is_err());
    Ok(())
}

/// DDIM inversion then reconstruction returns the input; the fixed-point refinement makes the
/// inversion exact up to f32 round-off.
#[test]
fn ddim_inversion_reconstructs() -> Result<(), ModelError> {
    let s = linear();
    let d = Device::flex();
    // Inputs drawn from the data law: x₀ = μ + L z with L Cholesky of Σ.
    let l = [
        [SIGMA[0][0].sqrt(), 0.0],
        [
            SIGMA[1][0] / SIGMA[0][0].sqrt(),
            (SIGMA[1][1] - SIGMA[1][0].powi(2) / SIGMA[0][0]).sqrt(),
        ],
    ];
    let lt: Vec<f32> = transpose(&l).iter().flatten().map(|&v| v as f32).collect();
    let z = standard_normal([256, 2], &mut rng_for(8, 0, 0), &d);
    let mu = Tensor::<2>::from_data(TensorData::new(MU.map(|v| v as f32).to_vec(), [1, 2]), &d);
    let x0 = z.matmul(Tensor::from_data(TensorData::new(lt, [2, 2]), &d)) + mu;
    for (steps, refine, tol) in [
        (50, 0, 0.15),
        (100, 0, 0.08),
        (1000, 0, 0.01),
        (50, 3, 1e-3),
        (100, 3, 1e-4),
        (50, 10, 1e-5),
    ] {
        let taus = timesteps(1000, steps, Skip::Uniform)?;
        let mut den = oracle(&s, Prediction::Eps);
        let mut c = chain(&s, Prediction::Eps, &mut den);
        let latent = c.ddim_invert(x0.clone(), &taus, refine, &mut |_, _| {})?;
        let back = c.ddim(latent, &taus, 0.0, &mut rng_for(0, 0, 0), &mut |_, _| {})?;
        let err = (back - x0.clone()).abs().max().into_scalar::<f32>() as f64;
        eprintln!("inversion S={steps} refine={refine}: max |error| {err:.2e}");
        assert!(err < tol, "S={steps} refine={refine}: {err}");
    }
    Ok(())
}

/// slerp: the endpoints, constant norm between equal-norm latents, and the angle moving
/// linearly in α.
#[test]
fn slerp_interpolates_on_the_sphere() {
    let a = [3.0f32, 0.0, 0.0];
    let b = [0.0f32, 3.0, 0.0];
    assert_eq!(slerp(&a, &b, 0.0), a.to_vec());
    let end = slerp(&a, &b, 1.0);
    assert!(end.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6));
    let mid = slerp(&a, &b, 0.25);
    let norm = mid.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 3.0).abs() < 1e-5);
    let angle = (mid[1] as f64).atan2(mid[0] as f64);
    assert!((angle - std::f64::consts::FRAC_PI_8).abs() < 1e-6);
}

fn image_spec(c: usize, hw: usize) -> DataSpec {
    DataSpec {
        example_shape: vec![c, hw, hw],
        kind: DataKind::Continuous,
    }
}

/// The U-Net maps images to images of the same shape (28×28 and 32×32), and its output
/// depends on the step; the step features need not be as wide as the base (an odd base of 6
/// with 64 step features builds), but they must be even.
#[test]
fn unet_shapes_and_step_dependence() -> Result<(), ModelError> {
    let d = Device::flex();
    for (c, hw, base, groups, features) in [(1, 28, 8, 4, 8), (3, 32, 6, 3, 64)] {
        let config = DdpmConfig {
            unet: genzoo_nn::unet::UNetConfig {
                channels: base,
                groups,
                ..genzoo_nn::unet::UNetConfig::mnist()
            },
            time_features: features,
            ..DdpmConfig::mnist()
        };
        let model = deterministic_init(config.init(&image_spec(c, hw), &d)?, 11)?;
        let x = standard_normal([2, c * hw * hw], &mut rng_for(9, 0, 0), &d);
        let at = |t: f64| model.predict(x.clone(), Tensor::<1>::full([2], t, &d));
        let (y10, y500) = (at(10.0), at(500.0));
        assert_eq!(y10.dims(), [2, c * hw * hw]);
        let diff = (y10 - y500).abs().max().into_scalar::<f32>();
        assert!(diff > 1e-4, "output does not depend on t ({diff})");
    }
    let bad = DdpmConfig::mnist().init(&image_spec(1, 30), &d);
    assert!(bad.is_err(), "30×30 is not divisible by 4");
    let odd = DdpmConfig {
        time_features: 63,
        ..DdpmConfig::mnist()
    };
    assert!(
        odd.init(&image_spec(1, 28), &d).is_err(),
        "63 step features"
    );
    Ok(())
}

/// A few Adam steps lower the denoising loss (stratified validation loss, fixed noise), for
/// the MLP on 2-D Gaussian data and for a small U-Net on 8×8 images.
#[test]
fn training_lowers_the_loss() -> Result<(), ModelError> {
    let d = Device::flex().autodiff();
    let cases: [(DdpmConfig, DataSpec, usize, f64); 2] = [
        (
            DdpmConfig::toy(),
            DataSpec {
                example_shape: vec![2],
                kind: DataKind::Continuous,
            },
            60,
            1e-2,
        ),
        (
            DdpmConfig {
                unet: genzoo_nn::unet::UNetConfig {
                    channels: 8,
                    groups: 4,
                    channel_mult: vec![1, 2],
                    ..genzoo_nn::unet::UNetConfig::mnist()
                },
                ..DdpmConfig::mnist()
            },
            image_spec(1, 8),
            15,
            2e-3,
        ),
    ];
    for (config, spec, steps, lr) in cases {
        let mut model = deterministic_init(config.init(&spec, &d)?, 12)?;
        let dim = spec.dim();
        // Data: a fixed smooth pattern plus a little noise, scaled into [−1, 1].
        let base: Vec<f32> = (0..dim).map(|i| ((i as f32) * 0.7).sin() * 0.8).collect();
        let noise = standard_normal([64, dim], &mut rng_for(13, 0, 0), &d).mul_scalar(0.1);
        let x = Tensor::<2>::from_data(TensorData::new(base, [1, dim]), &d) + noise;
        let batch = Batch::unlabelled(x);
        let eval = |m: &genzoo_models::diffusion::Ddpm| -> Result<f64, ModelError> {
            let mut r = rng_for(14, 0, 0);
            let mut cx = StepCx {
                rng: &mut r,
                step: 0,
            };
            Ok(m.eval_step(&batch, &mut cx)?[0].1)
        };
        let before = eval(&model)?;
        let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), lr);
        for step in 0..steps as u64 {
            let mut r = rng_for(15, 0, step);
            let mut cx = StepCx { rng: &mut r, step };
            model = model.train_step(&batch, &mut optim, &mut cx)?.0;
        }
        let after = eval(&model)?;
        eprintln!("{:?}: loss {before:.4} → {after:.4}", config.net);
        assert!(after < 0.8 * before, "{:?}: {before} → {after}", config.net);
    }
    Ok(())
}

/// Timing of the MNIST U-Net (not a check; run in release:
/// `cargo test --release -p genzoo-models --test diffusion -- --ignored --nocapture timing`):
/// seconds per training step at batch 64 and 128, and per network call while sampling.
#[test]
#[ignore]
fn timing_mnist_unet() -> Result<(), ModelError> {
    use std::time::Instant;
    let spec = image_spec(1, 28);
    let d = Device::flex().autodiff();
    let mut model = DdpmConfig::mnist().init(&spec, &d)?;
    genzoo_nn::materialize(&model);
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 1e-4);
    for b in [64usize, 128] {
        let x = standard_normal([b, 784], &mut rng_for(0, 0, 0), &d).clamp(-1.0, 1.0);
        let batch = Batch::unlabelled(x);
        let mut times = Vec::new();
        for step in 0..4u64 {
            let started = Instant::now();
            let mut r = rng_for(1, 0, step);
            let mut cx = StepCx { rng: &mut r, step };
            model = model.train_step(&batch, &mut optim, &mut cx)?.0;
            times.push(started.elapsed().as_secs_f64());
        }
        eprintln!("train batch {b}: {:?} s/step", times);
    }
    let m = model.valid();
    let dv = Device::flex();
    for b in [64usize, 256] {
        let x = standard_normal([b, 784], &mut rng_for(0, 0, 0), &dv);
        let started = Instant::now();
        for _ in 0..3 {
            let _ = genzoo_nn::host::to_vec(
                m.predict(x.clone(), Tensor::<1>::full([b], 500.0, &dv)),
                "y",
            );
        }
        let per_call = started.elapsed().as_secs_f64() / 3.0;
        eprintln!(
            "forward batch {b}: {per_call:.3} s/call, {:.5} s per sample per step",
            per_call / b as f64
        );
    }
    Ok(())
}
