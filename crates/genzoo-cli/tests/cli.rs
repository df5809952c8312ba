//! End-to-end tests of the `genzoo` binary: a tiny toy run through train, resume, info, sample
//! and eval, and every kind of bad input a user can give, which must end in exit status 1 and
//! a message naming the problem (never a panic).
//!
//! Each test runs in its own temporary directory (the working directory and `--runs`). Training
//! runs are 20–30 steps on 2,000 toy points, so the whole file takes a few seconds.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Overrides that shrink the default toy preset to well under a second of training.
const TINY: &[&str] = &[
    "trainer.steps=20",
    "trainer.log_every=10",
    "trainer.eval_every=10",
    "trainer.sample_every=20",
    "trainer.checkpoint_every=10",
    "data.train_size=2000",
    "data.eval_size=500",
];

/// Importance samples and examples of every `genzoo eval` here.
const EVAL_FAST: &[&str] = &["--k", "5", "--examples", "50"];

/// Name of the default preset's run directory.
const TOY_RUN: &str = "toy_vae";

mod common;
use common::genzoo;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Assert that `out` succeeded; show both streams when it did not.
fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed with {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// Assert that `out` failed the way a user error should: exit status 1 (not clap's 2, not a
/// panic's 101), and an `error:` line on stderr containing every one of `needles`.
fn assert_fails_with(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit status 1\nstdout:\n{}\nstderr:\n{err}",
        stdout(out)
    );
    assert!(!err.contains("panicked"), "the binary panicked:\n{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no `error:` line on stderr:\n{err}"));
    for needle in needles {
        assert!(
            err.contains(needle),
            "stderr does not mention {needle:?}; error line: {line}\nstderr:\n{err}"
        );
    }
}

/// A temporary working directory and its `runs/` parent directory.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn runs(&self) -> PathBuf {
        self.path().join("runs")
    }

    fn run_dir(&self) -> PathBuf {
        self.runs().join(TOY_RUN)
    }

    /// `genzoo <args…>` in the sandbox.
    fn genzoo(&self, args: &[&str]) -> Output {
        genzoo(self.path(), args)
    }

    /// `genzoo train [extra…] --runs <runs> --set <tiny>… --set <sets>…`.
    fn train(&self, extra: &[&str], sets: &[&str]) -> Output {
        let runs = self.runs();
        let mut args = vec!["train"];
        args.extend_from_slice(extra);
        args.extend(["--runs", runs.to_str().unwrap()]);
        for s in TINY.iter().chain(sets) {
            args.extend(["--set", s]);
        }
        self.genzoo(&args)
    }

    /// `genzoo train --preset <preset> --set <sets>… --data-dir /nonexistent --runs <runs>`: an
    /// MNIST preset as a user would start it, pointed at a data directory that does not exist.
    fn train_without_data(&self, preset: &str, sets: &[&str]) -> Output {
        let runs = self.runs();
        let mut args = vec!["train", "--preset", preset];
        for s in sets {
            args.extend(["--set", s]);
        }
        args.extend([
            "--data-dir",
            "/nonexistent",
            "--runs",
            runs.to_str().unwrap(),
        ]);
        self.genzoo(&args)
    }

    /// A finished tiny run of the default preset.
    fn trained() -> Self {
        let sandbox = Self::new();
        assert_ok(&sandbox.train(&[], &[]), "genzoo train");
        sandbox
    }

    /// Assert that training was refused before it created anything.
    fn assert_nothing_written(&self) {
        assert!(
            !self.runs().exists(),
            "a rejected config still created {}",
            self.runs().display()
        );
    }
}

/// Checkpoint directories of a run, oldest first.
fn checkpoints(run: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(run.join("ckpt"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("step-"))
        })
        .collect();
    dirs.sort();
    dirs
}

