//! Every run kept under `zoo/` (the weights behind published numbers, `scripts/zoo_add.sh`):
//! its files match their SHA256SUMS, and its weights load into the model its config builds
//! (`genzoo info`, run from the repository root, where the configs' relative paths point).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sha2::{Digest, Sha256};

#[test]
fn every_zoo_run_matches_its_sums_and_loads_into_its_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let zoo = root.join("zoo");
    let mut runs: Vec<_> = std::fs::read_dir(&zoo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    runs.sort();
    assert!(!runs.is_empty(), "zoo/ holds no runs");
    let mut bytes = 0u64;
    for run in &runs {
        let sums = std::fs::read_to_string(run.join("SHA256SUMS")).unwrap();
        for line in sums.lines() {
            let (hash, file) = line.split_once("  ").unwrap();
            let data = std::fs::read(run.join(file)).unwrap();
            bytes += data.len() as u64;
            let got: String = Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(got, hash, "{}: {file} changed", run.display());
        }
        let name = format!("zoo/{}", run.file_name().unwrap().to_string_lossy());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_genzoo"))
            .args(["info", &name])
            .current_dir(&root)
            .env_remove("GENZOO_MNIST_DIR")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("loads into"),
            "{name}: {}{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The budget for the whole zoo.
    assert!(bytes < 100_000_000, "zoo/ holds {bytes} bytes");
}
