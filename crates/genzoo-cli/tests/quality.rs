//! End-to-end tests of the sample-quality commands: `genzoo eval --quality`, `genzoo eval
//! --images` (one file, a PNG folder, several parts as one set) and their refusals (a missing
//! feature run, one that is not a classifier, images of the wrong size or of mismatched parts,
//! NaN values). The runs are trained for a few steps only: the numbers mean
//! nothing, the plumbing is what is tested. Tests that need MNIST (every feature net reads
//! MNIST) report themselves SKIPPED when `GENZOO_MNIST_DIR` is unset.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use genzoo_data::{
    Array, ImageView, Split, ViewRng, load_mnist_split, to_array_rows, write_npy, write_png,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// Reference images of the successful evaluations (the whole test set takes ~10 s unoptimised).
const REFERENCE: &str = "60";

mod common;
use common::genzoo;

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed:\n{}", text(out));
}

/// The command failed (status 1 or clap's 2) with a message containing every one of `needles`.
fn assert_refused(out: &Output, needles: &[&str]) {
    let t = text(out);
    assert!(!out.status.success(), "succeeded:\n{t}");
    assert!(!t.contains("panicked"), "panicked:\n{t}");
    for n in needles {
        assert!(t.contains(n), "no {n:?} in:\n{t}");
    }
}

#[test]
fn quality_refuses_missing_and_toy_feature_runs() {
    let sb = TempDir::new().unwrap();
    let dir = sb.path();
    write_npy(
        &dir.join("x.npy"),
        &Array::new(vec![2, 28, 28], vec![0.5; 2 * 784]).unwrap(),
    )
    .unwrap();
    let out = genzoo(
        dir,
        &["eval", "--images", "x.npy", "--features", "runs/none"],
    );
    assert_refused(
        &out,
        &["feature run runs/none does not exist", "mnist_features"],
    );
    let out = genzoo(dir, &["eval", "--images", "x.npy"]);
    assert_refused(&out, &["--features"]);
    let tiny = [
        "train",
        "--set",
        "trainer.steps=2",
        "--set",
        "trainer.checkpoint_every=2",
        "--set",
        "trainer.eval_every=2",
        "--set",
        "trainer.sample_every=0",
        "--set",
        "data.train_size=2000",
        "--set",
        "data.eval_size=100",
    ];
    assert_ok(&genzoo(dir, &tiny), "genzoo train (toy)");
    let out = genzoo(
        dir,
        &["eval", "--images", "x.npy", "--features", "runs/toy_vae"],
    );
    assert_refused(&out, &["runs/toy_vae", "2-D toy points"]);
    let out = genzoo(
        dir,
        &[
            "eval",
            "runs/toy_vae",
            "--quality",
            "--features",
            "runs/toy_vae",
        ],
    );
    assert_refused(&out, &["2-D toy points"]);
}

/// A few training steps of `preset` on MNIST in `dir`.
fn train_tiny(dir: &Path, mnist: &str, preset: &str) {
    let out = genzoo(
        dir,
        &[
            "train",
            "--preset",
            preset,
            "--data-dir",
            mnist,
            "--set",
            "trainer.steps=2",
            "--set",
            "trainer.batch_size=16",
            "--set",
            "trainer.log_every=1",
            "--set",
            "trainer.eval_every=2",
            "--set",
            "trainer.eval_examples=32",
            "--set",
            "trainer.sample_every=0",
            "--set",
            "trainer.checkpoint_every=2",
        ],
    );
    assert_ok(&out, &format!("genzoo train --preset {preset}"));
}

