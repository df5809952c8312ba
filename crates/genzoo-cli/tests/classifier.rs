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

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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

/// `genzoo sample` on a classifier run says that a classifier does not generate, with or
/// without sampler flags (exit status 1, no panic). Needs MNIST: every classifier reads
/// labelled digits; SKIPPED when `GENZOO_MNIST_DIR` is unset.
#[test]
fn sample_refuses_a_classifier_run() {
    let Some(mnist) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!("SKIPPED sample_refuses_a_classifier_run: GENZOO_MNIST_DIR not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mnist = mnist.to_string_lossy().into_owned();
    let mut train = vec!["train", "--preset", "mnist_features", "--data-dir", &mnist];
    for set in [
        "trainer.steps=2",
        "trainer.batch_size=16",
        "trainer.log_every=1",
        "trainer.eval_every=2",
        "trainer.eval_examples=32",
        "trainer.sample_every=1",
        "trainer.checkpoint_every=2",
    ] {
        train.extend(["--set", set]);
    }
    let out = common::genzoo(dir.path(), &train);
    assert!(out.status.success(), "{}", stderr(&out));
    // The trainer drew no pictures for it, even when asked every step.
    let samples = dir.path().join("runs/mnist_features/samples");
    assert!(
        !samples.exists() || std::fs::read_dir(&samples).unwrap().next().is_none(),
        "pictures of a classifier"
    );
    for extra in [&[][..], &["--sampler", "ddim"]] {
        let mut args = vec!["sample", "runs/mnist_features", "--out", "x.png"];
        args.extend_from_slice(extra);
        let out = common::genzoo(dir.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("a classifier does not generate examples"),
            "{err}"
        );
    }
}

/// Two steps of a CPC four to eight values wide: the pipeline, not the accuracy.
const TINY_CPC: [&str; 10] = [
    "trainer.steps=2",
    "trainer.batch_size=8",
    "trainer.log_every=1",
    "trainer.eval_every=2",
    "trainer.eval_examples=16",
    "trainer.checkpoint_every=2",
    "model.channels=4",
    "model.latent=8",
    "model.context=8",
    "model.negatives=7",
];

/// CPC end to end: two training steps, then `genzoo probe` with its baselines at two label
/// fractions (a few probe steps: this checks the pipeline, not the accuracy). Needs MNIST;
/// SKIPPED when `GENZOO_MNIST_DIR` is unset.
#[test]
fn cpc_trains_and_probes_with_baselines() {
    let Some(mnist) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!("SKIPPED cpc_trains_and_probes_with_baselines: GENZOO_MNIST_DIR not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mnist = mnist.to_string_lossy().into_owned();
    let mut train = vec!["train", "--preset", "mnist_cpc", "--data-dir", &mnist];
    for set in TINY_CPC {
        train.extend(["--set", set]);
    }
    let out = common::genzoo(dir.path(), &train);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        text.contains("acc_k1") && text.contains("mi_bound"),
        "{text}"
    );
    let out = common::genzoo(
        dir.path(),
        &[
            "probe",
            "runs/mnist_cpc",
            "--data-dir",
            &mnist,
            "--steps",
            "20",
            "--fractions",
            "0.01,1",
            "--picture",
            "pca.png",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for row in [
        "cpc",
        "random encoder",
        "raw pixels",
        "1.0% labels",
        "100.0% labels",
    ] {
        assert!(text.contains(row), "{row:?} missing:\n{text}");
    }
    let eval = dir.path().join("runs/mnist_cpc/eval");
    assert!(eval.join("probe-step2-steps20-pool-run-run.json").is_file());
    assert!(dir.path().join("pca.png").is_file() && dir.path().join("pca-pixels.png").is_file());
}

/// CPC's sequence setting end to end with no data files: the generated sinusoids, strided convs
/// and a GRU; the probe reads the classes the generator drew and names the raw baseline by what
/// it is. An odd stride is refused before any run directory exists.
#[test]
fn sequence_cpc_trains_and_probes_without_data_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut train = vec!["train", "--preset", "seq_cpc"];
    for set in TINY_CPC
        .iter()
        .chain(&["data.train_size=64", "data.eval_size=32"])
    {
        train.extend(["--set", set]);
    }
    let out = common::genzoo(dir.path(), &train);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    assert!(
        text.contains("acc_k4") && text.contains("mi_bound"),
        "{text}"
    );
    let out = common::genzoo(
        dir.path(),
        &["probe", "runs/seq_cpc", "--steps", "20", "--fractions", "1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    for row in ["cpc", "random encoder", "raw values", "100.0% labels"] {
        assert!(text.contains(row), "{row:?} missing:\n{text}");
    }
    let out = common::genzoo(
        dir.path(),
        &[
            "train",
            "--preset",
            "seq_cpc",
            "--set",
            "model.strides=[3,2]",
            "--set",
            "name=odd",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cpc.strides"), "{}", stderr(&out));
    assert!(!dir.path().join("runs/odd").exists());
}