/// The `step` recorded in a checkpoint's state.json.
fn state_step(ckpt: &Path) -> u64 {
    let text = std::fs::read_to_string(ckpt.join("state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    state["step"].as_u64().unwrap()
}

/// The first number after `label` on the first stdout line starting with `label`.
fn number_after(text: &str, label: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line starting with {label:?} in:\n{text}"));
    line.split_whitespace()
        .find_map(|w| w.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no number on line {line:?}"))
}

/// The row count of an NPY file's `'shape': (rows, …)` header.
fn npy_rows(bytes: &[u8]) -> usize {
    assert!(bytes.starts_with(b"\x93NUMPY"), "not an NPY file");
    // Version 1 header: magic (6), version (2), little-endian u16 length, then the dict.
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + len]).unwrap();
    let shape = header
        .split("'shape': (")
        .nth(1)
        .unwrap_or_else(|| panic!("no shape in NPY header {header:?}"));
    shape
        .split([',', ')'])
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn train_info_sample_eval_end_to_end_on_default_toy_preset() {
    let sb = Sandbox::trained();
    let run = sb.run_dir();

    assert!(run.join("config.toml").is_file(), "no config.toml");
    let metrics = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert!(!metrics.trim().is_empty(), "metrics.jsonl is empty");
    for line in metrics.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("metrics line {line:?} is not JSON: {e}"));
        assert!(v["step"].is_u64(), "metrics line without a step: {line}");
    }
    let pngs = std::fs::read_dir(run.join("samples"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("png".as_ref()))
        .count();
    assert!(pngs >= 1, "no sample picture under samples/");
    let ckpts = checkpoints(&run);
    assert!(!ckpts.is_empty(), "no checkpoint under ckpt/");
    for ckpt in &ckpts {
        for file in ["model.safetensors", "optim-model.safetensors", "state.json"] {
            assert!(ckpt.join(file).is_file(), "{} lacks {file}", ckpt.display());
        }
    }
    assert_eq!(state_step(ckpts.last().unwrap()), 20);

    let run_arg = run.to_str().unwrap();
    let info = sb.genzoo(&["info", run_arg]);
    assert_ok(&info, "genzoo info");
    let text = stdout(&info);
    assert!(
        text.lines()
            .any(|l| l.starts_with("family") && l.contains("vae")),
        "info names no family:\n{text}"
    );
    assert!(
        number_after(&text, "parameters") > 0.0,
        "info shows no parameters"
    );

    for file in ["x.png", "x.npy"] {
        let out = sb.genzoo(&["sample", run_arg, "-n", "100", "--out", file]);
        assert_ok(&out, "genzoo sample");
        assert!(sb.path().join(file).is_file(), "sample wrote no {file}");
    }
    let npy = std::fs::read(sb.path().join("x.npy")).unwrap();
    assert_eq!(npy_rows(&npy), 100);

    let mut args = vec!["eval", run_arg];
    args.extend_from_slice(EVAL_FAST);
    let eval = sb.genzoo(&args);
    assert_ok(&eval, "genzoo eval");
    let text = stdout(&eval);
    let nll_line = text
        .lines()
        .find(|l| l.starts_with("IWAE"))
        .unwrap_or_else(|| panic!("eval prints no IWAE line:\n{text}"));
    let nll: f64 = nll_line
        .split("NLL")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no NLL value on {nll_line:?}"));
    assert!(nll.is_finite(), "NLL {nll}");
    assert!(
        number_after(&text, "oracle") > 0.0,
        "eval prints no oracle NLL for 8gaussians:\n{text}"
    );
}

#[test]
fn resume_continues_and_a_rerun_without_resume_is_refused() {
    let sb = Sandbox::trained();
    let run = sb.run_dir();

    let again = sb.train(&[], &[]);
    assert_fails_with(&again, &["already has checkpoints", "--resume", "--fresh"]);
    assert_eq!(state_step(checkpoints(&run).last().unwrap()), 20);

    let resumed = sb.train(&["--resume"], &["trainer.steps=30"]);
    assert_ok(&resumed, "genzoo train --resume");
    assert_eq!(state_step(checkpoints(&run).last().unwrap()), 30);

    let fresh = sb.train(&["--fresh"], &[]);
    assert_ok(&fresh, "genzoo train --fresh");
    let ckpts = checkpoints(&run);
    assert_eq!(
        state_step(ckpts.last().unwrap()),
        20,
        "--fresh kept the old run's checkpoints: {ckpts:?}"
    );
}

#[test]
fn resume_without_checkpoints_is_refused() {
    let sb = Sandbox::new();
    let out = sb.train(&["--resume"], &[]);
    assert_fails_with(&out, &["--resume", "no checkpoint"]);
}

/// Regression: I/O errors printed their OS message twice ("x: No such file or directory
/// (os error 2): No such file or directory (os error 2)") because the library error both
/// displays and chains its source.
#[test]
fn missing_config_file_is_named_once() {
    let sb = Sandbox::new();
    let out = sb.train(&["nosuch.toml"], &[]);
    assert_fails_with(&out, &["nosuch.toml", "No such file"]);
    assert_eq!(
        stderr(&out).matches("No such file").count(),
        1,
        "the OS error is repeated:\n{}",
        stderr(&out)
    );
    sb.assert_nothing_written();
}

#[test]
fn config_file_with_toml_syntax_error_names_file_and_line() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.path().join("broken.toml"),
        "name = \"broken\"\n[data\nsource = \"toy\"\n",
    )
    .unwrap();
    let out = sb.train(&["broken.toml"], &[]);
    assert_fails_with(&out, &["broken.toml", "line 2"]);
    sb.assert_nothing_written();
}

