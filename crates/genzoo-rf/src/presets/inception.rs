//! Inception-v3 as TF-Slim builds it (`inception_v3.py`, `inception_v3_base`, to Mixed_7c).
//!
//! The stem is VALID except Conv2d_2b (SAME); inside the modules everything is SAME at stride 1
//! (so centred), and the two grid reductions (Mixed_6a, Mixed_7a) use VALID 3×3/2 layers on
//! every path. Mixed_7b/7c split a path into parallel 1×3 and 3×1 convolutions and concatenate
//! them, a merge inside a branch. Every merge is aligned (tested).

use super::super::graph::{LayerKind, NodeId, RfNet};
use super::super::layer::{Padding, Window};
use super::valid;

/// One layer of a branch: name, conv or pool, `[kh, kw]`, stride, SAME (else VALID).
type Spec = (&'static str, LayerKind, [usize; 2], usize, bool);

const C: LayerKind = LayerKind::Conv;
const P: LayerKind = LayerKind::Pool;

/// Mixed_5b/5c/5d: 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avg 3×3→1×1.
const MIXED_5: [&[Spec]; 4] = [
    &[("Conv2d_0a_1x1", C, [1, 1], 1, true)],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_5x5", C, [5, 5], 1, true),
    ],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_3x3", C, [3, 3], 1, true),
        ("Conv2d_0c_3x3", C, [3, 3], 1, true),
    ],
    &[
        ("AvgPool_0a_3x3", P, [3, 3], 1, true),
        ("Conv2d_0b_1x1", C, [1, 1], 1, true),
    ],
];

/// Mixed_6a (35→17): 3×3/2 | 1×1→3×3→3×3/2 | max 3×3/2.
const MIXED_6A: [&[Spec]; 3] = [
    &[("Conv2d_1a_1x1", C, [3, 3], 2, false)],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_3x3", C, [3, 3], 1, true),
        ("Conv2d_1a_1x1", C, [3, 3], 2, false),
    ],
    &[("MaxPool_1a_3x3", P, [3, 3], 2, false)],
];

/// Mixed_6b..6e: 1×1 | 1×1→1×7→7×1 | 1×1→7×1→1×7→7×1→1×7 | avg 3×3→1×1.
const MIXED_6: [&[Spec]; 4] = [
    &[("Conv2d_0a_1x1", C, [1, 1], 1, true)],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_1x7", C, [1, 7], 1, true),
        ("Conv2d_0c_7x1", C, [7, 1], 1, true),
    ],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_7x1", C, [7, 1], 1, true),
        ("Conv2d_0c_1x7", C, [1, 7], 1, true),
        ("Conv2d_0d_7x1", C, [7, 1], 1, true),
        ("Conv2d_0e_1x7", C, [1, 7], 1, true),
    ],
    &[
        ("AvgPool_0a_3x3", P, [3, 3], 1, true),
        ("Conv2d_0b_1x1", C, [1, 1], 1, true),
    ],
];

/// Mixed_7a (17→8): 1×1→3×3/2 | 1×1→1×7→7×1→3×3/2 | max 3×3/2.
const MIXED_7A: [&[Spec]; 3] = [
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_1a_3x3", C, [3, 3], 2, false),
    ],
    &[
        ("Conv2d_0a_1x1", C, [1, 1], 1, true),
        ("Conv2d_0b_1x7", C, [1, 7], 1, true),
        ("Conv2d_0c_7x1", C, [7, 1], 1, true),
        ("Conv2d_1a_3x3", C, [3, 3], 2, false),
    ],
    &[("MaxPool_1a_3x3", P, [3, 3], 2, false)],
];

/// Inception-v3 to Mixed_7c; module end-points are the merges `Mixed_5b` … `Mixed_7c`.
pub fn inception_v3() -> RfNet {
    let mut n = RfNet::new("inception_v3");
    let x = n.input();
    let x = n.conv("Conv2d_1a_3x3", x, valid(3, 2));
    let x = n.conv("Conv2d_2a_3x3", x, valid(3, 1));
    let x = n.conv("Conv2d_2b_3x3", x, window([3, 3], 1, true));
    let x = n.pool("MaxPool_3a_3x3", x, valid(3, 2));
    let x = n.conv("Conv2d_3b_1x1", x, valid(1, 1));
    let x = n.conv("Conv2d_4a_3x3", x, valid(3, 1));
    let mut x = n.pool("MaxPool_5a_3x3", x, valid(3, 2));
    for m in ["Mixed_5b", "Mixed_5c", "Mixed_5d"] {
        x = module(&mut n, m, x, &MIXED_5);
    }
    x = module(&mut n, "Mixed_6a", x, &MIXED_6A);
    for m in ["Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"] {
        x = module(&mut n, m, x, &MIXED_6);
    }
    x = module(&mut n, "Mixed_7a", x, &MIXED_7A);
    for m in ["Mixed_7b", "Mixed_7c"] {
        x = mixed_7(&mut n, m, x);
    }
    n
}

fn window(k: [usize; 2], s: usize, same: bool) -> Window {
    Window::rect(k, s, if same { Padding::Same } else { Padding::VALID })
}

/// Layers `specs` in sequence from `x`, named `{scope}/{name}`.
fn path(n: &mut RfNet, scope: &str, mut x: NodeId, specs: &[Spec]) -> NodeId {
    for &(name, kind, k, s, same) in specs {
        let name = format!("{scope}/{name}");
        x = match kind {
            LayerKind::Pool => n.pool(name, x, window(k, s, same)),
            _ => n.conv(name, x, window(k, s, same)),
        };
    }
    x
}

/// A module: the branches from `x`, concatenated into `name`.
fn module(n: &mut RfNet, name: &str, x: NodeId, branches: &[&[Spec]]) -> NodeId {
    let ends: Vec<NodeId> = branches
        .iter()
        .enumerate()
        .map(|(b, specs)| path(n, &format!("{name}/Branch_{b}"), x, specs))
        .collect();
    n.merge(name.to_string(), &ends)
}

/// Mixed_7b/7c: 1×1 | 1×1→(1×3 ‖ 3×1) | 1×1→3×3→(1×3 ‖ 3×1) | avg 3×3→1×1.
fn mixed_7(n: &mut RfNet, name: &str, x: NodeId) -> NodeId {
    let split = |n: &mut RfNet, scope: &str, from: NodeId, names: [&'static str; 2]| {
        let a = path(n, scope, from, &[(names[0], C, [1, 3], 1, true)]);
        let b = path(n, scope, from, &[(names[1], C, [3, 1], 1, true)]);
        n.merge(format!("{scope}/concat"), &[a, b])
    };
    let b0 = path(n, &format!("{name}/Branch_0"), x, MIXED_6[0]);
    let s1 = format!("{name}/Branch_1");
    let b1 = path(n, &s1, x, &[("Conv2d_0a_1x1", C, [1, 1], 1, true)]);
    let b1 = split(n, &s1, b1, ["Conv2d_0b_1x3", "Conv2d_0b_3x1"]);
    let s2 = format!("{name}/Branch_2");
    let b2 = path(
        n,
        &s2,
        x,
        &[
            ("Conv2d_0a_1x1", C, [1, 1], 1, true),
            ("Conv2d_0b_3x3", C, [3, 3], 1, true),
        ],
    );
    let b2 = split(n, &s2, b2, ["Conv2d_0c_1x3", "Conv2d_0d_3x1"]);
    let b3 = path(n, &format!("{name}/Branch_3"), x, MIXED_6[3]);
    n.merge(name.to_string(), &[b0, b1, b2, b3])
}
