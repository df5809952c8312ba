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
    (
        "mnist_made_direct",
        include_str!("../../../configs/mnist_made_direct.toml"),
    ),
    (
        "mnist_made_wide",
        include_str!("../../../configs/mnist_made_wide.toml"),
    ),
    ("toy_ddpm", include_str!("../../../configs/toy_ddpm.toml")),
    ("toy_rf", include_str!("../../../configs/toy_rf.toml")),
    ("mnist_cpc", include_str!("../../../configs/mnist_cpc.toml")),
    ("seq_cpc", include_str!("../../../configs/seq_cpc.toml")),
    (
        "stacked_mnist_dcgan",
        include_str!("../../../configs/stacked_mnist_dcgan.toml"),
    ),
    (
        "mnist_rf_small",
        include_str!("../../../configs/mnist_rf_small.toml"),
    ),
    (
        "mnist_rf_small_reflow",
        include_str!("../../../configs/mnist_rf_small_reflow.toml"),
    ),
    (
        "mnist_rf_small_distill",
        include_str!("../../../configs/mnist_rf_small_distill.toml"),
    ),
    (
        "toy_rf_reflow",
        include_str!("../../../configs/toy_rf_reflow.toml"),
    ),
    (
        "toy_rf_distill",
        include_str!("../../../configs/toy_rf_distill.toml"),
    ),
    (
        "toy_gan_ring",
        include_str!("../../../configs/toy_gan_ring.toml"),
    ),
    (
        "toy_gan_grid",
        include_str!("../../../configs/toy_gan_grid.toml"),
    ),
    (
        "mnist_dcgan",
        include_str!("../../../configs/mnist_dcgan.toml"),
    ),
    (
        "toy_realnvp_8gaussians",
        include_str!("../../../configs/toy_realnvp_8gaussians.toml"),
    ),
    (
        "toy_realnvp_checkerboard",
        include_str!("../../../configs/toy_realnvp_checkerboard.toml"),
    ),
    ("planar_u1", include_str!("../../../configs/planar_u1.toml")),
    ("planar_u2", include_str!("../../../configs/planar_u2.toml")),
    ("planar_u3", include_str!("../../../configs/planar_u3.toml")),
    ("planar_u4", include_str!("../../../configs/planar_u4.toml")),
    (
        "toy_planar_8gaussians",
        include_str!("../../../configs/toy_planar_8gaussians.toml"),
    ),
    (
        "mnist_nice",
        include_str!("../../../configs/mnist_nice.toml"),
    ),
    (
        "mnist_realnvp",
        include_str!("../../../configs/mnist_realnvp.toml"),
    ),
    (
        "mnist_ddpm",
        include_str!("../../../configs/mnist_ddpm.toml"),
    ),
    (
        "mnist_ddpm_small",
        include_str!("../../../configs/mnist_ddpm_small.toml"),
    ),
    (
        "mnist_features",
        include_str!("../../../configs/mnist_features.toml"),
    ),
    (
        "mnist_efficientnet",
        include_str!("../../../configs/mnist_efficientnet.toml"),
    ),
    (
        "mnist_binary_ce",
        include_str!("../../../configs/mnist_binary_ce.toml"),
    ),
    (
        "mnist_binary_softf1",
        include_str!("../../../configs/mnist_binary_softf1.toml"),
    ),
    (
        "mnist_binary_ce_softf1",
        include_str!("../../../configs/mnist_binary_ce_softf1.toml"),
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