#[test]
fn unknown_preset_lists_the_presets() {
    let sb = Sandbox::new();
    let out = sb.train(&["--preset", "nosuch"], &[]);
    assert_fails_with(&out, &["unknown preset", "nosuch", "toy_vae"]);
    sb.assert_nothing_written();
}

#[test]
fn negative_learning_rate_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train(&[], &["optim.lr=-1"]);
    assert_fails_with(&out, &["optim.lr", "positive"]);
    sb.assert_nothing_written();
}

#[test]
fn zero_batch_size_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train(&[], &["trainer.batch_size=0"]);
    assert_fails_with(&out, &["trainer.batch_size", ">= 1"]);
    sb.assert_nothing_written();
}

#[test]
fn unknown_family_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train(&[], &["model.family=nosuch"]);
    assert_fails_with(&out, &["nosuch", "model.family", "vae"]);
    sb.assert_nothing_written();
}

#[test]
fn unknown_config_field_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train(&[], &["trainer.bogus=1"]);
    assert_fails_with(&out, &["unknown field", "bogus", "trainer"]);
    sb.assert_nothing_written();
}

#[test]
fn malformed_override_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train(&[], &["noequals"]);
    assert_fails_with(&out, &["noequals", "key.path=value"]);
    sb.assert_nothing_written();
}

#[test]
fn mnist_preset_with_missing_data_dir_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train_without_data("mnist_vae", &[]);
    assert_fails_with(
        &out,
        &["/nonexistent", "does not exist", "GENZOO_MNIST_DIR"],
    );
    sb.assert_nothing_written();
}

#[test]
fn too_large_augmentation_shift_is_rejected() {
    let sb = Sandbox::new();
    let out = sb.train_without_data("mnist_efficientnet", &["data.shift=14"]);
    assert_fails_with(&out, &["data.shift", "at most 13", "14"]);
    sb.assert_nothing_written();
}

/// The diffusion sampler flags: DDPM takes all T steps unless `--steps` says fewer (the
/// skipped chain of Song et al.'s σ̂ row), and an S outside 1..=T is refused.
#[test]
fn diffusion_sampler_steps_on_a_toy_ddpm() {
    let sb = Sandbox::new();
    assert_ok(
        &sb.train(&["--preset", "toy_ddpm"], &[]),
        "genzoo train --preset toy_ddpm",
    );
    let run = sb.runs().join("toy_ddpm");
    let run = run.to_str().unwrap();
    let sample = |extra: &[&str], out: &str| {
        let mut args = vec!["sample", run, "-n", "20", "--out", out];
        args.extend_from_slice(extra);
        sb.genzoo(&args)
    };
    for (extra, steps) in [
        (&["--sampler", "ddpm"][..], "1000 steps"),
        (&["--sampler", "ddpm", "--steps", "10"][..], "10 steps"),
        (
            &["--sampler", "ddpm-tilde", "--steps", "20", "--skip", "quad"][..],
            "20 steps",
        ),
        (
            &["--sampler", "ddim", "--steps", "10", "--eta", "0.5"][..],
            "S=10",
        ),
    ] {
        let out = sample(extra, "x.npy");
        assert_ok(&out, &format!("genzoo sample {extra:?}"));
        assert!(
            stderr(&out).contains(steps),
            "{extra:?} did not run {steps}:\n{}",
            stderr(&out)
        );
        assert_eq!(
            npy_rows(&std::fs::read(sb.path().join("x.npy")).unwrap()),
            20
        );
    }
    for bad in ["0", "1001"] {
        let out = sample(&["--sampler", "ddpm", "--steps", bad], "y.npy");
        assert_fails_with(&out, &["sampler.steps", "1..=1000", bad]);
    }
}

