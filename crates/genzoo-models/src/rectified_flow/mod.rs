//! Rectified flow (Liu, Gong & Liu 2022, "Flow Straight and Fast: Learning to Generate and
//! Transfer Data with Rectified Flow"): regress a velocity on the straight paths
//! `x_t = t·x₁ + (1 − t)·x₀` between noise x₀ and data x₁, then integrate dx/dt = v from noise.
//!
//! Reflow retrains on the flow's own couplings (x₀, ODE(x₀)) — drawn to disk by
//! `genzoo pairs` and read back as `source = "pairs"` data with `coupling = "pairs"` — which
//! straightens the paths without raising the transport cost; distillation trains the velocity
//! at t = 0 alone on those pairs (`time = "zero"`), a one-step generator `x₀ + v(x₀, 0)`.
//!
//! Network, solvers and measurements are kept apart:
//! - [`solvers`]: Euler, Heun, RK4 and adaptive Dormand–Prince RK45 over a velocity closure;
//! - [`straightness`]: S(Z) and the transport cost of a coupling;
//! - the network: [`crate::conditioned`], the U-Net shared with diffusion, or an MLP;
//! - [`config`], [`model`]: the family.

pub mod config;
pub mod model;
pub mod solvers;
pub mod straightness;

pub use config::{Coupling, RectifiedFlowConfig, TimeSampling};
pub use model::{RectifiedFlow, TIME_SCALE};
pub use straightness::{PathReport, path_report, transport_cost};
