//! The receptive field of a feature map along one axis, and how one layer changes it.
//!
//! Units of a feature map are described, in input pixels, by their receptive-field size `r`,
//! the jump `j` between adjacent units (the effective stride) and the centre `c` of unit 0.
//! A window layer (kernel k, stride s, dilation d, begin padding p) maps them to
//! ```text
//! k_eff = d·(k − 1) + 1
//! r_out = r_in + (k_eff − 1)·j_in
//! j_out = j_in·s
//! c_out = c_in + ((k_eff − 1)/2 − p)·j_in
//! ```
//! from `(r, j, c) = (1, 1, 0)` at the input. We carry the effective padding `P` instead of
//! `c`: it is an integer, `P_out = P_in + p·j_in`, i.e. `P = Σ_l p_l·Π_{i<l} s_i`, and
//! ```text
//! c = (r − 1)/2 − P          unit u sees input pixels [u·j − P, u·j − P + r − 1]
//! ```
//! which is the convention of google-research/receptive_field (their `effective_padding`) and
//! of Araujo et al. 2019 ("Computing Receptive Fields of Convolutional Neural Networks",
//! Distill), whose top-down form `r_{l−1} = (r_l − 1)·s_l + k_l` from `r_L = 1`
//! ([`top_down_size`]) gives the same `r`.

use super::layer::{AxisWindow, Resolved};

/// Receptive field of one axis of a feature map, in input pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisRf {
    /// Number of units along the axis (the feature map's height or width).
    pub size: usize,
    /// Distance in input pixels between adjacent units (effective stride).
    pub jump: usize,
    /// Receptive-field size in input pixels.
    pub rf: usize,
    /// Effective padding: unit 0's receptive field starts at input pixel `−padding`.
    pub padding: i64,
}

impl AxisRf {
    /// The input itself: `n` pixels, each its own receptive field.
    pub fn input(n: usize) -> Self {
        Self {
            size: n,
            jump: 1,
            rf: 1,
            padding: 0,
        }
    }

    /// Centre of unit 0's receptive field, `(r − 1)/2 − P` (a multiple of ½).
    pub fn start(&self) -> f64 {
        (self.rf as f64 - 1.0) / 2.0 - self.padding as f64
    }

    /// Centre of unit `u`'s receptive field.
    pub fn centre(&self, u: usize) -> f64 {
        self.start() + (u * self.jump) as f64
    }

    /// Input pixels unit `u` sees, first and last, before clipping to the image (so they may
    /// lie in the padding, below 0 or past the end).
    pub fn span(&self, u: usize) -> (i64, i64) {
        let first = (u * self.jump) as i64 - self.padding;
        (first, first + self.rf as i64 - 1)
    }

    /// [`span`](Self::span) clipped to an input of `n` pixels; `None` if nothing is left.
    pub fn clipped_span(&self, u: usize, n: usize) -> Option<(usize, usize)> {
        let (a, b) = self.span(u);
        let (a, b) = (a.max(0), b.min(n as i64 - 1));
        (a <= b).then_some((a as usize, b as usize))
    }

    /// After a window layer that `resolved` placed on this feature map.
    pub fn through(&self, w: &AxisWindow, resolved: &Resolved) -> Self {
        let k_eff = w.effective_kernel();
        Self {
            size: resolved.output,
            jump: self.jump * w.stride,
            rf: self.rf + (k_eff - 1) * self.jump,
            padding: self.padding + (resolved.pad_begin * self.jump) as i64,
        }
    }
}

/// Receptive-field size of a chain of window layers by the top-down recurrence
/// `r_{l−1} = (r_l − 1)·s_l + k_eff,l`, starting from one unit of the last layer.
pub fn top_down_size(layers: &[AxisWindow]) -> usize {
    layers
        .iter()
        .rev()
        .fold(1, |r, w| (r - 1) * w.stride + w.effective_kernel())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::Padding;

    fn chain(n: usize, layers: &[AxisWindow]) -> AxisRf {
        layers.iter().fold(AxisRf::input(n), |rf, w| {
            let r = w.resolve(rf.size, "t").expect("fits");
            rf.through(w, &r)
        })
    }

    /// The centre recurrence `c_out = c_in + ((k_eff − 1)/2 − p)·j_in`, written out, agrees with
    /// the centre derived from the effective padding.
    #[test]
    fn centre_recurrence_matches_effective_padding() {
        let layers = [
            AxisWindow::new(7, 2, Padding::symmetric(3)),
            AxisWindow::new(2, 2, Padding::VALID),
            AxisWindow {
                dilation: 3,
                ..AxisWindow::new(3, 1, Padding::symmetric(1))
            },
            AxisWindow::new(4, 2, Padding::Explicit { begin: 1, end: 2 }),
        ];
        let (mut c, mut j) = (0.0, 1usize);
        for w in &layers {
            let p = match w.padding {
                Padding::Explicit { begin, .. } => begin as f64,
                Padding::Same => unreachable!("explicit in this test"),
            };
            c += ((w.effective_kernel() as f64 - 1.0) / 2.0 - p) * j as f64;
            j *= w.stride;
        }
        let rf = chain(200, &layers);
        assert_eq!(rf.start(), c);
        assert_eq!(rf.jump, j);
        assert_eq!(rf.rf, top_down_size(&layers));
    }

    /// Dilation by hand: two 3×3 convolutions with dilations 1 and 2 (stride 1, "same" padding
    /// 1 and 2) see 1 + 2·1 + 4·1 = 7 pixels, centred on the unit: effective padding 3.
    #[test]
    fn dilated_stack_by_hand() {
        let layers = [
            AxisWindow::new(3, 1, Padding::symmetric(1)),
            AxisWindow {
                dilation: 2,
                ..AxisWindow::new(3, 1, Padding::symmetric(2))
            },
        ];
        let rf = chain(32, &layers);
        assert_eq!((rf.rf, rf.jump, rf.padding, rf.size), (7, 1, 3, 32));
        assert_eq!(rf.start(), 0.0);
        // A dilated 3-tap kernel with d = 4 after a stride-2 layer: k_eff = 9, so it adds
        // 8·2 = 16 pixels to r = 3 (the 3-wide stride-2 first layer).
        let layers = [
            AxisWindow::new(3, 2, Padding::VALID),
            AxisWindow {
                dilation: 4,
                ..AxisWindow::new(3, 1, Padding::VALID)
            },
        ];
        let rf = chain(64, &layers);
        assert_eq!((rf.rf, rf.jump, rf.padding), (19, 2, 0));
        assert_eq!(rf.size, (64 - 3) / 2 + 1 - 8);
        assert_eq!(top_down_size(&layers), 19);
    }
}