/// The sampler flags choose among step-by-step samplers; a family that draws in one pass
/// refuses them, naming itself.
#[test]
fn sampler_flags_are_refused_by_a_one_pass_family() {
    let sb = Sandbox::trained();
    let run = sb.run_dir();
    let run = run.to_str().unwrap();
    for flags in [
        &["--sampler", "ddim"][..],
        &["--steps", "10"],
        &["--invert", "4"],
    ] {
        let mut args = vec!["sample", run, "--out", "x.png"];
        args.extend_from_slice(flags);
        assert_fails_with(&sb.genzoo(&args), &["--sampler", "a vae draws", "one pass"]);
    }
    // Typed values: a sampler that does not exist is clap's error (status 2), listing them.
    let out = sb.genzoo(&["sample", run, "--sampler", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ddpm-tilde"), "{}", stderr(&out));
}

/// `genzoo sample --help` lists the sampler options and their values as options of sampling,
/// not of one family.
#[test]
fn sample_help_lists_the_sampler_options_without_naming_a_family() {
    let sb = Sandbox::new();
    let out = sb.genzoo(&["sample", "--help"]);
    assert_ok(&out, "genzoo sample --help");
    let text = stdout(&out);
    for needle in [
        "--sampler",
        "--steps",
        "--eta",
        "--skip",
        "--invert",
        "ddpm-tilde",
        "uniform",
        "quad",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
    for family in ["iffusion", "DDPM"] {
        assert!(!text.contains(family), "{family:?} in:\n{text}");
    }
}

#[test]
fn eval_sample_info_on_a_missing_path_name_it() {
    let sb = Sandbox::new();
    let missing = sb.path().join("no-such-run");
    let missing = missing.to_str().unwrap();
    for args in [
        vec!["eval", missing, "--k", "5", "--examples", "50"],
        vec!["sample", missing, "--out", "x.png"],
        vec!["info", missing],
    ] {
        let out = sb.genzoo(&args);
        assert_fails_with(&out, &[missing, "does not exist"]);
    }
}

#[test]
fn directory_without_checkpoints_is_explained() {
    let sb = Sandbox::new();
    let empty = sb.path().to_str().unwrap();
    let out = sb.genzoo(&["info", empty]);
    assert_fails_with(&out, &["no state.json", "ckpt/"]);
}

#[test]
fn info_on_checkpoint_with_garbage_state_says_corrupt() {
    let sb = Sandbox::trained();
    let ckpt = checkpoints(&sb.run_dir()).pop().unwrap();
    std::fs::write(ckpt.join("state.json"), "this is not json {").unwrap();
    let out = sb.genzoo(&["info", ckpt.to_str().unwrap()]);
    assert_fails_with(&out, &["state.json", "corrupt"]);
}

#[test]
fn truncated_weights_are_reported_by_info_and_sample() {
    let sb = Sandbox::trained();
    let ckpt = checkpoints(&sb.run_dir()).pop().unwrap();
    let weights = ckpt.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..10]).unwrap();

    let out = sb.genzoo(&["info", ckpt.to_str().unwrap()]);
    assert_fails_with(&out, &["model.safetensors", "not a valid safetensors"]);
    let run = sb.run_dir();
    let out = sb.genzoo(&["sample", run.to_str().unwrap(), "--out", "x.png"]);
    assert_fails_with(&out, &["model.safetensors", "not a valid safetensors"]);
}

#[test]
fn data_unknown_toy_lists_the_toys() {
    let sb = Sandbox::new();
    let out = sb.genzoo(&["data", "nosuchtoy"]);
    assert_fails_with(&out, &["nosuchtoy", "8gaussians"]);
}

#[test]
fn data_mnist_in_empty_dir_names_the_missing_file() {
    let sb = Sandbox::new();
    let empty = tempfile::tempdir().unwrap();
    let out = sb.genzoo(&["data", "mnist", "--dir", empty.path().to_str().unwrap()]);
    assert_fails_with(&out, &["missing data file", "train-images-idx3-ubyte"]);
}

#[test]
fn data_toy_draws_and_writes_pictures() {
    let sb = Sandbox::new();
    let out = sb.genzoo(&["data", "8gaussians", "-n", "500", "--out", "toy.png"]);
    assert_ok(&out, "genzoo data 8gaussians");
    assert!(stdout(&out).contains("500 points"), "{}", stdout(&out));
    assert!(sb.path().join("toy.png").is_file());
    assert!(sb.path().join("toy-density.png").is_file());
}

#[test]
fn help_of_every_subcommand_shows_its_flags() {
    let sb = Sandbox::new();
    for (sub, flag) in [
        ("train", "--resume"),
        ("sample", "--out"),
        ("eval", "--examples"),
        ("info", "<CHECKPOINT>"),
        ("data", "--split"),
        ("presets", "--help"),
    ] {
        let out = sb.genzoo(&[sub, "--help"]);
        assert_ok(&out, &format!("genzoo {sub} --help"));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("genzoo {sub}")) && text.contains(flag),
            "`genzoo {sub} --help` does not show {flag}:\n{text}"
        );
    }
}

