//! Bad input and damaged runs, through the real binary: each refusal exits non-zero with a line
//! naming the file and the problem, and leaves no output behind; numbers written are of what
//! was drawn (issue 28).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE, STATE_FILE};
use genzoo_train::tensors;

mod common;
use common::genzoo;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A toy VAE run of 4 steps with checkpoints at 2 and 4, in `dir`.
fn toy_run(dir: &Path) {
    let out = genzoo(
        dir,
        &[
            "train",
            "--preset",
            "toy_vae",
            "--set",
            "trainer.steps=4",
            "--set",
            "trainer.checkpoint_every=2",
            "--set",
            "trainer.eval_every=2",
            "--set",
            "trainer.sample_every=0",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn sample_refuses_unknown_outputs_before_writing_any() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    for (args, needle) in [
        (vec!["--out", "s.jpg"], "write .png (a picture) or .npy"),
        (
            vec!["--out", "s.png", "--manifold", "m.png"],
            "image data only",
        ),
        (
            vec!["--out", "s.png", "--density", "d.png", "--density-k", "0"],
            "--density-k",
        ),
        (
            vec!["--out", "s.png", "--density", "d.svg"],
            "pictures are written as .png",
        ),
        (vec!["--out", "s.png", "-n", "0"], "--count must be >= 1"),
    ] {
        let mut all = vec!["sample", "runs/toy_vae"];
        all.extend(&args);
        let out = genzoo(dir.path(), &all);
        assert!(!out.status.success(), "{args:?} accepted");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        for file in ["s.jpg", "s.png", "m.png", "d.png", "d.svg"] {
            assert!(!dir.path().join(file).exists(), "{args:?} left {file}");
        }
    }
}

/// `-n` on a toy draws that many points, and the speed recorded is of those points.
#[test]
fn toy_samples_honour_n_and_record_the_speed_of_what_was_drawn() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    for (out_file, n) in [("s.npy", 123), ("s.png", 77)] {
        let n_text = n.to_string();
        let out = genzoo(
            dir.path(),
            &["sample", "runs/toy_vae", "-n", &n_text, "--out", out_file],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{n} samples")),
            "{}",
            stderr(&out)
        );
        let speed = dir
            .path()
            .join("runs/toy_vae/eval/sample-speed-default-step4.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(speed).unwrap()).unwrap();
        assert_eq!(json["samples"].as_u64(), Some(n));
    }
    let a = genzoo_data::read_npy(&dir.path().join("s.npy")).unwrap();
    assert_eq!(a.shape, vec![123, 2]);
}

/// NaN weights: `sample` refuses them and writes nothing (as `eval` does).
#[test]
fn sample_refuses_diverged_weights() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    let ckpt = checkpoint::step_dir(&dir.path().join("runs/toy_vae/ckpt"), 4);
    for file in [MODEL_FILE, EMA_FILE] {
        let path = ckpt.join(file);
        if !path.is_file() {
            continue;
        }
        let mut t = tensors::load(&path).unwrap();
        t.iter_mut()
            .for_each(|t| t.values.iter_mut().for_each(|v| *v = f32::NAN));
        tensors::save(&path, &t, checkpoint::file_metadata("vae", 4)).unwrap();
    }
    for out_file in ["s.png", "s.npy"] {
        let out = genzoo(
            dir.path(),
            &["sample", "runs/toy_vae", "--latest", "--out", out_file],
        );
        assert!(!out.status.success(), "NaN weights sampled");
        assert!(stderr(&out).contains("not finite"), "{}", stderr(&out));
        assert!(!dir.path().join(out_file).exists());
    }
}

/// A checkpoint whose state.json names another family than the run's config is refused; a
/// newer step directory that is not a whole checkpoint is passed over with a warning naming it.
#[test]
fn damaged_checkpoints_are_named() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    let root = dir.path().join("runs/toy_vae/ckpt");
    std::fs::create_dir(checkpoint::step_dir(&root, 6)).unwrap();
    let out = genzoo(
        dir.path(),
        &["sample", "runs/toy_vae", "--latest", "--out", "s.png"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("warning")
            && text.contains("step-00000006")
            && text.contains("not a whole checkpoint"),
        "{text}"
    );
    let state = checkpoint::step_dir(&root, 4).join(STATE_FILE);
    let edited = std::fs::read_to_string(&state)
        .unwrap()
        .replace("\"vae\"", "\"ddpm\"");
    std::fs::write(&state, edited).unwrap();
    let out = genzoo(
        dir.path(),
        &["sample", "runs/toy_vae", "--latest", "--out", "t.png"],
    );
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("step-00000004")
            && text.contains("ddpm")
            && text.contains("config.toml asks for vae"),
        "{text}"
    );
    assert!(!dir.path().join("t.png").exists());
}

/// A batch larger than the training set is refused before the run directory exists.
#[test]
fn a_batch_larger_than_the_data_is_refused_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = genzoo(
        dir.path(),
        &[
            "train",
            "--preset",
            "toy_vae",
            "--set",
            "trainer.batch_size=1000000",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("trainer.batch_size 1000000 is larger than the training set"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("runs").exists());
}

/// A config edited after training (a wider layer) no longer fits the checkpoint: the error
/// names the weights file, the config and the parameter.
#[test]
fn an_edited_config_is_named_beside_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    let config = dir.path().join("runs/toy_vae/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let edited = text.replacen("256", "128", 1);
    assert_ne!(text, edited, "the preset has a 256-wide layer");
    std::fs::write(&config, edited).unwrap();
    let out = genzoo(dir.path(), &["sample", "runs/toy_vae", "--out", "s.png"]);
    assert!(!out.status.success());
    let text = stderr(&out);
    for needle in [
        "safetensors",
        "config.toml",
        "stored shape",
        "likely edited",
    ] {
        assert!(text.contains(needle), "{needle:?} missing: {text}");
    }
    assert!(!dir.path().join("s.png").exists());
}

/// A request that cannot fit in memory (a picture) or on disk (`.npy`, streamed) is refused up
/// front with its size. Nothing is written.
#[test]
fn requests_too_large_for_memory_are_refused_with_their_size() {
    let dir = tempfile::tempdir().unwrap();
    toy_run(dir.path());
    for (n, file, needle) in [
        ("100000000000", "s.png", "GB of memory"),
        ("100000000000000", "s.npy", "GB free"),
    ] {
        let out = genzoo(
            dir.path(),
            &["sample", "runs/toy_vae", "-n", n, "--out", file],
        );
        assert!(!out.status.success());
        let text = stderr(&out);
        assert!(
            text.contains(needle) && text.contains("ask for fewer"),
            "{text}"
        );
        assert!(!dir.path().join(file).exists());
        assert!(!dir.path().join(format!("{file}.tmp")).exists());
    }
}

/// A file where a directory is expected is called a file, not "missing".
#[test]
fn a_file_where_a_directory_belongs_is_named_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("afile"), "not a run").unwrap();
    let out = genzoo(dir.path(), &["eval", "afile"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("afile is a regular file, not a directory"),
        "{}",
        stderr(&out)
    );
    let out = genzoo(
        dir.path(),
        &["train", "--preset", "mnist_vae", "--data-dir", "afile"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("MNIST directory afile is a regular file, not a directory"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("runs").exists());
}
