//! Optimiser groups with settings of their own (`[optim.gen]`, `[optim.disc]`): a two-part
//! family is stepped by one Adam per group at the group's own learning rate, its checkpoints keep
//! each group's moments, and N steps + resume + M steps equals N+M steps bit for bit.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::softplus;
use common::{TOY, device};
use genzoo_models::{Batch, Family, Metrics, ModelError, Optimizers, StepCx};
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{deterministic_init, named_params};
use genzoo_train::checkpoint::{self, EMA_FILE, MODEL_FILE};
use genzoo_train::config::apply_override;
use genzoo_train::data::{Splits, load};
use genzoo_train::report::Silent;
use genzoo_train::run::RunDir;
use genzoo_train::trainer::no_pictures;
use genzoo_train::{Outcome, TrainConfig, Trainer, tensors};

/// A run of the two-group family below. `[optim]` is shared; each group changes its rate, the
/// generator warms up over 2 steps and the discriminator keeps a β₂ of its own.
const GAN: &str = r#"
name = "gan"
seed = 5
[data]
source = "toy"
toy = "8gaussians"
train_size = 500
eval_size = 200
# The trainer is handed the test's family directly; `[model]` only has to parse.
[model]
family = "vae"
hidden = [4]
latent = 2
[optim]
lr = 1e-3
beta1 = 0.5
decay = "constant"
[optim.gen]
lr = 3e-3
warmup_steps = 2
[optim.disc]
lr = 5e-4
beta2 = 0.99
[trainer]
steps = 40
batch_size = 64
log_every = 10
eval_every = 10
sample_every = 0
checkpoint_every = 10
keep_checkpoints = 2
ema_decay = 0.9
"#;

/// Learning rate of the generator's first step: 3e-3 · 1/2 (warm-up).
const GEN_FIRST_LR: f64 = 1.5e-3;
/// The discriminator's learning rate (no warm-up).
const DISC_LR: f64 = 5e-4;
/// The shared rate, which neither group may use.
const SHARED_LR: f64 = 1e-3;

/// Index of the generator's group in [`TinyGan::GROUPS`].
const GEN: usize = 0;
/// Index of the discriminator's group.
const DISC: usize = 1;

/// A GAN on 2-D points, as small as one gets: an affine generator `z ↦ Az + b` and a logistic
/// discriminator `x ↦ σ(wᵀx + c)`, trained with the non-saturating losses of Goodfellow et al.
/// (2014), each part stepped by its own optimiser group.
#[derive(Module, Debug)]
struct TinyGan {
    generator: Linear,
    discriminator: Linear,
}

impl TinyGan {
    fn new(seed: u64) -> Self {
        let d = device();
        let gan = TinyGan {
            generator: LinearConfig::new(2, 2).init(&d),
            discriminator: LinearConfig::new(2, 1).init(&d),
        };
        deterministic_init(gan, seed).unwrap()
    }
}

/// `−log D(x) − log(1 − D(x̃))` averaged, with `D = σ(logit)`: `softplus(−l) = −log σ(l)`.
///
/// # Shapes
/// `real, fake: [B, 2]` → `[1]`.
fn disc_loss(disc: &Linear, real: Tensor<2>, fake: Tensor<2>) -> Tensor<1> {
    let real = softplus(disc.forward(real).neg(), 1.0).mean();
    real + softplus(disc.forward(fake), 1.0).mean()
}