#[test]
fn presets_lists_every_config() {
    let sb = Sandbox::new();
    let out = sb.genzoo(&["presets"]);
    assert_ok(&out, "genzoo presets");
    for name in ["toy_vae", "mnist_vae", "mnist_vae_conv"] {
        assert!(stdout(&out).contains(name), "presets omits {name}");
    }
}

#[test]
fn data_mnist_test_split_when_available() {
    let Some(dir) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!("SKIPPED data_mnist_test_split_when_available: GENZOO_MNIST_DIR not set");
        return;
    };
    let sb = Sandbox::new();
    let out = Command::new(env!("CARGO_BIN_EXE_genzoo"))
        .args(["data", "mnist", "--split", "test", "--out", "grid.png"])
        .current_dir(sb.path())
        .env("GENZOO_MNIST_DIR", dir)
        .output()
        .unwrap();
    assert_ok(&out, "genzoo data mnist --split test");
    assert!(
        stdout(&out).contains("10000 images"),
        "test split is not 10000 images:\n{}",
        stdout(&out)
    );
    assert!(sb.path().join("grid.png").is_file(), "no grid.png");
}

#[test]
fn mnist_vae_pictures_when_available() {
    let Some(dir) = std::env::var_os("GENZOO_MNIST_DIR") else {
        eprintln!("SKIPPED mnist_vae_pictures_when_available: GENZOO_MNIST_DIR not set");
        return;
    };
    let dir = dir.to_string_lossy().into_owned();
    let sb = Sandbox::new();
    let train = sb.genzoo(&[
        "train",
        "--preset",
        "mnist_vae",
        "--data-dir",
        &dir,
        "--set",
        "model.latent=2",
        "--set",
        "trainer.steps=20",
        "--set",
        "trainer.log_every=10",
        "--set",
        "trainer.eval_every=20",
        "--set",
        "trainer.eval_examples=200",
        "--set",
        "trainer.sample_every=20",
        "--set",
        "trainer.checkpoint_every=20",
    ]);
    assert_ok(&train, "genzoo train --preset mnist_vae (latent 2)");
    let out = sb.genzoo(&[
        "sample",
        "runs/mnist_vae",
        "--data-dir",
        &dir,
        "-n",
        "16",
        "--out",
        "s.png",
        "--reconstructions",
        "r.png",
        "--manifold",
        "m.png",
        "--manifold-size",
        "5",
    ]);
    assert_ok(&out, "genzoo sample with reconstructions and manifold");
    for f in ["s.png", "r.png", "m.png", "runs/mnist_vae/curves.png"] {
        assert!(sb.path().join(f).is_file(), "{f} not written");
    }
    let eval = sb.genzoo(&[
        "eval",
        "runs/mnist_vae",
        "--data-dir",
        &dir,
        "--k",
        "3",
        "--examples",
        "20",
    ]);
    assert_ok(&eval, "genzoo eval on MNIST");
    assert!(stdout(&eval).contains("bits/dim"), "{}", stdout(&eval));
}

