//! End-to-end tests of `genzoo rf`: a preset's table, a described net with a misaligned merge,
//! the gradient probe on genzoo's conv VAE, and bad input ending in exit status 1.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// The workspace root, where `configs/` lives.
fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn genzoo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genzoo"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The fields of the table row of `layer`.
fn row(text: &str, layer: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(layer))
        .unwrap_or_else(|| panic!("no row {layer} in\n{text}"));
    line.split_whitespace().map(str::to_string).collect()
}

/// VGG-16 pool5 at 224: size 7, jump 32, rf 212, start 15.5, padding 90 (the last five
/// columns), as google-research/receptive_field's table gives.
#[test]
fn preset_table_has_published_values() {
    let out = genzoo(&["rf", "--preset", "vgg16"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = row(&stdout(&out), "pool5");
    assert_eq!(r[r.len() - 5..], ["7", "32", "212", "15.5", "90"]);
    let out = genzoo(&["rf", "--preset", "alexnet_v2", "--input", "321"]);
    let r = row(&stdout(&out), "pool5");
    assert_eq!(r[r.len() - 4..], ["32", "195", "33", "64"]);
}

#[test]
fn described_net_reports_misalignment() {
    let out = genzoo(&["rf", "--file", "configs/rf_example.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("misaligned merge `block2` (height)"),
        "{text}"
    );
    let r = row(&text, "block2");
    assert_eq!(r[r.len() - 4..], ["8", "67", "0", "33"]);
    // Height and width differ: both numbers are shown.
    let out = genzoo(&[
        "rf",
        "--file",
        "configs/rf_example.toml",
        "--input",
        "64x96",
    ]);
    let r = row(&stdout(&out), "stem");
    assert_eq!(r[r.len() - 5], "32x48");
}

/// The probe on the conv VAE preset: every encoder unit and the sampled decoder pixels agree.
#[test]
fn probe_on_conv_vae_agrees() {
    let out = genzoo(&["rf", "--model", "mnist_vae_conv", "--probe"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("49/49 units agree (25 unclipped"), "{text}");
    assert!(
        text.contains("11/11 units agree with the exact support"),
        "{text}"
    );
    assert!(!text.contains(" NO\n"), "{text}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for (args, needle) in [
        (&["rf"][..], "say what to analyse"),
        (&["rf", "--preset", "lenet"][..], "presets: alexnet, vgg16"),
        (&["rf", "--preset", "vgg16", "--input", "0"][..], "--input"),
        (
            &["rf", "--preset", "vgg16", "--input", "1"][..],
            "does not fit",
        ),
        (&["rf", "--file", "no/such.toml"][..], "no/such.toml"),
        (
            &["rf", "--model", "mnist_vae"][..],
            "no convolutional network",
        ),
    ] {
        let out = genzoo(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
