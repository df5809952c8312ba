//! The config presets of `configs/`, compiled in so the binary runs anywhere.

/// `(name, TOML text)` of every preset.
pub const PRESETS: &[(&str, &str)] = &[
    ("toy_vae", include_str!("../../../configs/toy_vae.toml")),
    ("mnist_vae", include_str!("../../../configs/mnist_vae.toml")),
    (
        "mnist_vae_conv",
        include_str!("../../../configs/mnist_vae_conv.toml"),
    ),
    (
        "mnist_fvsbn",
        include_str!("../../../configs/mnist_fvsbn.toml"),
    ),
    (
        "mnist_nade",
        include_str!("../../../configs/mnist_nade.toml"),
    ),
    (
        "mnist_made",
        include_str!("../../../configs/mnist_made.toml"),
    ),
    (
        "mnist_made_masks",
        include_str!("../../../configs/mnist_made_masks.toml"),
    ),
];

/// The preset `genzoo train` runs without arguments.
pub const DEFAULT_PRESET: &str = "toy_vae";

/// The TOML of preset `name`.
pub fn find(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in configs/ is a preset, and every preset is a valid run config.
    #[test]
    fn every_config_file_is_a_valid_preset() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".toml")
                    .map(str::to_string)
            })
            .filter(|n| !n.starts_with("rf_"))
            .collect();
        files.sort();
        let mut names: Vec<String> = PRESETS.iter().map(|(n, _)| n.to_string()).collect();
        names.sort();
        assert_eq!(files, names, "configs/ and PRESETS disagree");
        for (name, text) in PRESETS {
            let parsed =
                genzoo_train::TrainConfig::from_toml(text, std::path::Path::new(name), &[]);
            assert!(parsed.is_ok(), "preset {name}: {:?}", parsed.err());
            assert_eq!(
                parsed.ok().map(|c| c.name),
                Some(name.to_string()),
                "preset {name} must be named after its file"
            );
        }
    }
}
