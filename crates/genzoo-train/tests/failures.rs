//! Divergence, interruption and bad configs: clear outcomes, checkpoints never lost.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{TOY, config, train};
use genzoo_train::checkpoint;
use genzoo_train::data::load;
use genzoo_train::{Outcome, TrainConfig};

#[test]
fn divergence_stops_and_keeps_the_last_good_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let good = config(TOY, &["trainer.steps=10"]);
    let splits = load(&good.data, good.seed).unwrap();
    assert!(matches!(
        train(&good, &splits, dir.path(), false, false),
        Outcome::Finished { .. }
    ));
    let ckpt = dir.path().join("ckpt");
    let before = std::fs::read(checkpoint::step_dir(&ckpt, 10).join("model.safetensors")).unwrap();
    // An absurd learning rate without clipping blows the weights up within a few steps.
    let bad = config(
        TOY,
        &["optim.lr=1e30", "optim.warmup_steps=0", "trainer.steps=40"],
    );
    let mut bad = bad;
    bad.optim.shared.grad_clip = None;
    match train(&bad, &splits, dir.path(), true, false) {
        Outcome::Diverged {
            step,
            last_checkpoint,
            ..
        } => {
            assert!((10..40).contains(&step));
            assert_eq!(last_checkpoint, Some(10));
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert_eq!(checkpoint::list(&ckpt).unwrap(), vec![10]);
    let after = std::fs::read(checkpoint::step_dir(&ckpt, 10).join("model.safetensors")).unwrap();
    assert_eq!(before, after, "the last good checkpoint must be untouched");
}

#[test]
fn a_stop_request_saves_and_reports_interruption() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(TOY, &[]);
    let splits = load(&c.data, c.seed).unwrap();
    assert_eq!(
        train(&c, &splits, dir.path(), false, true),
        Outcome::Interrupted { step: 0 }
    );
    assert_eq!(checkpoint::list(&dir.path().join("ckpt")).unwrap(), vec![0]);
    // And the saved run resumes to the end.
    assert!(matches!(
        train(&c, &splits, dir.path(), true, false),
        Outcome::Finished { step: 40, .. }
    ));
}

#[test]
fn checkpoints_are_pruned_but_the_best_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(TOY, &["trainer.keep_checkpoints=1"]);
    let splits = load(&c.data, c.seed).unwrap();
    train(&c, &splits, dir.path(), false, false);
    let steps = checkpoint::list(&dir.path().join("ckpt")).unwrap();
    let state =
        checkpoint::read_state(&checkpoint::step_dir(&dir.path().join("ckpt"), 40)).unwrap();
    let best = state.best.unwrap().step;
    assert!(
        steps.contains(&40) && steps.contains(&best),
        "{steps:?}, best {best}"
    );
    assert!(steps.len() <= 2);
    // A run directory names its best checkpoint for eval and sample, its newest with --latest.
    let ckpt = dir.path().join("ckpt");
    assert_eq!(
        checkpoint::resolve(dir.path(), true).unwrap(),
        checkpoint::step_dir(&ckpt, best)
    );
    assert_eq!(
        checkpoint::resolve(dir.path(), false).unwrap(),
        checkpoint::step_dir(&ckpt, 40)
    );
    // No temporary directories are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("ckpt"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with(".tmp").then_some(n)
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn err(text: &str, overrides: &[&str]) -> String {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    TrainConfig::from_toml(text, Path::new("test.toml"), &o)
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_configs_are_refused_with_the_field_named() {
    assert!(err(TOY, &["optim.lr=-1"]).contains("optim.lr"));
    assert!(err(TOY, &["trainer.batch_size=0"]).contains("batch_size"));
    assert!(err(TOY, &["model.family=\"nosuch\""]).contains("nosuch"));
    assert!(err(TOY, &["trainer.bogus=1"]).contains("bogus"));
    assert!(err(TOY, &["model.bogus=1"]).contains("bogus"));
    assert!(err(TOY, &["data.toy=\"nosuch\""]).contains("nosuch"));
    assert!(err(TOY, &["trainer.ema_decay=1.5"]).contains("ema_decay"));
    assert!(err(TOY, &["noequals"]).contains("noequals"));
    assert!(err("name = [", &[]).contains("test.toml"));
}

#[test]
fn overrides_reach_typed_fields() {
    let c = config(
        TOY,
        &["optim.lr=3e-4", "model.hidden=[8, 8, 8]", "name=other"],
    );
    assert_eq!(c.optim.shared.lr, 3e-4);
    assert_eq!(c.name, "other");
    let genzoo_models::ModelConfig::Vae(v) = &c.model else {
        panic!("a VAE config")
    };
    assert_eq!(v.hidden, vec![8, 8, 8]);
    // The resolved config round-trips through TOML unchanged.
    let again = TrainConfig::from_toml(&c.to_toml().unwrap(), Path::new("x"), &[]).unwrap();
    assert_eq!(again, c);
}