/// `genzoo … | head`: a reader that goes away early is not a panic.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_genzoo"))
        .args(["rf", "--preset", "inception_v3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101));
}

/// Every tensor of every safetensors file of a checkpoint: `(file, name, dtype, shape, bytes)`,
/// sorted. (The files' metadata is a hash map whose order varies between processes, so the
/// files are compared tensor by tensor, not byte for byte.)
fn checkpoint_tensors(ckpt: &Path) -> Vec<(String, String, String, String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(ckpt).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "safetensors") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
        let data = &bytes[8 + n..];
        for (name, info) in header.as_object().unwrap() {
            if name == "__metadata__" {
                continue;
            }
            let offsets = &info["data_offsets"];
            let (lo, hi) = (
                offsets[0].as_u64().unwrap() as usize,
                offsets[1].as_u64().unwrap() as usize,
            );
            out.push((
                file.clone(),
                name.clone(),
                info["dtype"].to_string(),
                info["shape"].to_string(),
                data[lo..hi].to_vec(),
            ));
        }
    }
    out.sort();
    out
}

/// A GAN on the ring: two optimiser groups with different learning rates, spectral norm and
/// packing; 10 steps + resume + 10 steps writes the same weights, power-iteration state and
/// Adam moments, bit for bit, as 20 steps; `genzoo eval` counts its modes.
#[test]
fn gan_two_groups_resume_exactly_and_eval_counts_modes() {
    let gan: &[&str] = &[
        "model.gen_hidden=[32, 32]",
        "model.disc_hidden=[32]",
        "model.spectral_norm=true",
        "model.pack=2",
        "trainer.batch_size=16",
        "optim.disc.lr=4e-4",
    ];
    let run = |sb: &Sandbox, extra: &[&str], steps: &str| {
        let mut sets: Vec<&str> = gan.to_vec();
        sets.push(steps);
        let mut args = vec!["--preset", "toy_gan_ring"];
        args.extend_from_slice(extra);
        let out = sb.train(&args, &sets);
        assert_ok(&out, "genzoo train --preset toy_gan_ring");
    };
    let straight = Sandbox::new();
    run(&straight, &[], "trainer.steps=20");
    let split = Sandbox::new();
    run(&split, &[], "trainer.steps=10");
    run(&split, &["--resume"], "trainer.steps=20");
    let last = |sb: &Sandbox| checkpoints(&sb.runs().join("toy_gan_ring")).pop().unwrap();
    let (a, b) = (last(&straight), last(&split));
    assert_eq!(state_step(&a), 20);
    assert_eq!(state_step(&b), 20);
    let (ta, tb) = (checkpoint_tensors(&a), checkpoint_tensors(&b));
    let files: std::collections::BTreeSet<&str> = ta.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(
        files.len(),
        3,
        "weights and one optimiser file per group: {files:?}"
    );
    assert!(
        ta.iter().any(|t| t.1.ends_with("sn.u")),
        "the power-iteration state is saved"
    );
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!((&x.0, &x.1, &x.2, &x.3), (&y.0, &y.1, &y.2, &y.3));
        assert!(x.4 == y.4, "{} {} differs after resume", x.0, x.1);
    }
    let run_dir = straight.runs().join("toy_gan_ring");
    let out = straight.genzoo(&["eval", run_dir.to_str().unwrap(), "--examples", "500"]);
    assert_ok(&out, "genzoo eval on a GAN");
    let text = stdout(&out);
    assert!(
        text.contains("modes") && text.contains("/8 covered"),
        "{text}"
    );
    // Latent interpolation: one path per pair of codes through the generator.
    let pic = straight.path().join("interp.png");
    let out = straight.genzoo(&[
        "sample",
        run_dir.to_str().unwrap(),
        "-n",
        "100",
        "--out",
        straight.path().join("s.png").to_str().unwrap(),
        "--interpolate",
        pic.to_str().unwrap(),
        "--interpolate-rows",
        "4",
    ]);
    assert_ok(&out, "genzoo sample --interpolate on a GAN");
    assert!(pic.is_file());
}

