//! Compound scaling (Tan & Le 2019, "EfficientNet: Rethinking Model Scaling for CNNs", §3.3):
//! one coefficient φ scales depth, width and resolution together,
//! ```text
//! depth d = α^φ,  width w = β^φ,  resolution r = γ^φ,   α = 1.2, β = 1.1, γ = 1.15
//! ```
//! (α·β²·γ² ≈ 2, so FLOPs grow by about 2^φ). The published B0..B7 models use hand-picked
//! `(w, d, r, dropout)` rather than the formula; both are here. Channel counts and repeats are
//! rounded as the reference code does (`round_filters`, `round_repeats` in the TensorFlow
//! `efficientnet_model.py` and lukemelas/EfficientNet-PyTorch `utils.py`): channels to the
//! nearest multiple of 8, bumped up by 8 when rounding lost more than 10 %; repeats to the ceiling.

use serde::{Deserialize, Serialize};

/// Depth base α of compound scaling.
pub const ALPHA: f64 = 1.2;
/// Width base β.
pub const BETA: f64 = 1.1;
/// Resolution base γ.
pub const GAMMA: f64 = 1.15;
/// Input side of the baseline B0.
pub const BASE_RESOLUTION: usize = 224;
/// Dropout before the classifier of B0 (used for φ-scaled models too).
pub const BASE_DROPOUT: f64 = 0.2;
/// Channel counts are multiples of this.
pub const CHANNEL_DIVISOR: usize = 8;
/// Rounding may never lose more than this fraction of the scaled channel count.
pub const MIN_ROUNDED_FRACTION: f64 = 0.9;

/// The multipliers one EfficientNet is built with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// Width multiplier (channels).
    pub width: f64,
    /// Depth multiplier (block repeats).
    pub depth: f64,
    /// Input side in pixels.
    pub resolution: usize,
    /// Dropout rate before the final linear layer.
    pub dropout: f64,
}

/// The published models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Preset {
    B0,
    B1,
    B2,
    B3,
    B4,
    B5,
    B6,
    B7,
}

impl Preset {
    /// Every preset, B0 first.
    pub const ALL: [Preset; 8] = [
        Preset::B0,
        Preset::B1,
        Preset::B2,
        Preset::B3,
        Preset::B4,
        Preset::B5,
        Preset::B6,
        Preset::B7,
    ];

    /// `(width, depth, resolution, dropout)` from the reference code's `efficientnet_params`.
    pub fn scaling(self) -> Scaling {
        let (width, depth, resolution, dropout) = match self {
            Preset::B0 => (1.0, 1.0, 224, 0.2),
            Preset::B1 => (1.0, 1.1, 240, 0.2),
            Preset::B2 => (1.1, 1.2, 260, 0.3),
            Preset::B3 => (1.2, 1.4, 300, 0.3),
            Preset::B4 => (1.4, 1.8, 380, 0.4),
            Preset::B5 => (1.6, 2.2, 456, 0.4),
            Preset::B6 => (1.8, 2.6, 528, 0.5),
            Preset::B7 => (2.0, 3.1, 600, 0.5),
        };
        Scaling {
            width,
            depth,
            resolution,
            dropout,
        }
    }

    /// What the sources report: (trainable parameters at 1000 classes of the reference
    /// PyTorch port lukemelas/EfficientNet-PyTorch, "FLOPs" in billions from the paper's
    /// Table 2, which are multiply-adds).
    pub fn reported(self) -> (u64, f64) {
        match self {
            Preset::B0 => (5_288_548, 0.39),
            Preset::B1 => (7_794_184, 0.70),
            Preset::B2 => (9_109_994, 1.0),
            Preset::B3 => (12_233_232, 1.8),
            Preset::B4 => (19_341_616, 4.2),
            Preset::B5 => (30_389_784, 9.9),
            Preset::B6 => (43_040_704, 19.0),
            Preset::B7 => (66_347_960, 37.0),
        }
    }

    /// Lower-case name (`b0`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::B0 => "b0",
            Preset::B1 => "b1",
            Preset::B2 => "b2",
            Preset::B3 => "b3",
            Preset::B4 => "b4",
            Preset::B5 => "b5",
            Preset::B6 => "b6",
            Preset::B7 => "b7",
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown EfficientNet preset {s:?}; use b0 ... b7"))
    }
}

/// The multipliers of compound coefficient φ: `w = β^φ`, `d = α^φ`, and the resolution
/// `224·γ^φ` rounded to the nearest pixel; dropout stays at B0's.
pub fn compound(phi: f64) -> Scaling {
    Scaling {
        width: BETA.powf(phi),
        depth: ALPHA.powf(phi),
        resolution: (BASE_RESOLUTION as f64 * GAMMA.powf(phi)).round() as usize,
        dropout: BASE_DROPOUT,
    }
}

/// The reference `round_filters`: `filters·width` to the nearest multiple of 8 (at least 8),
/// plus 8 when that lost more than 10 %.
pub fn round_filters(filters: usize, width: f64) -> usize {
    let scaled = filters as f64 * width;
    let d = CHANNEL_DIVISOR as f64;
    // int(f + d/2) // d * d, as the reference writes it.
    let mut rounded = (((scaled + d / 2.0).floor() as usize) / CHANNEL_DIVISOR * CHANNEL_DIVISOR)
        .max(CHANNEL_DIVISOR);
    if (rounded as f64) < MIN_ROUNDED_FRACTION * scaled {
        rounded += CHANNEL_DIVISOR;
    }
    rounded
}

/// The reference `round_repeats`: `ceil(depth·repeats)`.
pub fn round_repeats(repeats: usize, depth: f64) -> usize {
    (depth * repeats as f64).ceil() as usize
}
