//! One layer's geometry along one axis: kernel k, stride s, dilation d, padding, and the output
//! size it produces.
//!
//! A dilated kernel spans `k_eff = d·(k − 1) + 1` input positions. With `p_b` positions of
//! padding before the first input and `p_e` after the last, an input of `n` gives
//! ```text
//! floor mode:  n_out = ⌊(n + p_b + p_e − k_eff) / s⌋ + 1
//! ceil mode:   n_out = ⌈(n + p_b + p_e − k_eff) / s⌉ + 1, less one when the last window would
//!              start in the end padding (Caffe's pools, PyTorch's `ceil_mode`)
//! SAME:        n_out = ⌈n / s⌉, total padding max((n_out − 1)·s + k_eff − n, 0), of which
//!              p_b = ⌊total / 2⌋ goes before (TensorFlow, ONNX `SAME_UPPER`, burn's `Same`)
//! transposed:  n_out = (n − 1)·s − p_b − p_e + k_eff + output_padding
//! ```
//! (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning", relationships
//! 6 and 14). SAME padding depends on the input size, which is why the receptive-field tables of
//! google-research/receptive_field give effective padding only for a known resolution.

use super::RfError;

/// Padding of one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Fixed padding: `begin` positions before the first input, `end` after the last.
    Explicit {
        /// Positions before input 0 (top or left).
        begin: usize,
        /// Positions after the last input (bottom or right).
        end: usize,
    },
    /// TensorFlow's SAME: `⌈n/s⌉` outputs, the odd position of padding at the end.
    Same,
}

impl Padding {
    /// No padding (TensorFlow's VALID).
    pub const VALID: Padding = Padding::Explicit { begin: 0, end: 0 };

    /// `p` positions on both sides.
    pub fn symmetric(p: usize) -> Self {
        Padding::Explicit { begin: p, end: p }
    }
}

/// A sliding window along one axis: convolution, pooling or explicit padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisWindow {
    /// Kernel size k.
    pub kernel: usize,
    /// Stride s.
    pub stride: usize,
    /// Dilation d (spacing between kernel taps).
    pub dilation: usize,
    /// Padding.
    pub padding: Padding,
    /// Round the output size up instead of down.
    pub ceil_mode: bool,
}

/// A window resolved for one input size: the padding actually applied and the output size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Input size n.
    pub input: usize,
    /// Padding before input 0.
    pub pad_begin: usize,
    /// Padding after the last input.
    pub pad_end: usize,
    /// Output size.
    pub output: usize,
}

impl AxisWindow {
    /// Kernel `k`, stride `s`, padding, no dilation, floor mode.
    pub fn new(kernel: usize, stride: usize, padding: Padding) -> Self {
        Self {
            kernel,
            stride,
            dilation: 1,
            padding,
            ceil_mode: false,
        }
    }

    /// Input positions the dilated kernel spans: `d·(k − 1) + 1`.
    pub fn effective_kernel(&self) -> usize {
        self.dilation * (self.kernel.max(1) - 1) + 1
    }

    /// Refuse zero kernel, stride or dilation (`layer` names the layer in the error).
    pub fn validate(&self, layer: &str) -> Result<(), RfError> {
        for (what, v) in [
            ("kernel", self.kernel),
            ("stride", self.stride),
            ("dilation", self.dilation),
        ] {
            if v == 0 {
                return Err(RfError::ZeroParameter {
                    layer: layer.to_string(),
                    what,
                });
            }
        }
        Ok(())
    }

    /// Padding and output size for an input of `n` (a convolution or pooling window).
    pub fn resolve(&self, n: usize, layer: &str) -> Result<Resolved, RfError> {
        self.validate(layer)?;
        let (k, s) = (self.effective_kernel(), self.stride);
        let (pad_begin, pad_end) = match self.padding {
            Padding::Explicit { begin, end } => (begin, end),
            Padding::Same => {
                let out = n.div_ceil(s);
                let total = ((out.max(1) - 1) * s + k).saturating_sub(n);
                (total / 2, total - total / 2)
            }
        };
        let padded = n + pad_begin + pad_end;
        if padded < k || n == 0 {
            return Err(RfError::WindowTooLarge {
                layer: layer.to_string(),
                window: k,
                input: n,
                padded,
            });
        }
        let output = if self.ceil_mode {
            let out = (padded - k).div_ceil(s) + 1;
            // The last window must start inside the input or the begin padding.
            if (out - 1) * s >= n + pad_begin {
                out - 1
            } else {
                out
            }
        } else {
            (padded - k) / s + 1
        };
        Ok(Resolved {
            input: n,
            pad_begin,
            pad_end,
            output,
        })
    }

    /// Padding and output size of the transposed convolution with this kernel, stride,
    /// dilation and (explicit) padding, plus `output_padding` extra positions at the end.
    pub fn resolve_transposed(
        &self,
        n: usize,
        output_padding: usize,
        layer: &str,
    ) -> Result<Resolved, RfError> {
        self.validate(layer)?;
        let Padding::Explicit { begin, end } = self.padding else {
            return Err(RfError::Unsupported {
                layer: layer.to_string(),
                detail: "a transposed convolution needs explicit padding".into(),
            });
        };
        let full = (n.max(1) - 1) * self.stride + self.effective_kernel() + output_padding;
        if n == 0 || full <= begin + end {
            return Err(RfError::WindowTooLarge {
                layer: layer.to_string(),
                window: self.effective_kernel(),
                input: n,
                padded: full,
            });
        }
        Ok(Resolved {
            input: n,
            pad_begin: begin,
            pad_end: end,
            output: full - begin - end,
        })
    }
}

/// A window over both spatial axes, `[height, width]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Height then width.
    pub axes: [AxisWindow; 2],
}

impl Window {
    /// A `k×k` window with stride `s` and the same padding on both axes.
    pub fn square(kernel: usize, stride: usize, padding: Padding) -> Self {
        let a = AxisWindow::new(kernel, stride, padding);
        Self { axes: [a, a] }
    }

    /// A `kh×kw` window with stride `s` on both axes and the same padding rule on both.
    pub fn rect(kernel: [usize; 2], stride: usize, padding: Padding) -> Self {
        Self {
            axes: kernel.map(|k| AxisWindow::new(k, stride, padding)),
        }
    }

    /// The same window with dilation `d` on both axes.
    pub fn dilated(mut self, d: usize) -> Self {
        self.axes.iter_mut().for_each(|a| a.dilation = d);
        self
    }

    /// The same window rounding output sizes up.
    pub fn ceil(mut self) -> Self {
        self.axes.iter_mut().for_each(|a| a.ceil_mode = true);
        self
    }
}