fn value(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

impl Family for TinyGan {
    const GROUPS: &'static [&'static str] = &["gen", "disc"];
    const NAME: &'static str = "tinygan";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        let TinyGan {
            generator,
            discriminator,
        } = self;
        let z = standard_normal(batch.x.dims(), cx.rng, &batch.x.device()); // [B, 2]
        // The discriminator's step, on generated points held fixed.
        let fake = generator.forward(z.clone()).detach();
        let d_loss = disc_loss(&discriminator, batch.x.clone(), fake);
        let grads = GradientsParams::from_grads(d_loss.backward(), &discriminator);
        let (discriminator, _) = optim.groups[DISC].step(discriminator, grads);
        // The generator's step through the updated discriminator: −log D(G(z)).
        let g_loss = softplus(discriminator.forward(generator.forward(z)).neg(), 1.0).mean();
        let grads = GradientsParams::from_grads(g_loss.backward(), &generator);
        let (generator, _) = optim.groups[GEN].step(generator, grads);
        let (d, g) = (value(d_loss), value(g_loss));
        let model = TinyGan {
            generator,
            discriminator,
        };
        Ok((model, vec![("loss", d + g), ("d_loss", d), ("g_loss", g)]))
    }

    fn eval_step(&self, batch: &Batch, cx: &mut StepCx) -> Result<Metrics, ModelError> {
        let z = standard_normal(batch.x.dims(), cx.rng, &batch.x.device()); // [B, 2]
        let fake = self.generator.forward(z);
        let d = value(disc_loss(&self.discriminator, batch.x.clone(), fake));
        Ok(vec![("d_loss", d)])
    }
}

/// The GAN config with `overrides`. Parsed without [`TrainConfig::validate`], which checks the
/// group tables against `[model]`'s family; the trainer checks them against [`TinyGan`]'s.
fn gan_config(overrides: &[&str]) -> TrainConfig {
    let mut table: toml::Table = toml::from_str(GAN).unwrap();
    for o in overrides {
        apply_override(&mut table, o).unwrap();
    }
    toml::Value::Table(table).try_into().unwrap()
}

fn train_gan(config: &TrainConfig, splits: &Splits, root: &Path, resume: bool) -> Outcome {
    let mut silent = Silent;
    let stop = Arc::new(AtomicBool::new(false));
    let mut t = Trainer::new(
        config,
        RunDir::new(root),
        splits,
        device(),
        stop,
        &mut silent,
    );
    t.train(TinyGan::new(config.seed), resume, no_pictures)
        .unwrap()
        .1
}

/// Every tensor of `name` in checkpoints `a` and `b`, bit for bit.
fn files_equal(a: &Path, b: &Path, name: &str) {
    let (ta, tb) = (
        tensors::load(&a.join(name)).unwrap(),
        tensors::load(&b.join(name)).unwrap(),
    );
    assert!(!ta.is_empty(), "{name} holds no tensors");
    assert_eq!(ta.len(), tb.len());
    for (x, y) in ta.iter().zip(&tb) {
        assert_eq!(x.name, y.name);
        assert!(
            x.values == y.values,
            "{name}: tensor {} differs after resume",
            x.name
        );
    }
}

#[test]
fn two_groups_with_their_own_learning_rates_resume_bit_exactly() {
    let full = gan_config(&[]);
    let splits = load(&full.data, full.seed).unwrap();
    let (full_dir, split_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(matches!(
        train_gan(&full, &splits, full_dir.path(), false),
        Outcome::Finished { step: 40, .. }
    ));
    // The first half with the whole run's schedule (constant after each group's warm-up).
    let first = gan_config(&["trainer.steps=20"]);
    assert!(matches!(
        train_gan(&first, &splits, split_dir.path(), false),
        Outcome::Finished { step: 20, .. }
    ));
    assert!(matches!(
        train_gan(&full, &splits, split_dir.path(), true),
        Outcome::Finished { step: 40, .. }
    ));
    let a = checkpoint::step_dir(&full_dir.path().join("ckpt"), 40);
    let b = checkpoint::step_dir(&split_dir.path().join("ckpt"), 40);
    files_equal(&a, &b, MODEL_FILE);
    files_equal(&a, &b, EMA_FILE);
    // Each group's moments in a file of its own.
    files_equal(&a, &b, &checkpoint::optim_file("gen"));
    files_equal(&a, &b, &checkpoint::optim_file("disc"));
    let (sa, sb) = (
        checkpoint::read_state(&a).unwrap(),
        checkpoint::read_state(&b).unwrap(),
    );
    assert_eq!(
        sa.optim_steps,
        vec![("gen".to_string(), 40), ("disc".to_string(), 40)]
    );
    assert_eq!(
        (sa.step, sa.cursor, &sa.optim_steps, sa.ema_updates),
        (sb.step, sb.cursor, &sb.optim_steps, sb.ema_updates)
    );
    // The log names each group's rate after warm-up.
    let log = std::fs::read_to_string(full_dir.path().join("metrics.jsonl")).unwrap();
    let line: serde_json::Value = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["split"] == "train" && v["step"] == 10)
        .unwrap();
    assert_eq!(line["lr_gen"].as_f64(), Some(3e-3));
    assert_eq!(line["lr_disc"].as_f64(), Some(DISC_LR));
}

