//! `genzoo scoreboard` end to end: a toy run trained and evaluated by the binary shows up with
//! the NLL `genzoo eval` measured; bad input is an error, not a panic.

#![allow(clippy::unwrap_used)]

use tempfile::TempDir;

mod common;
use common::{genzoo, ok};

#[test]
fn a_trained_and_evaluated_run_appears_with_its_measured_nll() {
    let dir = TempDir::new().unwrap();
    ok(&genzoo(
        dir.path(),
        &[
            "train",
            "--set",
            "trainer.steps=10",
            "--set",
            "trainer.checkpoint_every=10",
            "--set",
            "data.train_size=500",
            "--set",
            "data.eval_size=100",
        ],
    ));
    let eval = ok(&genzoo(
        dir.path(),
        &["eval", "runs/toy_vae", "--k", "3", "--examples", "20"],
    ));
    let nll_line = eval.lines().find(|l| l.contains("NLL")).unwrap();
    let nll: f64 = nll_line
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap();
    ok(&genzoo(
        dir.path(),
        &["sample", "runs/toy_vae", "-n", "200", "--out", "s.npy"],
    ));
    let speed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("runs/toy_vae/eval/sample-speed-default-step10.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let per_second = speed["samples_per_second"].as_f64().unwrap();
    assert!(per_second > 0.0);
    let table = ok(&genzoo(dir.path(), &["scoreboard"]));
    let row = table.lines().find(|l| l.starts_with("| toy_vae ")).unwrap();
    assert!(
        row.contains(&format!("| {nll:.3} | IWAE-3 bound |")),
        "{row}"
    );
    assert!(row.contains("| 8gaussians |"), "{row}");
    // The speed of the newest file (the sample command's), digits grouped in threes.
    let digits = format!("{per_second:.0}");
    let grouped: String = digits
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let comma = i > 0 && (digits.len() - i) % 3 == 0;
            comma.then_some(',').into_iter().chain(std::iter::once(c))
        })
        .collect();
    assert!(row.contains(&format!("| {grouped} |")), "{row}");

    ok(&genzoo(dir.path(), &["scoreboard", "--out", "board.md"]));
    let written = std::fs::read_to_string(dir.path().join("board.md")).unwrap();
    assert_eq!(written, table);
}

#[test]
fn missing_or_empty_runs_directory_is_an_error() {
    let dir = TempDir::new().unwrap();
    let out = genzoo(dir.path(), &["scoreboard", "--runs", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = genzoo(dir.path(), &["scoreboard", "--runs", "empty"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no runs"));
}
