//! ODE solvers for dx/dt = v(x, t) from t = 0 (noise) to t = 1 (data): pure code over a
//! velocity closure, so that the same solvers integrate a trained network and the closed-form
//! velocities of the tests.
//!
//! Fixed steps h = 1/N (N steps, t_k = k/N):
//! - Euler, order 1, 1 evaluation a step: `x ← x + h·v(x, t)`;
//! - Heun (explicit trapezoid), order 2, 2 a step: `x̃ = x + h·k₁`, `x ← x + h/2·(k₁ + v(x̃, t + h))`;
//! - RK4 (the classical Runge–Kutta), order 4, 4 a step.
//!
//! Adaptive: Dormand–Prince RK5(4) (Dormand & Prince 1980) with FSAL — 6 new evaluations per
//! step after the first — and the local error controlled as in SciPy's `solve_ivp(method="RK45")`,
//! which the rectified-flow paper's code samples with: the batch is one system, a step is accepted
//! when `rms(e / (atol + rtol·max(|x|, |x_new|))) ≤ 1`, and the next h is
//! `h·clamp(0.9·err^(−1/5), 0.2, 10)`. The first h is chosen as SciPy does (Hairer, Nørsett &
//! Wanner, *Solving ODEs I*, II.4), which costs one evaluation. Every evaluation, rejected steps'
//! included, counts in the NFE reported.
//!
//! # Shapes
//! `x: [B, D]` throughout; the closure maps `([B, D], t)` to `[B, D]`.

use burn::prelude::*;

use crate::ModelError;

/// A velocity field: `(x, t) ↦ v(x, t)`.
pub type Velocity<'a> = dyn FnMut(Tensor<2>, f64) -> Result<Tensor<2>, ModelError> + 'a;

/// A fixed-step method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixedStep {
    /// Forward Euler (order 1).
    Euler,
    /// Heun's method, the explicit trapezoid (order 2).
    Heun,
    /// Classical Runge–Kutta (order 4).
    Rk4,
}

impl FixedStep {
    /// Velocity evaluations per step.
    pub fn evaluations_per_step(self) -> usize {
        match self {
            FixedStep::Euler => 1,
            FixedStep::Heun => 2,
            FixedStep::Rk4 => 4,
        }
    }
}

/// Integrate from t = 0 to t = 1 in `steps` equal steps; `on_step(done, total)` after every
/// evaluation. Returns x(1).
pub fn integrate_fixed(
    method: FixedStep,
    mut x: Tensor<2>,
    steps: usize,
    v: &mut Velocity,
    on_step: &mut dyn FnMut(usize, usize),
) -> Result<Tensor<2>, ModelError> {
    if steps == 0 {
        return Err(ModelError::InvalidConfig(
            "an ODE solver needs at least one step".into(),
        ));
    }
    let h = 1.0 / steps as f64;
    let total = steps * method.evaluations_per_step();
    let mut done = 0;
    let mut eval = |x: Tensor<2>, t: f64| -> Result<Tensor<2>, ModelError> {
        let out = v(x, t)?;
        done += 1;
        on_step(done, total);
        Ok(out)
    };
    for k in 0..steps {
        let t = k as f64 * h;
        x = match method {
            FixedStep::Euler => {
                let k1 = eval(x.clone(), t)?;
                x + k1 * h
            }
            FixedStep::Heun => {
                let k1 = eval(x.clone(), t)?;
                let k2 = eval(x.clone() + k1.clone() * h, t + h)?;
                x + (k1 + k2) * (h / 2.0)
            }
            FixedStep::Rk4 => {
                let k1 = eval(x.clone(), t)?;
                let k2 = eval(x.clone() + k1.clone() * (h / 2.0), t + h / 2.0)?;
                let k3 = eval(x.clone() + k2.clone() * (h / 2.0), t + h / 2.0)?;
                let k4 = eval(x.clone() + k3.clone() * h, t + h)?;
                x + (k1 + (k2 + k3) * 2.0 + k4) * (h / 6.0)
            }
        };
    }
    Ok(x)
}

/// Tolerances of the adaptive solver.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
}

/// What an adaptive solve did.
#[derive(Clone, Debug)]
pub struct AdaptiveSolution {
    /// x(1).
    pub x: Tensor<2>,
    /// Velocity evaluations (function evaluations, NFE), rejected steps' included.
    pub nfe: usize,
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps.
    pub rejected: usize,
}

/// Most evaluations one adaptive solve may take before it is called stuck.
pub const MAX_NFE: usize = 100_000;

// Dormand–Prince RK5(4) tableau (Dormand & Prince 1980; Hairer, Nørsett & Wanner table 5.2).
const C: [f64; 6] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0];
const A: [&[f64]; 6] = [
    &[],
    &[1.0 / 5.0],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
    ],
    &[
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
];
/// Fifth-order weights (the solution carried forward).
const B: [f64; 6] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
];
/// Fifth- minus fourth-order weights, over the 7 stages (the 7th is f(x_new), FSAL).
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];
/// The method's error order + 1, for the step-size exponents.
const ERROR_EXPONENT: f64 = -1.0 / 5.0;
const SAFETY: f64 = 0.9;
const MIN_FACTOR: f64 = 0.2;
const MAX_FACTOR: f64 = 10.0;

