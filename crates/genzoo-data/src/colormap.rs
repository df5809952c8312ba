//! A perceptually uniform colormap: matplotlib's viridis (van der Walt & Smith, 2015),
//! approximated by nine control points and linear interpolation in sRGB.
//!
//! ```text
//! t ∈ [0, 1] ↦ lerp(C[⌊8t⌋], C[⌊8t⌋+1], 8t − ⌊8t⌋),  C = viridis at t = 0, 1/8, …, 1
//! ```
//! Nine points keep the error under a few levels of 255 against the 256-entry table, far below
//! what matters for a density plot. Luminance increases monotonically, so a heat map reads the
//! same in greyscale.

/// Viridis sampled at `t = k/8`, `k = 0..=8` (matplotlib `_viridis_data`, rounded to 8 bits).
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// The viridis colour of `t`, clamped to `[0, 1]`; NaN maps to the bottom colour.
pub fn viridis(t: f64) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let segments = (VIRIDIS.len() - 1) as f64;
    let x = t * segments;
    // `x <= segments`, so the index is at most 8 and the upper neighbour is clamped to 8.
    let lo = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let frac = x - lo as f64;
    let (a, b) = (VIRIDIS[lo], VIRIDIS[lo + 1]);
    std::array::from_fn(|c| {
        let v = f64::from(a[c]) + frac * (f64::from(b[c]) - f64::from(a[c]));
        v.round() as u8
    })
}

/// Luminance (ITU-R BT.709 weights) of an sRGB colour, for the monotonicity test.
#[cfg(test)]
fn luma(c: [u8; 3]) -> f64 {
    0.2126 * f64::from(c[0]) + 0.7152 * f64::from(c[1]) + 0.0722 * f64::from(c[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_monotone_luminance() {
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[8]);
        assert_eq!(viridis(-3.0), VIRIDIS[0]);
        assert_eq!(viridis(f64::NAN), VIRIDIS[0]);
        let mut previous = f64::NEG_INFINITY;
        for k in 0..=100 {
            let l = luma(viridis(k as f64 / 100.0));
            assert!(l >= previous - 1.0, "luminance drops at t = {k}/100");
            previous = l;
        }
    }
}
