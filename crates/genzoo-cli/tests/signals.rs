//! SIGTERM — what schedulers, `timeout` and container runtimes send — stops training as Ctrl-C
//! does: a checkpoint at the step reached, exit status 130, and `--resume` continues from it.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

mod common;

#[test]
fn sigterm_saves_a_checkpoint_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let sets = [
        "trainer.steps=100000000",
        "trainer.log_every=20",
        "trainer.eval_every=100000000",
        "trainer.sample_every=0",
        "trainer.checkpoint_every=100000000",
    ];
    let mut args = vec!["train", "--preset", "toy_vae"];
    for s in &sets {
        args.extend(["--set", s]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_genzoo"))
        .args(&args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the genzoo binary starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    // Wait for the first logged step: training has started and the handler is installed.
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = stderr.read_line(&mut line).expect("stderr is readable");
        assert!(n > 0, "training ended before its first step:\n{seen}");
        seen.push_str(&line);
        if line.starts_with("step") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    stderr
        .read_to_string(&mut seen)
        .expect("stderr is readable");
    let status = child.wait().expect("the child ends");
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("stopped at step"), "{seen}");
    let ckpts: Vec<_> = std::fs::read_dir(dir.path().join("runs/toy_vae/ckpt"))
        .expect("a checkpoint directory")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("step-"))
        .collect();
    assert_eq!(ckpts.len(), 1, "{seen}");
    // And the run resumes from it.
    let out = common::genzoo(
        dir.path(),
        &[
            "train",
            "--preset",
            "toy_vae",
            "--resume",
            "--set",
            "trainer.steps=1",
        ],
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains("resuming from"),
        "{text}"
    );
}
