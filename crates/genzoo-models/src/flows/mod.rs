//! Normalizing flows: an invertible map between data x and a base variable z keeps the
//! likelihood exact through the change of variables
//! ```text
//! log p(x) = log p_Z(f(x)) + Σ_k log |det ∂f_k/∂h_{k−1}|,    f = f_K ∘ … ∘ f_1.
//! ```
//! Layers ([`Bijection`]s, one per file):
//! - [`planar`], [`radial`]: Rezende & Mohamed (2015), with the invertibility constraints of
//!   their appendix; planar is inverted by 1-D bisection along w, radial in closed form.
//! - [`coupling`]: NICE's additive coupling (Dinh et al. 2014) and RealNVP's affine coupling
//!   with a tanh-bounded log-scale (Dinh et al. 2017), alternating parity partitions.
//! - [`scaling`]: NICE's diagonal scaling, log-det = Σ s.
//! - [`logit`]: the fixed logit pre-processing of RealNVP (data in (0, 1) → ℝ).
//!
//! Families:
//! - [`RealNvp`] and [`Nice`]: stacks of coupling layers ([`stack`]) fitted by maximum
//!   likelihood, with a Gaussian or logistic [`prior`];
//! - [`PlanarFlow`]: planar or radial layers, either fitted to data by maximum likelihood, or
//!   fitted to an unnormalised 2D target `exp(−U_k)` of [`energy`] by reverse KL.
//!
//! Every layer's `forward` is its cheap direction and returns `log|det J|` of that direction;
//! `inverse` returns the inverse map and the log-det of the inverse (= −forward's at the point).

pub mod config;
pub mod coupling;
pub mod energy;
pub mod logit;
pub mod nice;
pub mod planar;
pub mod planar_flow;
pub mod prior;
pub mod radial;
pub mod realnvp;
pub mod scaling;
pub mod stack;

pub use config::{CouplingKind, NiceConfig, PlanarConfig, PlanarKind, RealNvpConfig, ScaleInit};
pub use coupling::Coupling;
pub use energy::Energy;
pub use logit::Logit;
pub use nice::Nice;
pub use planar::Planar;
pub use planar_flow::{PlanarFlow, PlanarLayer};
pub use prior::Prior;
pub use radial::Radial;
pub use realnvp::RealNvp;
pub use scaling::Scaling;
pub use stack::CouplingFlow;

use burn::prelude::*;

pub(crate) use crate::step::{check_width, nll_metrics, nll_step};

/// An invertible map of `[B, D]` rows with a tractable Jacobian determinant.
pub trait Bijection {
    /// `y = f(x)` and `log|det ∂f/∂x|` per row.
    ///
    /// # Shapes
    /// `x: [B, D]` → (`[B, D]`, `[B]`).
    fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>);
    /// `x = f⁻¹(y)` and `log|det ∂f⁻¹/∂y|` per row.
    ///
    /// # Shapes
    /// `y: [B, D]` → (`[B, D]`, `[B]`).
    fn inverse(&self, y: Tensor<2>) -> (Tensor<2>, Tensor<1>);
}

/// Apply `layers` in order, summing their log-dets.
///
/// # Shapes
/// `x: [B, D]` → (`[B, D]`, `[B]`).
pub fn forward_all<'a, L: Bijection + 'a>(
    layers: impl IntoIterator<Item = &'a L>,
    x: Tensor<2>,
) -> (Tensor<2>, Tensor<1>) {
    let [b, _] = x.dims();
    let device = x.device();
    layers
        .into_iter()
        .fold((x, Tensor::zeros([b], &device)), |(h, ld), layer| {
            let (h, l) = layer.forward(h);
            (h, ld + l)
        })
}

/// Invert `layers` (last first), summing the inverse log-dets.
///
/// # Shapes
/// `y: [B, D]` → (`[B, D]`, `[B]`).
pub fn inverse_all<'a, L: Bijection + 'a>(
    layers: impl DoubleEndedIterator<Item = &'a L>,
    y: Tensor<2>,
) -> (Tensor<2>, Tensor<1>) {
    let [b, _] = y.dims();
    let device = y.device();
    layers
        .rev()
        .fold((y, Tensor::zeros([b], &device)), |(h, ld), layer| {
            let (h, l) = layer.inverse(h);
            (h, ld + l)
        })
}
