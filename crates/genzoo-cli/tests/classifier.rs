//! `genzoo efficientnet` and `genzoo perceptron`: the printed numbers are the reference's and
//! the perceptron's bias makes the difference; a classifier refuses to sample.

#![allow(clippy::unwrap_used)]

use std::process::Output;

mod common;

fn genzoo(args: &[&str]) -> Output {
    common::genzoo(std::path::Path::new("."), args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn efficientnet_reports_the_reference_parameter_counts() {
    let out = genzoo(&["efficientnet", "--all"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for count in ["5,288,548", "7,794,184", "43,040,704", "66,347,960"] {
        // Each appears twice on its row: counted and reference.
        assert_eq!(text.matches(count).count(), 2, "{count} in\n{text}");
    }
    let out = genzoo(&["efficientnet", "--preset", "b0", "--layers"]);
    assert!(stdout(&out).contains("385,814,752 per image"));
    let out = genzoo(&[
        "efficientnet",
        "--phi",
        "-3",
        "--in-channels",
        "1",
        "--classes",
        "10",
    ]);
    // 224·1.15^-3 = 147.3.
    assert!(out.status.success() && stdout(&out).contains("resolution 147"));
    let out = genzoo(&["efficientnet", "--preset", "b9"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn perceptron_needs_its_bias() {
    let with = stdout(&genzoo(&["perceptron"]));
    assert!(with.contains("accuracy       100.00 %"), "{with}");
    let without = stdout(&genzoo(&["perceptron", "--no-bias"]));
    let acc: f64 = without
        .lines()
        .find_map(|l| l.strip_prefix("accuracy"))
        .and_then(|l| l.trim().trim_end_matches(" %").parse().ok())
        .unwrap();
    assert!(acc <= 68.5, "{without}");
    assert!(without.contains("best line through the origin: 68.50 %"));
}
