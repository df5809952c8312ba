//! Built-in architectures: AlexNet-v2, VGG-16, ResNet-50 (v1), Inception-v3 and MobileNet-v1.
//!
//! Each is written after its TF-Slim definition (tensorflow/models, `research/slim/nets/`),
//! the definitions google-research/receptive_field measured for its
//! `RECEPTIVE_FIELD_TABLE.md`, so our numbers can be checked against that table. TF-Slim's
//! conventions matter: SAME padding puts the odd position at the end and depends on the input
//! size (so effective padding depends on the resolution); ResNet-v1 strides in the *last* unit
//! of each block and pads its strided convolutions explicitly (`conv2d_same`). Channel counts,
//! normalisation and activations do not move receptive fields and are left out.

mod chains;
mod inception;
mod resnet;

pub use chains::{alexnet_v2, mobilenet_v1, vgg16};
pub use inception::inception_v3;
pub use resnet::resnet_v1_50;

use super::RfError;
use super::graph::RfNet;
use super::layer::{Padding, Window};

/// A built-in architecture.
pub struct Preset {
    /// Name used by `genzoo rf --preset`.
    pub name: &'static str,
    /// Other accepted names (TF-Slim's).
    pub aliases: &'static [&'static str],
    /// One line about it.
    pub about: &'static str,
    /// The resolution it is usually run at.
    pub default_input: usize,
    /// Build the graph.
    pub build: fn() -> RfNet,
}

/// ImageNet training resolution of AlexNet, VGG, ResNet and MobileNet in TF-Slim.
pub const IMAGENET_INPUT: usize = 224;
/// Inception-v3's default resolution in TF-Slim.
pub const INCEPTION_V3_INPUT: usize = 299;

/// Every built-in architecture.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "alexnet",
        aliases: &["alexnet_v2"],
        about: "AlexNet v2 (TF-Slim alexnet_v2), conv1..pool5",
        default_input: IMAGENET_INPUT,
        build: alexnet_v2,
    },
    Preset {
        name: "vgg16",
        aliases: &["vgg_16"],
        about: "VGG-16 (TF-Slim vgg_16), conv1_1..pool5",
        default_input: IMAGENET_INPUT,
        build: vgg16,
    },
    Preset {
        name: "resnet50",
        aliases: &["resnet_v1_50"],
        about: "ResNet-50 v1 (TF-Slim resnet_v1_50, stride in each block's last unit), to block4",
        default_input: IMAGENET_INPUT,
        build: resnet_v1_50,
    },
    Preset {
        name: "inception_v3",
        aliases: &["inceptionv3"],
        about: "Inception-v3 (TF-Slim inception_v3_base), to Mixed_7c",
        default_input: INCEPTION_V3_INPUT,
        build: inception_v3,
    },
    Preset {
        name: "mobilenet_v1",
        aliases: &["mobilenet"],
        about: "MobileNet-v1 1.0 (TF-Slim mobilenet_v1), to Conv2d_13_pointwise",
        default_input: IMAGENET_INPUT,
        build: mobilenet_v1,
    },
];

/// The preset called `name` (or one of its aliases).
pub fn find(name: &str) -> Result<&'static Preset, RfError> {
    PRESETS
        .iter()
        .find(|p| p.name == name || p.aliases.contains(&name))
        .ok_or_else(|| RfError::UnknownPreset {
            name: name.to_string(),
            known: PRESETS
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// A square window with TensorFlow's SAME padding.
fn same(k: usize, s: usize) -> Window {
    Window::square(k, s, Padding::Same)
}

/// A square window without padding (TensorFlow's VALID).
fn valid(k: usize, s: usize) -> Window {
    Window::square(k, s, Padding::VALID)
}
