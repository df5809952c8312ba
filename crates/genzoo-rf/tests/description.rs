//! Networks described in TOML: the example file by hand, branches and alignment, errors.
#![allow(clippy::unwrap_used)]

use genzoo_rf::{RfError, analyse, parse, support};

const EXAMPLE: &str = include_str!("../../../configs/rf_example.toml");

/// configs/rf_example.toml at 64×64, by hand (r, j, P; centre c = (r − 1)/2 − P):
/// stem 7/2 p3: 7, 2, 3 (c 0); pool 3/2 p1: 11, 4, 5; block1 convs 3/1 p1: 19 then 27, P 9
/// then 13; block1 = max(pool 11, conv2 27) = 27, aligned (both c 0); block2/conv1 3/2 p1: 35,
/// 8, 17; block2/conv2 3×3 d2 p2 (k_eff 5): 67, 8, 33 (c 0); shortcut 2×2/2 on block1: 31, 8,
/// 13 (c 2): misaligned with the body, and block2 keeps the body's 67, 8, 33.
#[test]
fn example_file_by_hand() {
    let d = parse(EXAMPLE).unwrap();
    assert_eq!(d.input, Some([64, 64]));
    let report = analyse(&d.net, d.input.unwrap()).unwrap();
    let expect = [
        ("stem", 32, 7, 2, 3),
        ("pool", 16, 11, 4, 5),
        ("block1/conv2", 16, 27, 4, 13),
        ("block1", 16, 27, 4, 13),
        ("block2/conv1", 8, 35, 8, 17),
        ("block2/conv2", 8, 67, 8, 33),
        ("block2/shortcut", 8, 31, 8, 13),
        ("block2", 8, 67, 8, 33),
    ];
    for (name, size, rf, jump, pad) in expect {
        let a = report.row(name).unwrap().axes[0];
        assert_eq!(
            (a.size, a.rf, a.jump, a.padding),
            (size, rf, jump, pad),
            "{name}"
        );
    }
    assert_eq!(report.row("block2/shortcut").unwrap().axes[0].start(), 2.0);
    // One misalignment per axis, both at block2; unit 0's union is the body's [-33, 33].
    assert_eq!(report.misalignments.len(), 2);
    for m in &report.misalignments {
        assert_eq!(m.merge, "block2");
        assert!(!m.jumps_differ());
        assert_eq!(m.union_span(), (-33, 33));
    }
}

/// Where misaligned paths cover different pixels, the merged unit sees their union, which the
/// exact support finds and the max-rule does not: two 3-wide stride-4 windows, one padded by 2
/// at the start, so unit u sees [4u, 4u + 2] through one and [4u − 2, 4u] through the other.
#[test]
fn misaligned_union_is_the_exact_extent() {
    let text = r#"
        [[layer]]
        name = "body"
        op = "conv"
        k = 3
        s = 4
        [[layer]]
        name = "shifted"
        op = "pool"
        input = "input"
        k = 3
        s = 4
        p = { top = 2, bottom = 0, left = 2, right = 0 }
        [[layer]]
        name = "sum"
        op = "merge"
        inputs = ["body", "shifted"]
    "#;
    let d = parse(text).unwrap();
    let report = analyse(&d.net, [16, 16]).unwrap();
    assert_eq!(report.misalignments.len(), 2);
    assert_eq!(report.misalignments[0].union_span(), (-2, 2));
    let out = report.output().axes[0];
    assert_eq!((out.rf, out.span(1)), (3, (4, 6)));
    let s = support(&d.net, [16, 16], d.net.last(), [1, 1]).unwrap();
    assert_eq!(s.extent(0), Some((2, 6)));
}

/// Per-axis kernels and paddings: Inception's 1×7 then 7×1 grow both axes by 6.
#[test]
fn per_axis_values() {
    let text = r#"
        input = [20, 30]
        [[layer]]
        name = "a"
        op = "conv"
        k = [1, 7]
        p = [0, 3]
        [[layer]]
        name = "b"
        op = "conv"
        k = [7, 1]
        p = { top = 3, bottom = 3, left = 0, right = 0 }
        [[layer]]
        name = "c"
        op = "pool"
        k = 3
        s = [1, 2]
        p = "same"
    "#;
    let d = parse(text).unwrap();
    let r = analyse(&d.net, d.input.unwrap()).unwrap();
    let a = r.row("a").unwrap();
    assert_eq!((a.axes[0].rf, a.axes[1].rf), (1, 7));
    assert!(!a.square());
    let b = r.row("b").unwrap();
    assert_eq!((b.axes[0].rf, b.axes[1].rf), (7, 7));
    let c = r.row("c").unwrap();
    assert_eq!((c.axes[0].size, c.axes[1].size), (20, 15));
    assert_eq!((c.axes[0].jump, c.axes[1].jump), (1, 2));
}

#[test]
fn description_errors_are_typed() {
    let err = |t: &str| parse(t).unwrap_err();
    let one = |body: &str| format!("[[layer]]\nname = \"a\"\n{body}");
    assert!(matches!(
        err(&one("op = \"conv\"\nk = 3\ninput = \"x\"")),
        RfError::UnknownInput { .. }
    ));
    assert!(matches!(err(&one("op = \"conv\"")), RfError::Parse(_)));
    assert!(matches!(
        err(&one("op = \"deconv\"\nk = 3")),
        RfError::Parse(_)
    ));
    assert!(matches!(
        err(&one("op = \"conv\"\nk = 3\np = \"full\"")),
        RfError::Parse(_)
    ));
    assert!(matches!(
        err(&one("op = \"conv\"\nk = 0")),
        RfError::ZeroParameter { .. }
    ));
    assert!(matches!(
        err(&one("op = \"conv\"\nk = 3\nstride = 2")),
        RfError::Parse(_)
    ));
    assert!(matches!(
        err(&one("op = \"merge\"\ninputs = [\"input\"]")),
        RfError::Parse(_)
    ));
    let twice = format!(
        "{}\n{}",
        one("op = \"conv\"\nk = 3"),
        one("op = \"pool\"\nk = 2")
    );
    assert!(matches!(err(&twice), RfError::DuplicateName(_)));
    assert!(matches!(
        err("name = \"empty\"\nlayer = []"),
        RfError::Parse(_)
    ));
    // Merging maps of different sizes fails when analysed.
    let d = parse(
        r#"
        [[layer]]
        name = "half"
        op = "pool"
        k = 2
        s = 2
        [[layer]]
        name = "sum"
        op = "merge"
        inputs = ["half", "input"]
    "#,
    )
    .unwrap();
    assert!(matches!(
        analyse(&d.net, [8, 8]),
        Err(RfError::MergeSizes { .. })
    ));
}
