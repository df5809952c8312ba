//! The config presets of `configs/`, compiled in so the binary runs anywhere.

/// `(name, TOML text)` of every preset.
pub const PRESETS: &[(&str, &str)] = &[
    ("toy_vae", include_str!("../../../configs/toy_vae.toml")),
    ("mnist_vae", include_str!("../../../configs/mnist_vae.toml")),
    (
        "mnist_vae_conv",
        include_str!("../../../configs/mnist_vae_conv.toml"),
    ),
];

/// The preset `genzoo train` runs without arguments.
pub const DEFAULT_PRESET: &str = "toy_vae";

/// The TOML of preset `name`.
pub fn find(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
