//! ResNet-50 v1 as TF-Slim builds it (`resnet_v1.py`, `resnet_utils.py`).
//!
//! Root: `conv2d_same` 7×7/2 (explicit padding 3, then VALID), max pool 3×3/2 SAME. Then four
//! blocks of 3, 4, 6, 3 bottleneck units (1×1, 3×3, 1×1 plus a shortcut). TF-Slim puts a
//! block's stride in its *last* unit (He et al. 2016 put it in the first; the receptive fields
//! differ), on the 3×3 convolution, padded explicitly by `conv2d_same`; the shortcut is a 1×1
//! projection when the depth changes (each block's first unit) and otherwise a 1×1 max pool
//! with the unit's stride (`subsample`), or the identity at stride 1.

use super::super::graph::{NodeId, RfNet};
use super::super::layer::Padding;
use super::{same, valid};

/// `(name, units, stride)` of each block of resnet_v1_50.
const RESNET_V1_50_BLOCKS: [(&str, usize, usize); 4] = [
    ("block1", 3, 2),
    ("block2", 4, 2),
    ("block3", 6, 2),
    ("block4", 3, 1),
];

/// Kernel of the root convolution.
const ROOT_KERNEL: usize = 7;
/// Kernel of the bottleneck's middle convolution.
const MIDDLE_KERNEL: usize = 3;

/// ResNet-50 v1; unit `u` of block `b` ends at the merge `block{b}/unit_{u}`, and the last unit
/// of a block is the block's end-point in RECEPTIVE_FIELD_TABLE.md.
pub fn resnet_v1_50() -> RfNet {
    let mut n = RfNet::new("resnet_v1_50");
    let x = n.input();
    let x = conv2d_same(&mut n, "conv1", x, ROOT_KERNEL, 2);
    let mut x = n.pool("pool1", x, same(3, 2));
    for (block, units, stride) in RESNET_V1_50_BLOCKS {
        for u in 1..=units {
            let s = if u == units { stride } else { 1 };
            x = bottleneck(&mut n, &format!("{block}/unit_{u}"), x, s, u == 1);
        }
    }
    n
}

/// One bottleneck unit reading `x`, stride `s`; `project`: the shortcut is a 1×1 convolution.
fn bottleneck(n: &mut RfNet, scope: &str, x: NodeId, s: usize, project: bool) -> NodeId {
    let shortcut = if project {
        n.conv(format!("{scope}/shortcut"), x, valid(1, s))
    } else if s > 1 {
        n.pool(format!("{scope}/shortcut"), x, same(1, s))
    } else {
        x
    };
    let r = n.conv(format!("{scope}/conv1"), x, valid(1, 1));
    let r = conv2d_same(n, &format!("{scope}/conv2"), r, MIDDLE_KERNEL, s);
    let r = n.conv(format!("{scope}/conv3"), r, valid(1, 1));
    n.merge(scope.to_string(), &[shortcut, r])
}

/// TF-Slim's `conv2d_same`: SAME at stride 1; otherwise pad `k − 1` explicitly (half before,
/// rounded down) and convolve VALID, so the padding does not depend on the input size.
fn conv2d_same(n: &mut RfNet, name: &str, x: NodeId, k: usize, s: usize) -> NodeId {
    if s == 1 {
        return n.conv(name.to_string(), x, same(k, 1));
    }
    let total = k - 1;
    let pad = Padding::Explicit {
        begin: total / 2,
        end: total - total / 2,
    };
    let x = n.pad(format!("{name}/pad"), x, [pad, pad]);
    n.conv(name.to_string(), x, valid(k, s))
}