#[test]
fn quality_of_pngs_and_of_a_run_when_mnist_is_available() {
    let Some(mnist) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!(
            "SKIPPED quality_of_pngs_and_of_a_run_when_mnist_is_available: GENZOO_MNIST_DIR not set"
        );
        return;
    };
    let mnist = mnist.to_string_lossy().into_owned();
    let sb = TempDir::new().unwrap();
    let dir = sb.path();
    train_tiny(dir, &mnist, "mnist_features");
    train_tiny(dir, &mnist, "mnist_vae");
    let features = "runs/mnist_features";

    // A folder of PNGs: 12 training digits.
    let set = load_mnist_split(Path::new(&mnist), Split::Train).unwrap();
    let digits = to_array_rows(
        &set.images,
        &(0..12).collect::<Vec<_>>(),
        ImageView::Unit,
        ViewRng::new(Split::Train, 0, 0),
    );
    std::fs::create_dir(dir.join("pngs")).unwrap();
    for i in 0..12 {
        let bytes: Vec<u8> = digits
            .row(i)
            .iter()
            .map(|v| (v * 255.0).round() as u8)
            .collect();
        let path = dir.join("pngs").join(format!("{i:03}.png"));
        write_png(&path, 28, 28, genzoo_data::image::PixelFormat::Grey, &bytes).unwrap();
    }
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "pngs",
            "--features",
            features,
            "--data-dir",
            &mnist,
            "--reference",
            REFERENCE,
            "--kid-subsets",
            "5",
        ],
    );
    assert_ok(&out, "genzoo eval --images pngs");
    let t = text(&out);
    for needle in ["FID", "KID", "precision", "inception score", "12 PNG files"] {
        assert!(t.contains(needle), "no {needle:?} in:\n{t}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pngs-quality.json")).unwrap())
            .unwrap();
    // The report names the feature net by the hash of the weights it loaded.
    let ckpt = json["report"]["feature_net"]["checkpoint"]
        .as_str()
        .unwrap();
    let weights = std::fs::read(dir.join(ckpt).join("model.safetensors")).unwrap();
    let hex: String = Sha256::digest(&weights)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(json["feature_net_sha256"].as_str().unwrap(), hex);
    assert!(json["fid"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        json["report"]["metrics"]["n_reference"].as_u64(),
        Some(REFERENCE.parse().unwrap())
    );
    // The subset is drawn at random with a recorded seed, not the first N test images.
    assert_eq!(json["reference"]["selection"], "random without replacement");
    assert_eq!(json["reference"]["seed"], 0);
    assert_eq!(json["reference"]["of"], 10_000);

    // Several .npy parts are one set, in order: the same 12 digits in two files of 5 and 7 score
    // exactly as the 12 in one file.
    let part = |rows: std::ops::Range<usize>| {
        let values: Vec<f32> = rows.clone().flat_map(|i| digits.row(i).to_vec()).collect();
        Array::new(vec![rows.len(), 28, 28], values).unwrap()
    };
    write_npy(&dir.join("all.npy"), &part(0..12)).unwrap();
    write_npy(&dir.join("a.npy"), &part(0..5)).unwrap();
    write_npy(&dir.join("b.npy"), &part(5..12)).unwrap();
    let fid_of = |images: &[&str], json: &str| {
        let mut cmd = vec!["eval", "--images"];
        cmd.extend_from_slice(images);
        cmd.extend_from_slice(&[
            "--features",
            features,
            "--data-dir",
            &mnist,
            "--reference",
            REFERENCE,
            "--kid-subsets",
            "5",
        ]);
        let out = genzoo(dir, &cmd);
        assert_ok(&out, "genzoo eval --images");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(json)).unwrap()).unwrap();
        json["fid"].as_f64().unwrap()
    };
    let whole = fid_of(&["all.npy"], "all.npy-quality.json");
    let parts = fid_of(&["a.npy", "b.npy"], "a.npy-quality.json");
    assert_eq!(whole, parts, "two parts score {parts}, one file {whole}");

    // A generative run's samples: the JSON lands in its eval/ directory.
    let out = genzoo(
        dir,
        &[
            "eval",
            "runs/mnist_vae",
            "--quality",
            "--features",
            features,
            "--samples",
            "40",
            "--data-dir",
            &mnist,
            "--reference",
            REFERENCE,
            "--kid-subsets",
            "5",
        ],
    );
    assert_ok(&out, "genzoo eval RUN --quality");
    assert!(text(&out).contains("binary-fixed view"), "{}", text(&out));
    let path = dir.join("runs/mnist_vae/eval/quality-n40-step2.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["samples"].as_u64(), Some(40));
    assert!(json["kid_mean"].is_number() && json["precision"].is_number());

    // Stacked MNIST: a GAN on three stacked digits; its samples are counted by mode, each channel
    // classified (the mode arithmetic is tested in genzoo-eval and genzoo-data).
    let out = genzoo(
        dir,
        &[
            "train",
            "--preset",
            "stacked_mnist_dcgan",
            "--data-dir",
            &mnist,
            "--set",
            "trainer.steps=2",
            "--set",
            "trainer.batch_size=16",
            "--set",
            "trainer.eval_every=2",
            "--set",
            "trainer.eval_examples=32",
            "--set",
            "trainer.checkpoint_every=2",
            "--set",
            "data.stack_size=64",
        ],
    );
    assert_ok(&out, "genzoo train --preset stacked_mnist_dcgan");
    let out = genzoo(
        dir,
        &[
            "eval",
            "runs/stacked_mnist_dcgan",
            "--quality",
            "--features",
            features,
            "--samples",
            "40",
            "--data-dir",
            &mnist,
        ],
    );
    assert_ok(&out, "genzoo eval STACKED --quality");
    assert!(
        text(&out).contains("of 1000 covered by 40 samples"),
        "{}",
        text(&out)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join("runs/stacked_mnist_dcgan/eval/stacked-modes-n40-step2.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["modes"].as_u64(), Some(1000));
    let covered = json["modes_covered"].as_u64().unwrap();
    assert!((1..=40).contains(&covered), "{covered}");
    // A stack redrawn every epoch is refused before any run directory exists.
    let out = genzoo(
        dir,
        &[
            "train",
            "--preset",
            "stacked_mnist_dcgan",
            "--data-dir",
            &mnist,
            "--set",
            "data.view=dequantised",
            "--set",
            "name=bad_stack",
        ],
    );
    assert_refused(&out, &["stacked MNIST", "view"]);
    assert!(!dir.join("runs/bad_stack").exists());

    // Refusals: a feature run that is not a classifier, the wrong image size, NaN values.
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "pngs",
            "--features",
            "runs/mnist_vae",
            "--data-dir",
            &mnist,
        ],
    );
    assert_refused(&out, &["is a vae run, not a classifier"]);
    write_npy(
        &dir.join("small.npy"),
        &Array::new(vec![3, 16, 16], vec![0.5; 3 * 256]).unwrap(),
    )
    .unwrap();
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "small.npy",
            "--features",
            features,
            "--data-dir",
            &mnist,
        ],
    );
    assert_refused(&out, &["[1, 16, 16]", "[1, 28, 28]"]);
    write_npy(
        &dir.join("one.npy"),
        &Array::new(vec![1, 28, 28], vec![0.5; 784]).unwrap(),
    )
    .unwrap();
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "one.npy",
            "--features",
            features,
            "--data-dir",
            &mnist,
        ],
    );
    assert_refused(&out, &["one.npy holds 1 image", "at least 2"]);
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "a.npy",
            "small.npy",
            "--features",
            features,
            "--data-dir",
            &mnist,
        ],
    );
    assert_refused(&out, &["small.npy", "must match"]);
    let mut nan = vec![0.5; 3 * 784];
    nan[784 + 5] = f32::NAN;
    write_npy(
        &dir.join("nan.npy"),
        &Array::new(vec![3, 28, 28], nan).unwrap(),
    )
    .unwrap();
    let out = genzoo(
        dir,
        &[
            "eval",
            "--images",
            "nan.npy",
            "--features",
            features,
            "--data-dir",
            &mnist,
        ],
    );
    assert_refused(&out, &["non-finite", "image 1"]);
}