/// Root mean square of `x / scale` over every value, as f64.
fn rms_scaled(x: Tensor<2>, scale: Tensor<2>) -> f64 {
    (x / scale).square().mean().into_scalar::<f32>() as f64
}

/// `Σ_i w_i k_i` over the nonzero weights.
fn combine(ks: &[Tensor<2>], w: &[f64]) -> Option<Tensor<2>> {
    ks.iter()
        .zip(w)
        .filter(|(_, w)| **w != 0.0)
        .map(|(k, &w)| k.clone() * w)
        .reduce(|a, b| a + b)
}

/// Integrate from t = 0 to t = 1 with Dormand–Prince RK5(4) at `tol`; `on_eval(nfe)` after
/// every evaluation (the total is not known in advance).
pub fn integrate_rk45(
    x: Tensor<2>,
    tol: Tolerance,
    v: &mut Velocity,
    on_eval: &mut dyn FnMut(usize),
) -> Result<AdaptiveSolution, ModelError> {
    if !(tol.rtol > 0.0 && tol.atol > 0.0) {
        return Err(ModelError::InvalidConfig(format!(
            "RK45 needs rtol > 0 and atol > 0, got rtol {} and atol {}",
            tol.rtol, tol.atol
        )));
    }
    let mut nfe = 0;
    let mut eval = |x: Tensor<2>, t: f64| -> Result<Tensor<2>, ModelError> {
        if nfe >= MAX_NFE {
            return Err(ModelError::Numerical(format!(
                "RK45 took {MAX_NFE} evaluations without reaching t = 1 (rtol {}, atol {})",
                tol.rtol, tol.atol
            )));
        }
        let out = v(x, t)?;
        nfe += 1;
        on_eval(nfe);
        Ok(out)
    };
    let scale_of = |a: &Tensor<2>, b: &Tensor<2>| {
        a.clone().abs().max_pair(b.clone().abs()) * tol.rtol + tol.atol
    };

    // The first step (SciPy's select_initial_step).
    let mut f = eval(x.clone(), 0.0)?;
    let scale = x.clone().abs() * tol.rtol + tol.atol;
    let d0 = rms_scaled(x.clone(), scale.clone()).sqrt();
    let d1 = rms_scaled(f.clone(), scale.clone()).sqrt();
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    }
    .min(1.0);
    let f1 = eval(x.clone() + f.clone() * h0, h0)?;
    let d2 = rms_scaled(f1 - f.clone(), scale).sqrt() / h0;
    let h1 = if d1 <= 1e-15 && d2 <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / 5.0)
    };
    let mut h = (100.0 * h0).min(h1);

    let (mut x, mut t) = (x, 0.0f64);
    let (mut accepted, mut rejected) = (0, 0);
    let mut rejected_this_step = false;
    while t < 1.0 {
        h = h.min(1.0 - t);
        if h < 1e-10 {
            return Err(ModelError::Numerical(format!(
                "RK45's step fell to {h:e} at t = {t:.6}: the velocity is not smooth enough for rtol {} and atol {}",
                tol.rtol, tol.atol
            )));
        }
        let mut ks = vec![f.clone()];
        for s in 1..6 {
            let dx = combine(&ks, A[s]).unwrap_or_else(|| f.clone() * 0.0);
            ks.push(eval(x.clone() + dx * h, t + C[s] * h)?);
        }
        let x_new = x.clone() + combine(&ks, &B).unwrap_or_else(|| f.clone() * 0.0) * h;
        let f_new = eval(x_new.clone(), t + h)?;
        ks.push(f_new.clone());
        let err_vec = combine(&ks, &E).unwrap_or_else(|| f.clone() * 0.0) * h;
        let err = rms_scaled(err_vec, scale_of(&x, &x_new)).sqrt();
        if !err.is_finite() {
            return Err(ModelError::Numerical(format!(
                "RK45's error estimate is {err} at t = {t:.6}: the velocity returned NaN or infinity"
            )));
        }
        if err <= 1.0 {
            t += h;
            x = x_new;
            f = f_new;
            accepted += 1;
            let factor = if err == 0.0 {
                MAX_FACTOR
            } else {
                (SAFETY * err.powf(ERROR_EXPONENT)).min(MAX_FACTOR)
            };
            // After a rejection the step may not grow again at once (SciPy's rule).
            h *= if rejected_this_step {
                factor.min(1.0)
            } else {
                factor
            };
            rejected_this_step = false;
        } else {
            rejected += 1;
            rejected_this_step = true;
            h *= (SAFETY * err.powf(ERROR_EXPONENT)).max(MIN_FACTOR);
        }
    }
    Ok(AdaptiveSolution {
        x,
        nfe,
        accepted,
        rejected,
    })
}
