//! What every end-to-end test of the binary shares.

use std::path::Path;
use std::process::{Command, Output};

/// Run `genzoo args…` in `dir`, with $GENZOO_MNIST_DIR unset so results do not depend on the
/// machine.
pub fn genzoo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genzoo"))
        .args(args)
        .current_dir(dir)
        .env_remove("GENZOO_MNIST_DIR")
        .output()
        .expect("the genzoo binary starts")
}

/// The command's stdout, after asserting that it succeeded (its stdout and stderr shown if not).
#[allow(dead_code)] // not every test binary uses it
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