/// The reflow chain end to end: a rectified flow, its pairs drawn in chunks (a lost chunk is
/// redrawn identically, other pairs in the same place are refused), the 2-rectified flow
/// trained on them from the first flow's weights, and `eval`'s energy distance and
/// straightness report.
#[test]
fn rectified_flow_pairs_reflow_and_eval() {
    let sb = Sandbox::new();
    let small = ["model.hidden=[32, 32]", "trainer.batch_size=64"];
    let out = sb.train(&["--preset", "toy_rf"], &small);
    assert_ok(&out, "genzoo train --preset toy_rf");
    let pairs_dir = sb.runs().join("toy_rf_pairs");
    let draw = |count: &str| {
        sb.genzoo(&[
            "pairs",
            "runs/toy_rf",
            "--out",
            "runs/toy_rf_pairs",
            "--count",
            count,
            "--chunk",
            "600",
            "--sampler",
            "euler",
            "--steps",
            "4",
        ])
    };
    assert_ok(&draw("1500"), "genzoo pairs");
    let chunk = |k: usize| pairs_dir.join(format!("chunk_{k:05}.npy"));
    let before = std::fs::read(chunk(1)).unwrap();
    assert_eq!(npy_rows(&before), 600);
    assert_eq!(npy_rows(&std::fs::read(chunk(2)).unwrap()), 300);
    std::fs::remove_file(chunk(1)).unwrap();
    let again = draw("1500");
    assert_ok(&again, "genzoo pairs, resumed");
    assert!(
        stdout(&again).contains("600 new pairs"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        std::fs::read(chunk(1)).unwrap(),
        before,
        "a redrawn chunk differs"
    );
    assert_fails_with(&draw("3000"), &["describes other pairs"]);

    let reflow = |sets: &[&str]| {
        let mut args = vec!["train", "--preset", "toy_rf_reflow", "--runs", "runs"];
        for s in small
            .iter()
            .chain(&[
                "trainer.steps=20",
                "trainer.log_every=10",
                "data.eval_size=300",
            ])
            .chain(sets)
        {
            args.extend(["--set", s]);
        }
        sb.genzoo(&args)
    };
    let out = reflow(&[]);
    assert_ok(&out, "genzoo train --preset toy_rf_reflow");
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("starting from the EMA weights"), "{said}");
    assert_fails_with(
        &reflow(&["name=\"wrong\"", "model.coupling=\"independent\""]),
        &["coupling"],
    );

    let out = sb.genzoo(&["eval", "runs/toy_rf_reflow", "--examples", "200"]);
    assert_ok(&out, "genzoo eval on a rectified flow");
    let text = stdout(&out);
    for needle in ["euler N=1", "rk45", "energy distance", "straightness"] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
}

/// `--interpolate` needs a generator with a latent prior; a VAE run is refused by name.
#[test]
fn interpolation_is_refused_without_a_latent_generator() {
    let sb = Sandbox::trained();
    let out = sb.genzoo(&[
        "sample",
        sb.run_dir().to_str().unwrap(),
        "--out",
        "s.png",
        "--interpolate",
        "i.png",
    ]);
    assert_fails_with(&out, &["--interpolate", "vae"]);
    assert!(!sb.path().join("i.png").exists() && !sb.path().join("s.png").exists());
}

/// `genzoo probe` takes representation runs only: a VAE is refused by name, before any probe.
#[test]
fn probe_refuses_a_run_without_a_representation() {
    let sb = Sandbox::trained();
    let out = sb.genzoo(&["probe", sb.run_dir().to_str().unwrap()]);
    assert_fails_with(&out, &["no representation to probe", "vae"]);
    let out = sb.genzoo(&["probe", sb.run_dir().to_str().unwrap(), "--fractions", "0"]);
    assert_fails_with(&out, &["--fractions"]);
}
