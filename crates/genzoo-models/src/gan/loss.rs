//! The game's losses on the discriminator's logits `l = logit D(x)` (D(x) = σ(l)).
//!
//! Goodfellow et al. (2014): `min_G max_D V = E_x log D(x) + E_z log(1 − D(G(z)))`. With
//! `log σ(l) = −softplus(−l)` and `log(1 − σ(l)) = −softplus(l)`:
//! ```text
//! D (all but hinge)   ℓ_D = y·softplus(−l_r) + (1 − y)·softplus(l_r) + softplus(l_f)
//!                     (y = 1: −V; y < 1: one-sided label smoothing of the real targets)
//! G minimax           ℓ_G = −softplus(l_f)          = E log(1 − D(G(z)))   (minimised)
//! G non-saturating    ℓ_G =  softplus(−l_f)         = −E log D(G(z))
//! D hinge             ℓ_D = relu(1 − l_r) + relu(1 + l_f)
//! G hinge             ℓ_G = −l_f
//! ```
//! For G the gradient through `l_f` is `−σ(l_f) = −D(G(z))` (minimax), which vanishes when D
//! rejects the fakes confidently, against `−(1 − D(G(z)))` (non-saturating), which is largest
//! there: the saturation the paper's fix removes. All means over the batch.
//!
//! # Shapes
//! logits `[B]` → `[1]`.

use burn::prelude::*;
use burn::tensor::activation::relu;

use super::config::GanLoss;

/// `log(1 + eˣ)` without overflow: `max(x, 0) + log(1 + e^{−|x|})`.
pub fn softplus(x: Tensor<1>) -> Tensor<1> {
    let pos = x.clone().clamp_min(0.0);
    pos + x.abs().neg().exp().log1p()
}

/// The discriminator's loss, real logits `l_r` and fake logits `l_f`; `real_label` is the real
/// examples' target (1: none).
pub fn disc_loss(loss: GanLoss, real: Tensor<1>, fake: Tensor<1>, real_label: f64) -> Tensor<1> {
    match loss {
        GanLoss::Minimax | GanLoss::NonSaturating => {
            let real_term = softplus(real.clone().neg()).mul_scalar(real_label)
                + softplus(real).mul_scalar(1.0 - real_label);
            real_term.mean() + softplus(fake).mean()
        }
        GanLoss::Hinge => {
            relu(real.neg().add_scalar(1.0)).mean() + relu(fake.add_scalar(1.0)).mean()
        }
    }
}

/// The generator's loss on the fake logits.
pub fn gen_loss(loss: GanLoss, fake: Tensor<1>) -> Tensor<1> {
    match loss {
        GanLoss::Minimax => softplus(fake).mean().neg(),
        GanLoss::NonSaturating => softplus(fake.neg()).mean(),
        GanLoss::Hinge => fake.mean().neg(),
    }
}
