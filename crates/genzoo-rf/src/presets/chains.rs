//! The plain chains: AlexNet-v2, VGG-16 and MobileNet-v1, as TF-Slim defines them
//! (`alexnet.py`, `vgg.py`, `mobilenet_v1.py` in tensorflow/models `research/slim/nets/`).
//! Node names are TF-Slim's end-point names without the network prefix.

use super::super::graph::RfNet;
use super::{same, valid};

/// AlexNet v2 ("One weird trick", Krizhevsky 2014, as TF-Slim builds it): convolutions SAME
/// except conv1 (11×11/4 VALID), max pools 3×3/2 VALID.
pub fn alexnet_v2() -> RfNet {
    let mut n = RfNet::new("alexnet_v2");
    let x = n.input();
    let x = n.conv("conv1", x, valid(11, 4));
    let x = n.pool("pool1", x, valid(3, 2));
    let x = n.conv("conv2", x, same(5, 1));
    let x = n.pool("pool2", x, valid(3, 2));
    let x = n.conv("conv3", x, same(3, 1));
    let x = n.conv("conv4", x, same(3, 1));
    let x = n.conv("conv5", x, same(3, 1));
    n.pool("pool5", x, valid(3, 2));
    n
}

/// Convolutions per stage of VGG-16 (Simonyan & Zisserman 2015, configuration D).
const VGG16_STAGES: [usize; 5] = [2, 2, 3, 3, 3];

/// VGG-16: 3×3/1 SAME convolutions, 2×2/2 VALID max pools.
pub fn vgg16() -> RfNet {
    let mut n = RfNet::new("vgg_16");
    let mut x = n.input();
    for (stage, &convs) in VGG16_STAGES.iter().enumerate() {
        let s = stage + 1;
        for c in 1..=convs {
            x = n.conv(format!("conv{s}/conv{s}_{c}"), x, same(3, 1));
        }
        x = n.pool(format!("pool{s}"), x, valid(2, 2));
    }
    n
}

/// Depthwise strides of MobileNet-v1's 13 separable blocks (Howard et al. 2017, table 1).
const MOBILENET_V1_STRIDES: [usize; 13] = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];

/// MobileNet-v1: a 3×3/2 convolution, then 13 blocks of a 3×3 depthwise convolution (stride as
/// listed) and a 1×1 pointwise one, all SAME.
pub fn mobilenet_v1() -> RfNet {
    let mut n = RfNet::new("mobilenet_v1");
    let x = n.input();
    let mut x = n.conv("Conv2d_0", x, same(3, 2));
    for (i, &s) in MOBILENET_V1_STRIDES.iter().enumerate() {
        let b = i + 1;
        x = n.conv(format!("Conv2d_{b}_depthwise"), x, same(3, s));
        x = n.conv(format!("Conv2d_{b}_pointwise"), x, same(1, 1));
    }
    n
}