/// Adam's first update moves every parameter by `lr · g/(|g| + ε)` (m̂ = g, v̂ = g²): by the
/// learning rate itself wherever the gradient is not tiny. So after one step the largest move
/// in each part is its group's rate, which tells the groups apart.
#[test]
fn each_group_steps_at_its_own_learning_rate() {
    let config = gan_config(&["trainer.steps=1"]);
    let splits = load(&config.data, config.seed).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let before = named_params(&TinyGan::new(config.seed)).unwrap();
    assert!(matches!(
        train_gan(&config, &splits, dir.path(), false),
        Outcome::Finished { step: 1, .. }
    ));
    let ckpt = checkpoint::step_dir(&dir.path().join("ckpt"), 1);
    let after = tensors::load(&ckpt.join(MODEL_FILE)).unwrap();
    assert_eq!(before.len(), after.len());
    let largest_move = |part: &str| {
        let mut largest = 0.0f64;
        for x in before.iter().filter(|x| x.name.starts_with(part)) {
            let y = after.iter().find(|y| y.name == x.name).unwrap();
            for (u, v) in x.values.iter().zip(&y.values) {
                largest = largest.max(f64::from((u - v).abs()));
            }
        }
        largest
    };
    for (part, lr) in [("generator.", GEN_FIRST_LR), ("discriminator.", DISC_LR)] {
        let moved = largest_move(part);
        assert!(
            (moved - lr).abs() < 1e-3 * lr,
            "{part} moved by {moved:e}, its group's rate is {lr:e} (shared {SHARED_LR:e})"
        );
    }
}

#[test]
fn a_group_table_must_name_a_group_of_the_family() {
    // The trainer checks against the family it is handed.
    let config = gan_config(&["optim.nosuch.lr=1e-3"]);
    let splits = load(&config.data, config.seed).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut silent = Silent;
    let mut t = Trainer::new(
        &config,
        RunDir::new(dir.path()),
        &splits,
        device(),
        Arc::new(AtomicBool::new(false)),
        &mut silent,
    );
    let err = t
        .train(TinyGan::new(config.seed), false, no_pictures)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    for needle in ["optim.nosuch", "tinygan", "gen, disc"] {
        assert!(err.contains(needle), "no {needle:?} in {err:?}");
    }
    assert!(!dir.path().join("config.toml").exists(), "wrote a run");

    // Config validation checks against `[model]`'s family: a VAE has the one group "model".
    let parse = |overrides: &[&str]| {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        TrainConfig::from_toml(TOY, Path::new("test.toml"), &o)
    };
    let err = parse(&["optim.gen.lr=4e-4"]).err().unwrap().to_string();
    for needle in ["optim.gen", "vae", "its groups: model"] {
        assert!(err.contains(needle), "no {needle:?} in {err:?}");
    }
    let err = parse(&["optim.model.bogus=1"]).err().unwrap().to_string();
    assert!(
        err.contains("optim.model") && err.contains("bogus"),
        "{err}"
    );
    let err = parse(&["optim.model.lr=-1"]).err().unwrap().to_string();
    assert!(err.contains("optim.model.lr"), "{err}");
    // A group table that names the group changes that group only, and round-trips.
    let c = parse(&["optim.model.lr=4e-4"]).unwrap();
    assert_eq!(c.optim.group("model").lr, 4e-4);
    assert_eq!(c.optim.shared.lr, 3e-3);
    let again = TrainConfig::from_toml(&c.to_toml().unwrap(), Path::new("x"), &[]).unwrap();
    assert_eq!(again, c);
}
