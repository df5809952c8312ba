//! Receptive fields against published values, hand computations and brute force.
//!
//! Published values: google-research/receptive_field, `receptive_field/RECEPTIVE_FIELD_TABLE.md`
//! (computed with its `rf_benchmark.py` on the TF-Slim models), columns
//! `RF | effective stride | effective padding`, copied below for resolutions 224 and 321.
#![allow(clippy::unwrap_used)]

use genzoo_rf::{
    AxisWindow, Op, Padding, RfError, RfNet, Window, analyse, presets, support, top_down_size,
};

/// `(end-point, RF, effective stride, effective padding)`.
type Row = (&'static str, usize, usize, i64);

/// Check every row of a published table at one resolution, on both axes.
fn check(net: &RfNet, input: usize, table: &[Row]) {
    let report = analyse(net, [input, input]).unwrap();
    for &(name, rf, jump, pad) in table {
        let row = report
            .row(name)
            .unwrap_or_else(|| panic!("{}: no node {name}", net.name));
        for a in row.axes {
            assert_eq!(
                (a.rf, a.jump, a.padding),
                (rf, jump, pad),
                "{} at {input}: {name}",
                net.name
            );
        }
    }
    assert!(
        report.misalignments.is_empty(),
        "{:?}",
        report.misalignments
    );
}

// RECEPTIVE_FIELD_TABLE.md, alexnet_v2, identical at 224 and 321.
const ALEXNET_V2: [Row; 7] = [
    ("conv1", 11, 4, 0),
    ("pool1", 19, 8, 0),
    ("conv2", 51, 8, 16),
    ("conv3", 99, 16, 32),
    ("conv4", 131, 16, 48),
    ("conv5", 163, 16, 64),
    ("pool5", 195, 32, 64),
];

// RECEPTIVE_FIELD_TABLE.md, vgg_16, identical at 224 and 321.
const VGG_16: [Row; 13] = [
    ("conv1/conv1_1", 3, 1, 1),
    ("pool1", 6, 2, 2),
    ("conv2/conv2_1", 10, 2, 4),
    ("pool2", 16, 4, 6),
    ("conv3/conv3_1", 24, 4, 10),
    ("conv3/conv3_2", 32, 4, 14),
    ("pool3", 44, 8, 18),
    ("conv4/conv4_1", 60, 8, 26),
    ("conv4/conv4_2", 76, 8, 34),
    ("pool4", 100, 16, 42),
    ("conv5/conv5_1", 132, 16, 58),
    ("conv5/conv5_2", 164, 16, 74),
    ("pool5", 212, 32, 90),
];

// RECEPTIVE_FIELD_TABLE.md, resnet_v1_50 block1..block4 (the last unit of each block).
const RESNET_V1_50_224: [Row; 4] = [
    ("block1/unit_3", 35, 8, 15),
    ("block2/unit_4", 99, 16, 47),
    ("block3/unit_6", 291, 32, 143),
    ("block4/unit_3", 483, 32, 239),
];
const RESNET_V1_50_321: [Row; 4] = [
    ("block1/unit_3", 35, 8, 17),
    ("block2/unit_4", 99, 16, 49),
    ("block3/unit_6", 291, 32, 145),
    ("block4/unit_3", 483, 32, 241),
];

// RECEPTIVE_FIELD_TABLE.md, inception_v3, identical at 224, 321 and unspecified resolution.
const INCEPTION_V3: [Row; 18] = [
    ("Conv2d_1a_3x3", 3, 2, 0),
    ("Conv2d_2a_3x3", 7, 2, 0),
    ("Conv2d_2b_3x3", 11, 2, 2),
    ("MaxPool_3a_3x3", 15, 4, 2),
    ("Conv2d_3b_1x1", 15, 4, 2),
    ("Conv2d_4a_3x3", 23, 4, 2),
    ("MaxPool_5a_3x3", 31, 8, 2),
    ("Mixed_5b", 63, 8, 18),
    ("Mixed_5c", 95, 8, 34),
    ("Mixed_5d", 127, 8, 50),
    ("Mixed_6a", 159, 16, 58),
    ("Mixed_6b", 351, 16, 154),
    ("Mixed_6c", 543, 16, 250),
    ("Mixed_6d", 735, 16, 346),
    ("Mixed_6e", 927, 16, 442),
    ("Mixed_7a", 1055, 32, 490),
    ("Mixed_7b", 1183, 32, 554),
    ("Mixed_7c", 1311, 32, 618),
];

// RECEPTIVE_FIELD_TABLE.md, mobilenet_v1: RF and stride at both resolutions, padding per
// resolution (SAME padding depends on the input size).
const MOBILENET_V1: [(&str, usize, usize, i64, i64); 14] = [
    ("Conv2d_0", 3, 2, 0, 1),
    ("Conv2d_1_pointwise", 7, 2, 2, 3),
    ("Conv2d_2_pointwise", 11, 4, 2, 5),
    ("Conv2d_3_pointwise", 19, 4, 6, 9),
    ("Conv2d_4_pointwise", 27, 8, 6, 13),
    ("Conv2d_5_pointwise", 43, 8, 14, 21),
    ("Conv2d_6_pointwise", 59, 16, 14, 29),
    ("Conv2d_7_pointwise", 91, 16, 30, 45),
    ("Conv2d_8_pointwise", 123, 16, 46, 61),
    ("Conv2d_9_pointwise", 155, 16, 62, 77),
    ("Conv2d_10_pointwise", 187, 16, 78, 93),
    ("Conv2d_11_pointwise", 219, 16, 94, 109),
    ("Conv2d_12_pointwise", 251, 32, 94, 125),
    ("Conv2d_13_pointwise", 315, 32, 126, 157),
];

#[test]
fn alexnet_v2_matches_published_table() {
    check(&presets::alexnet_v2(), 224, &ALEXNET_V2);
    check(&presets::alexnet_v2(), 321, &ALEXNET_V2);
}

#[test]
fn vgg16_matches_published_table() {
    check(&presets::vgg16(), 224, &VGG_16);
    check(&presets::vgg16(), 321, &VGG_16);
}

#[test]
fn resnet50_matches_published_table() {
    check(&presets::resnet_v1_50(), 224, &RESNET_V1_50_224);
    check(&presets::resnet_v1_50(), 321, &RESNET_V1_50_321);
}

#[test]
fn inception_v3_matches_published_table() {
    for input in [224, 299, 321] {
        check(&presets::inception_v3(), input, &INCEPTION_V3);
    }
}

#[test]
fn mobilenet_v1_matches_published_table() {
    let at = |pick: fn(&(&'static str, usize, usize, i64, i64)) -> i64| -> Vec<Row> {
        MOBILENET_V1
            .iter()
            .map(|r| (r.0, r.1, r.2, pick(r)))
            .collect()
    };
    check(&presets::mobilenet_v1(), 224, &at(|r| r.3));
    check(&presets::mobilenet_v1(), 321, &at(|r| r.4));
}

/// The effective padding is `(r − 1)/2 − c` with `c` the centre of unit 0: VGG-16's pool5
/// centre is 0.5 + 1 + 2 + 4 + 8 = 15.5 (each 2×2 pool shifts it by half a jump), and
/// 211/2 − 15.5 = 90; AlexNet-v2's pool5 centre is 33, and 194/2 − 33 = 64.
#[test]
fn effective_padding_convention() {
    let vgg = analyse(&presets::vgg16(), [224, 224]).unwrap();
    let pool5 = vgg.row("pool5").unwrap().axes[0];
    assert_eq!((pool5.start(), pool5.padding, pool5.size), (15.5, 90, 7));
    let alex = analyse(&presets::alexnet_v2(), [224, 224]).unwrap();
    let pool5 = alex.row("pool5").unwrap().axes[1];
    assert_eq!((pool5.start(), pool5.padding, pool5.size), (33.0, 64, 5));
}

/// The top-down recurrence `r_{l−1} = (r_l − 1)·s_l + k_l` over the layers of a chain gives
/// the bottom-up receptive field at every layer.
#[test]
fn top_down_agrees_with_bottom_up_on_chains() {
    for net in [
        presets::alexnet_v2(),
        presets::vgg16(),
        presets::mobilenet_v1(),
    ] {
        let report = analyse(&net, [224, 224]).unwrap();
        let mut layers: Vec<AxisWindow> = Vec::new();
        for (node, row) in net.nodes().iter().zip(&report.rows).skip(1) {
            let Op::Layer(_, w) = &node.op else {
                panic!("chains only")
            };
            layers.push(w.axes[0]);
            assert_eq!(top_down_size(&layers), row.axes[0].rf, "{}", node.name);
        }
    }
}

/// Away from the border the exact support of a unit is its analytic receptive field; at the
/// border it lies inside that field clipped to the image, and can be smaller: in AlexNet-v2 at
/// 224, pool1's 26 windows (3/2) read conv1 units 0..52 of 54, so input pixels past
/// 4·52 + 10 = 218 reach no pool1 unit, though pool5's last units' fields extend to 223.
#[test]
fn exact_support_is_the_receptive_field_clipped_by_every_layer() {
    for (net, input) in [(presets::vgg16(), 224), (presets::alexnet_v2(), 224)] {
        let report = analyse(&net, [input, input]).unwrap();
        let out = report.output().axes[0];
        for u in 0..out.size {
            let s = support(&net, [input, input], net.last(), [u, u]).unwrap();
            let (a, b) = out.span(u);
            let (lo, hi) = s.extent(0).unwrap();
            if a >= 0 && b < input as i64 {
                assert_eq!((lo as i64, hi as i64), (a, b), "{} unit {u}", net.name);
            } else {
                let (ca, cb) = out.clipped_span(u, input).unwrap();
                assert!(ca <= lo && hi <= cb, "{} unit {u}", net.name);
            }
            assert_eq!(s.extent(0), s.extent(1));
        }
    }
    // VGG-16 pool5, unit 3 of 7: pixels 3·32 − 90 = 6 to 6 + 211 = 217, inside the image.
    let vgg = presets::vgg16();
    let s = support(&vgg, [224, 224], vgg.last(), [3, 3]).unwrap();
    assert_eq!(s.extent(0), Some((6, 217)));
    let alex = presets::alexnet_v2();
    let s = support(&alex, [224, 224], alex.last(), [3, 3]).unwrap();
    assert_eq!(s.extent(0), Some((32, 218)));
}

/// Dilation by hand through a graph: 3×3 d=1, 3×3 d=2, 3×3 d=4 at stride 1 (the context
/// module of Yu & Koltun 2016) see 1 + 2 + 4 + 8 = 15 pixels; a unit's support has no holes.
/// A single 3-tap kernel with d = 4 sees pixels u−4, u, u+4: extent 9, three pixels.
#[test]
fn dilation_by_hand() {
    let mut net = RfNet::new("context");
    let mut x = net.input();
    for (i, d) in [1, 2, 4].into_iter().enumerate() {
        x = net.conv(
            format!("c{i}"),
            x,
            Window::square(3, 1, Padding::symmetric(d)).dilated(d),
        );
    }
    let r = analyse(&net, [32, 32]).unwrap().output().axes[0];
    assert_eq!((r.rf, r.jump, r.padding, r.size), (15, 1, 7, 32));
    let s = support(&net, [32, 32], net.last(), [16, 16]).unwrap();
    assert_eq!(s.extent(0), Some((9, 23)));
    assert!(s.axes[0][9..=23].iter().all(|&m| m));

    let mut net = RfNet::new("holes");
    let x = net.input();
    net.conv("c", x, Window::square(3, 1, Padding::VALID).dilated(4));
    let r = analyse(&net, [20, 20]).unwrap().output().axes[1];
    assert_eq!((r.rf, r.size), (9, 12));
    let s = support(&net, [20, 20], net.last(), [5, 5]).unwrap();
    let seen: Vec<usize> = (0..20).filter(|&x| s.axes[1][x]).collect();
    assert_eq!(seen, vec![5, 9, 13]);
}

/// Output sizes by hand: floor, ceil (with PyTorch's rule that drops a window starting in the
/// end padding), and TensorFlow's SAME.
#[test]
fn output_sizes_by_hand() {
    let size = |w: AxisWindow, n| w.resolve(n, "t").unwrap();
    // GoogLeNet (Caffe) pool 3×3/2 on 112: floor 55, ceil 56.
    let pool = AxisWindow::new(3, 2, Padding::VALID);
    assert_eq!(size(pool, 112).output, 55);
    let ceil = AxisWindow {
        ceil_mode: true,
        ..pool
    };
    assert_eq!(size(ceil, 112).output, 56);
    // 2×2/2, padding 1, ceil on 5: ⌈5/2⌉ + 1 = 4 windows, but the 4th starts at padded 6,
    // past input + begin padding = 6, so 3 (as torch.nn.MaxPool2d(2, 2, 1, ceil_mode=True)).
    let w = AxisWindow {
        ceil_mode: true,
        ..AxisWindow::new(2, 2, Padding::symmetric(1))
    };
    assert_eq!(size(w, 5).output, 3);
    // SAME 3×3/2: 224 → 112 with padding (0, 1); 321 → 161 with (1, 1).
    let same = AxisWindow::new(3, 2, Padding::Same);
    let r = size(same, 224);
    assert_eq!((r.output, r.pad_begin, r.pad_end), (112, 0, 1));
    let r = size(same, 321);
    assert_eq!((r.output, r.pad_begin, r.pad_end), (161, 1, 1));
    // A window larger than its padded input is an error, not a panic.
    assert!(matches!(
        AxisWindow::new(5, 1, Padding::VALID).resolve(3, "big"),
        Err(RfError::WindowTooLarge { .. })
    ));
}

/// A transposed 4×4/2 convolution with padding 1 (the conv VAE's decoder) on 7 units: output
/// o reads inputs (o + 1 − m)/2 for taps m < 4 where that is whole, so the border outputs read
/// one input and the others two; the recurrences refuse it.
#[test]
fn transposed_support_by_hand() {
    let net = RfNet::chain(
        "up",
        vec![genzoo_rf::RfLayer {
            name: "deconv".into(),
            op: Op::Transposed {
                window: Window::square(4, 2, Padding::symmetric(1)),
                output_padding: [0, 0],
            },
        }],
    );
    let shapes = net.shapes([7, 7]).unwrap();
    assert_eq!(shapes[1][0].output, 14);
    let ext = |o: usize| support(&net, [7, 7], net.last(), [o, 0]).unwrap().extent(0);
    assert_eq!(ext(0), Some((0, 0)));
    assert_eq!(ext(1), Some((0, 1)));
    assert_eq!(ext(2), Some((0, 1)));
    assert_eq!(ext(3), Some((1, 2)));
    assert_eq!(ext(13), Some((6, 6)));
    assert!(matches!(
        analyse(&net, [7, 7]),
        Err(RfError::Transposed { .. })
    ));
}
