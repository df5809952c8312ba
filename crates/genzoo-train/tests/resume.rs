//! N steps + checkpoint + resume + M steps must equal N+M uninterrupted steps, bit for bit.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{TOY, config, train};
use genzoo_data::{ImageView, Images, Split};
use genzoo_models::{DataKind, DataSpec};
use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE};
use genzoo_train::data::{Augment, DataSource, Splits, load};
use genzoo_train::{Outcome, tensors};

fn files_equal(a: &Path, b: &Path, name: &str) {
    let (ta, tb) = (
        tensors::load(&a.join(name)).unwrap(),
        tensors::load(&b.join(name)).unwrap(),
    );
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.name, y.name);
        assert!(
            x.values == y.values,
            "{name}: tensor {} differs after resume",
            x.name
        );
    }
    // The files too, byte for byte: the header's metadata is written in a fixed order.
    assert!(
        std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
        "{name}: the files differ"
    );
}

/// Two identical runs write identical files: weights, EMA, optimiser state (the feature net is
/// named by the SHA-256 of its weights, so that name must not drift).
#[test]
fn identical_runs_write_identical_bytes() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let c = config(TOY, &["trainer.steps=10"]);
    let splits = load(&c.data, c.seed).unwrap();
    for d in &dirs {
        assert!(matches!(
            train(&c, &splits, d.path(), false, false),
            Outcome::Finished { step: 10, .. }
        ));
    }
    let a = checkpoint::step_dir(&dirs[0].path().join("ckpt"), 10);
    let b = checkpoint::step_dir(&dirs[1].path().join("ckpt"), 10);
    for name in [MODEL_FILE, EMA_FILE, &checkpoint::optim_file("model")] {
        files_equal(&a, &b, name);
    }
}

fn check_resume(text: &str, splits: &Splits, overrides: &[&str]) {
    let full_dir = tempfile::tempdir().unwrap();
    let split_dir = tempfile::tempdir().unwrap();
    let mut full_over = overrides.to_vec();
    full_over.push("trainer.steps=40");
    let full = config(text, &full_over);
    assert!(matches!(
        train(&full, splits, full_dir.path(), false, false),
        Outcome::Finished { step: 40, .. }
    ));

    let mut first_over = overrides.to_vec();
    first_over.push("trainer.steps=20");
    // The first half must use the same schedule as the whole run: the cosine decay depends on
    // the total, so the first half runs the 40-step config and is interrupted at step 20.
    let first = config(text, &first_over);
    assert!(matches!(
        train(&first, splits, split_dir.path(), false, false),
        Outcome::Finished { step: 20, .. }
    ));
    assert!(matches!(
        train(&full, splits, split_dir.path(), true, false),
        Outcome::Finished { step: 40, .. }
    ));

    let a = checkpoint::step_dir(&full_dir.path().join("ckpt"), 40);
    let b = checkpoint::step_dir(&split_dir.path().join("ckpt"), 40);
    files_equal(&a, &b, MODEL_FILE);
    files_equal(&a, &b, EMA_FILE);
    files_equal(&a, &b, &checkpoint::optim_file("model"));
    let (sa, sb) = (
        checkpoint::read_state(&a).unwrap(),
        checkpoint::read_state(&b).unwrap(),
    );
    assert_eq!(
        (sa.step, sa.cursor, &sa.optim_steps, sa.ema_updates),
        (sb.step, sb.cursor, &sb.optim_steps, sb.ema_updates)
    );
}

#[test]
fn resume_is_bit_exact_on_a_toy() {
    // Constant learning rate after warm-up so that a 20-step run and the first 20 steps of a
    // 40-step run see the same rates.
    let c = config(TOY, &[]);
    let splits = load(&c.data, c.seed).unwrap();
    check_resume(TOY, &splits, &["optim.decay=\"constant\""]);
}

/// Dynamic binarisation redraws every epoch; 40 steps of 64 over 150 images cross many epochs.
/// Random shifts of the training images (redrawn every epoch too) are on as well.
#[test]
fn resume_is_bit_exact_across_epochs_with_dynamic_binarisation_and_shifts() {
    let n = 150;
    let pixels: Vec<u8> = (0..n * 64).map(|i| ((i * 37) % 256) as u8).collect();
    let images = Images::new(n, 8, 8, pixels).unwrap();
    let source = |split| DataSource::Images {
        images: images.clone(),
        view: ImageView::BinaryDynamic,
        split,
        seed: 3,
    };
    let splits = Splits {
        spec: DataSpec {
            example_shape: vec![1, 8, 8],
            kind: DataKind::Binary,
        },
        train: source(Split::Train),
        valid: source(Split::Valid),
        test: source(Split::Test),
        toy: None,
        view: Some(ImageView::BinaryDynamic),
        labels: None,
        sources: None,
        augment: Some(Augment {
            max_shift: 2,
            fill: 0.0,
            seed: 3,
        }),
    };
    check_resume(TOY, &splits, &["optim.decay=\"constant\""]);
}
