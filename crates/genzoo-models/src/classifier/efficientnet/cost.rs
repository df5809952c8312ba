//! Parameters and multiply-adds of an [`Architecture`], counted analytically per layer.
//!
//! Counted multiply-adds (MACs), per image:
//! - a convolution: `H_out·W_out·C_out·(C_in/groups)·k²` (stem, 1×1 expansions, depthwise,
//!   1×1 projections, head);
//! - a linear layer: `in·out` (the squeeze-and-excitation pair, which are 1×1 convolutions on
//!   a 1×1 map, and the classifier).
//!
//! Not counted: batch norm, biases, activations (swish, sigmoid), pooling, the SE rescaling,
//! residual additions, dropout — together under 1 % of the total for B0. This is the usual
//! convention ("FLOPs" in the EfficientNet paper are multiply-adds of convolutions and
//! dense layers).
//!
//! Parameters: every weight and bias, plus batch norm's γ and β (2 per channel); batch norm's
//! running mean and variance are buffers, not parameters (PyTorch's `parameters()`,
//! TensorFlow's trainable variables), and are not counted.

use super::architecture::Architecture;

/// The cost of one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerCost {
    /// Where it sits (`stem`, `blocks.3.depthwise`, `fc`).
    pub name: String,
    /// Parameters.
    pub params: u64,
    /// Multiply-adds per image.
    pub macs: u64,
}

/// Parameters of batch norm over `c` channels (γ and β).
fn bn(c: usize) -> u64 {
    2 * c as u64
}

/// A convolution without bias followed by batch norm.
fn conv_bn(
    name: String,
    c_in: usize,
    c_out: usize,
    k: usize,
    groups: usize,
    side: usize,
) -> LayerCost {
    let weights = (c_out * (c_in / groups) * k * k) as u64;
    LayerCost {
        name,
        params: weights + bn(c_out),
        macs: weights * (side * side) as u64,
    }
}

/// A linear layer `in → out`.
fn linear(name: String, d_in: usize, d_out: usize, bias: bool) -> LayerCost {
    let weights = (d_in * d_out) as u64;
    LayerCost {
        name,
        params: weights + if bias { d_out as u64 } else { 0 },
        macs: weights,
    }
}

/// Every layer's cost, input side first.
pub fn layer_costs(a: &Architecture) -> Vec<LayerCost> {
    let mut out = vec![conv_bn(
        "stem".into(),
        a.in_channels,
        a.stem,
        super::architecture::STEM_KERNEL,
        1,
        a.stem_side,
    )];
    for (i, b) in a.blocks.iter().enumerate() {
        if b.expanded != b.input {
            out.push(conv_bn(
                format!("blocks.{i}.expand"),
                b.input,
                b.expanded,
                1,
                1,
                b.in_side,
            ));
        }
        out.push(conv_bn(
            format!("blocks.{i}.depthwise"),
            b.expanded,
            b.expanded,
            b.kernel,
            b.expanded,
            b.out_side,
        ));
        out.push(linear(
            format!("blocks.{i}.se.reduce"),
            b.expanded,
            b.squeezed,
            a.bias,
        ));
        out.push(linear(
            format!("blocks.{i}.se.expand"),
            b.squeezed,
            b.expanded,
            a.bias,
        ));
        out.push(conv_bn(
            format!("blocks.{i}.project"),
            b.expanded,
            b.output,
            1,
            1,
            b.out_side,
        ));
    }
    out.push(conv_bn(
        "head".into(),
        a.last_block_channels(),
        a.head,
        1,
        1,
        a.head_side,
    ));
    out.push(linear("fc".into(), a.head, a.classes, a.bias));
    out
}

/// Total parameters and multiply-adds per image.
pub fn total_cost(a: &Architecture) -> (u64, u64) {
    layer_costs(a)
        .iter()
        .fold((0, 0), |(p, m), l| (p + l.params, m + l.macs))
}
