//! How straight a flow is and what its coupling costs (Liu, Gong & Liu 2022, §2.2 and Def. 2.3).
//!
//! Straightness of a flow Z from x₀:
//! `S(Z) = ∫₀¹ E ‖(Z₁ − Z₀) − v(Z_t, t)‖² dt`; zero exactly when every path is a straight line
//! run at constant speed, which is what lets one Euler step land where the full ODE does.
//! Estimated on the N-step Euler discretisation of the paths (t_k = k/N):
//! `Ŝ = (1/N) Σ_k mean_b ‖(x̂₁ − x₀) − v(x̂_{t_k}, t_k)‖²`, where x̂₁ is that solve's endpoint;
//! on this grid `x̂₁ − x₀ = (1/N) Σ_k v_k`, so Ŝ is the spread of each path's velocities about
//! their mean. Transport cost of the coupling (x₀, x̂₁): `E ‖x̂₁ − x₀‖²`. Both are sums over a
//! vector's values (the paper's ‖·‖²), averaged over examples.

use burn::prelude::*;

use super::RectifiedFlow;
use crate::ModelError;

/// Straightness and transport cost of a flow from some x₀.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathReport {
    /// Ŝ(Z) on the Euler grid.
    pub straightness: f64,
    /// E‖x̂₁ − x₀‖².
    pub transport_cost: f64,
    /// Euler steps N of the grid.
    pub steps: usize,
}

/// Mean over rows of the row sums of squares.
fn mean_sq_norm(x: Tensor<2>) -> f64 {
    x.square().sum_dim(1).mean().into_scalar::<f32>() as f64
}

/// Ŝ and the transport cost of `flow` from `x0` on an N = `steps` Euler grid.
///
/// # Shapes
/// `x0: [B, D]`.
pub fn path_report(
    flow: &RectifiedFlow,
    x0: Tensor<2>,
    steps: usize,
) -> Result<PathReport, ModelError> {
    if steps == 0 {
        return Err(ModelError::InvalidConfig(
            "straightness needs at least one step".into(),
        ));
    }
    let h = 1.0 / steps as f64;
    let mut x = x0.clone();
    let mut velocities = Vec::with_capacity(steps);
    for k in 0..steps {
        let v = flow.velocity_at(x.clone(), k as f64 * h);
        x = x + v.clone() * h;
        velocities.push(v);
    }
    let displacement = x - x0;
    let straightness = velocities
        .into_iter()
        .map(|v| mean_sq_norm(displacement.clone() - v))
        .sum::<f64>()
        / steps as f64;
    Ok(PathReport {
        straightness,
        transport_cost: mean_sq_norm(displacement),
        steps,
    })
}

/// E‖x₁ − x₀‖² of given pairs.
///
/// # Shapes
/// `x0, x1: [B, D]`.
pub fn transport_cost(x0: Tensor<2>, x1: Tensor<2>) -> f64 {
    mean_sq_norm(x1 - x0)
}
