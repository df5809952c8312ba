//! Geometry read off built burn modules, and the trait a genzoo network implements so that its
//! receptive fields come from its real definition rather than a retyped copy.
//!
//! burn's `Conv2d`, `ConvTranspose2d`, `MaxPool2d` and `AvgPool2d` keep kernel, stride,
//! dilation and padding as public fields; the functions here turn them into [`RfLayer`]s.
//! burn resolves `PaddingConfig2d::Same` with the *undilated* kernel, which is TensorFlow's
//! SAME only at dilation 1, so a dilated `Same` layer is refused rather than mis-described.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::pool::{AvgPool2d, MaxPool2d};
use burn::prelude::*;

use super::RfError;
use super::graph::{LayerKind, Op, RfLayer, RfNet};
use super::layer::{AxisWindow, Padding, Window};

/// A convolutional network (or the convolutional part of one) whose receptive fields genzoo
/// can compute and check.
pub trait ConvGeometry {
    /// Shape `[C, H, W]` of what the network reads.
    fn rf_input(&self) -> [usize; 3];
    /// Its layers, read off the built modules, from the input to the map `rf_forward` returns.
    fn rf_net(&self) -> Result<RfNet, RfError>;
    /// The network itself, `[B, C, H, W]` → `[B, C', H', W']`: the units `rf_net` describes
    /// (the gradient probe differentiates one of them with respect to the input).
    fn rf_forward(&self, x: Tensor<4>) -> Tensor<4>;
}

/// burn's 2-D padding as `[height, width]` paddings.
fn padding_2d(
    layer: &str,
    padding: &PaddingConfig2d,
    dilation: [usize; 2],
) -> Result<[Padding; 2], RfError> {
    Ok(match padding {
        PaddingConfig2d::Valid => [Padding::VALID; 2],
        PaddingConfig2d::Explicit(top, left, bottom, right) => [
            Padding::Explicit {
                begin: *top,
                end: *bottom,
            },
            Padding::Explicit {
                begin: *left,
                end: *right,
            },
        ],
        PaddingConfig2d::Same if dilation == [1, 1] => [Padding::Same; 2],
        PaddingConfig2d::Same => {
            return Err(RfError::Unsupported {
                layer: layer.to_string(),
                detail: "burn's Same padding ignores dilation; use explicit padding".into(),
            });
        }
    })
}

fn window(
    kernel: [usize; 2],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: [Padding; 2],
    ceil_mode: bool,
) -> Window {
    Window {
        axes: [0, 1].map(|a| AxisWindow {
            kernel: kernel[a],
            stride: stride[a],
            dilation: dilation[a],
            padding: padding[a],
            ceil_mode,
        }),
    }
}

/// A convolution's geometry.
pub fn conv2d(name: &str, c: &Conv2d) -> Result<RfLayer, RfError> {
    let padding = padding_2d(name, &c.padding, c.dilation)?;
    Ok(RfLayer {
        name: name.to_string(),
        op: Op::Layer(
            LayerKind::Conv,
            window(c.kernel_size, c.stride, c.dilation, padding, false),
        ),
    })
}

/// A transposed convolution's geometry (burn pads it symmetrically).
pub fn conv_transpose2d(name: &str, c: &ConvTranspose2d) -> RfLayer {
    let padding = c.padding.map(Padding::symmetric);
    RfLayer {
        name: name.to_string(),
        op: Op::Transposed {
            window: window(c.kernel_size, c.stride, c.dilation, padding, false),
            output_padding: c.padding_out,
        },
    }
}

/// A max pool's geometry.
pub fn max_pool2d(name: &str, p: &MaxPool2d) -> Result<RfLayer, RfError> {
    let padding = padding_2d(name, &p.padding, p.dilation)?;
    Ok(RfLayer {
        name: name.to_string(),
        op: Op::Layer(
            LayerKind::Pool,
            window(p.kernel_size, p.stride, p.dilation, padding, p.ceil_mode),
        ),
    })
}

/// An average pool's geometry.
pub fn avg_pool2d(name: &str, p: &AvgPool2d) -> Result<RfLayer, RfError> {
    let padding = padding_2d(name, &p.padding, [1, 1])?;
    Ok(RfLayer {
        name: name.to_string(),
        op: Op::Layer(
            LayerKind::Pool,
            window(p.kernel_size, p.stride, [1, 1], padding, p.ceil_mode),
        ),
    })
}
