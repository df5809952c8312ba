//! The run configuration: `[data]`, `[model]`, `[optim]`, `[trainer]`, `[eval]`.
//!
//! Parsed from TOML with unknown fields rejected, then `--set path=value` overrides are applied
//! to the parsed table (so an override can only name a field that exists), then every value is
//! validated before any work starts. The resolved config is written to `runs/<name>/config.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genzoo_data::mnist::MNIST_SIDE;
use genzoo_data::{ImageView, Toy};
use genzoo_models::{FAMILIES, ModelConfig};
use genzoo_nn::AdamConfig;
use serde::{Deserialize, Serialize};

use crate::TrainError;
use crate::schedule::{Decay, learning_rate};

/// Largest `data.shift`: below half of MNIST's side.
pub const MAX_SHIFT: usize = MNIST_SIDE / 2 - 1;

/// A whole run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Run name: outputs go to `runs/<name>/`.
    pub name: String,
    /// Seed of the initialisation, the batch order and every random draw.
    pub seed: u64,
    /// What to train on.
    pub data: DataConfig,
    /// The family and its hyper-parameters.
    pub model: ModelConfig,
    /// Optimiser and learning-rate schedule, shared by every optimiser group unless a group's
    /// own table changes them.
    pub optim: OptimConfig,
    /// Loop lengths and intervals.
    pub trainer: TrainerConfig,
    /// Evaluation settings used by `genzoo eval`.
    #[serde(default)]
    pub eval: EvalConfig,
}

/// The data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum DataConfig {
    /// A built-in 2D toy distribution.
    Toy(ToyDataConfig),
    /// MNIST from a directory of IDX files.
    Mnist(MnistDataConfig),
    /// (x₀, x₁) pairs drawn from a trained flow by `genzoo pairs` (reflow, distillation).
    Pairs(PairsDataConfig),
    /// Labelled 1-D sequences made in code (`genzoo_data::sequences`): CPC's audio-like setting.
    Sequences(SequencesDataConfig),
}

/// `source = "sequences"`: sums of sinusoids whose fundamental frequency is the class.
///
/// ```toml
/// [data]
/// source = "sequences"
/// classes = 10        # fundamental frequencies, 4 to 16 periods per sequence
/// length = 256        # samples per sequence
/// noise = 0.5         # sigma of the white noise
/// train_size = 20000
/// eval_size = 2000    # validation, and again (drawn independently) test
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequencesDataConfig {
    /// K classes.
    pub classes: usize,
    /// L samples per sequence.
    pub length: usize,
    /// σ of the white noise.
    pub noise: f64,
    /// Sequences drawn once for training.
    pub train_size: usize,
    /// Sequences drawn (independently) for validation and for test.
    pub eval_size: usize,
}

impl SequencesDataConfig {
    /// The generator these settings name.
    pub fn generator(&self) -> genzoo_data::sequences::Sinusoids {
        genzoo_data::sequences::Sinusoids {
            classes: self.classes,
            length: self.length,
            noise: self.noise,
        }
    }
}

/// `source = "pairs"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairsDataConfig {
    /// The directory `genzoo pairs` wrote (`pairs.json` and its chunks).
    pub dir: PathBuf,
    /// The last this-many pairs are held out for validation (and serve as the test split).
    pub eval_size: usize,
}

/// `source = "toy"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToyDataConfig {
    /// One of 8gaussians, checkerboard, moons, 2spirals, pinwheel, swissroll, circles.
    pub toy: String,
    /// Points drawn once for training.
    pub train_size: usize,
    /// Points drawn (independently) for validation and for test.
    pub eval_size: usize,
}

/// `source = "mnist"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MnistDataConfig {
    /// Directory holding the four IDX files (gzipped or raw). `--data-dir` overrides it.
    pub dir: PathBuf,
    /// unit, symmetric, dequantised, binary-fixed or binary-dynamic.
    pub view: String,
    /// Random translations of training images by up to this many pixels in each axis, redrawn
    /// every epoch (0: none). Validation and test images are never shifted.
    #[serde(default)]
    pub shift: usize,
    /// Stacked MNIST (`genzoo_data::stacked`): this many digits, drawn independently, as the
    /// channels of one image (10^stack modes); 0 or 1 is plain MNIST.
    #[serde(default)]
    pub stack: usize,
    /// Stacked MNIST: stacks drawn once for training (validation and test: one per image of
    /// their split).
    #[serde(default)]
    pub stack_size: usize,
}

/// The most digits a Stacked MNIST image holds (10⁴ modes).
pub const MAX_STACK: usize = 4;

impl MnistDataConfig {
    /// Whether this is Stacked MNIST.
    pub fn stacked(&self) -> bool {
        self.stack > 1
    }
}

/// Which optimiser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimKind {
    /// Adam with L2 weight decay through the gradient.
    #[default]
    Adam,
    /// AdamW: decoupled weight decay.
    AdamW,
}

/// `[optim]`: the settings every optimiser group starts from, and tables `[optim.<group>]`
/// that change some of them for one group.
///
/// ```toml
/// [optim]            # every group: a one-group family needs nothing else
/// lr = 2e-4
/// beta1 = 0.5
/// [optim.disc]       # the discriminator of a GAN: its own rate (two time-scale rule)
/// lr = 4e-4
/// ```
/// A group table may set any field of [`OptimSettings`]; it names one of the family's
/// [`Family::GROUPS`](genzoo_models::Family::GROUPS) (checked by [`TrainConfig::validate`]).
/// `--set optim.disc.lr=4e-4` writes into it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptimConfig {
    /// The fields written directly under `[optim]`.
    #[serde(flatten)]
    pub shared: OptimSettings,
    /// `[optim.<group>]`: the fields one group changes, by group name.
    #[serde(flatten)]
    pub groups: BTreeMap<String, GroupSettings>,
}

/// One optimiser group's settings: the optimiser and its learning-rate schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimSettings {
    /// adam or adamw.
    #[serde(default)]
    pub kind: OptimKind,
    /// Peak learning rate.
    pub lr: f64,
    /// Learning rate at the end of cosine decay.
    #[serde(default)]
    pub min_lr: f64,
    /// Steps of linear warm-up from 0 to `lr`.
    #[serde(default)]
    pub warmup_steps: u64,
    /// constant or cosine after warm-up.
    #[serde(default)]
    pub decay: Decay,
    /// Adam β₁.
    #[serde(default = "default_beta1")]
    pub beta1: f64,
    /// Adam β₂.
    #[serde(default = "default_beta2")]
    pub beta2: f64,
    /// Adam ε.
    #[serde(default = "default_eps")]
    pub eps: f64,
    /// Weight decay (L2 for adam, decoupled for adamw).
    #[serde(default)]
    pub weight_decay: f64,
    /// Clip the global gradient norm to this value; absent: no clipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grad_clip: Option<f64>,
}

/// `[optim.<group>]`: the fields of [`OptimSettings`] one group sets for itself; an absent
/// field keeps the `[optim]` value. (A group can set a `grad_clip` of its own but not remove
/// the shared one.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSettings {
    /// adam or adamw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<OptimKind>,
    /// Peak learning rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
    /// Learning rate at the end of cosine decay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_lr: Option<f64>,
    /// Steps of linear warm-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_steps: Option<u64>,
    /// constant or cosine after warm-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay: Option<Decay>,
    /// Adam β₁.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta1: Option<f64>,
    /// Adam β₂.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta2: Option<f64>,
    /// Adam ε.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eps: Option<f64>,
    /// Weight decay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_decay: Option<f64>,
    /// Clip the group's gradient norm to this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grad_clip: Option<f64>,
}

fn default_beta1() -> f64 {
    0.9
}
fn default_beta2() -> f64 {
    0.999
}
fn default_eps() -> f64 {
    1e-8
}

impl OptimSettings {
    /// The optimiser's own settings.
    pub fn adam(&self) -> AdamConfig {
        AdamConfig {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            decoupled: self.kind == OptimKind::AdamW,
            grad_clip: self.grad_clip,
        }
    }

    /// The learning rate at `step` (0-based) of a run of `total` steps.
    pub fn learning_rate(&self, step: u64, total: u64) -> f64 {
        learning_rate(
            step,
            total,
            self.lr,
            self.min_lr,
            self.warmup_steps,
            self.decay,
        )
    }

    /// Refuse values that would make the schedule or the update meaningless; `table` names
    /// where they were written (`optim`, `optim.disc`).
    fn validate(&self, table: &str) -> Result<(), TrainError> {
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            return Err(invalid(format!(
                "{table}.lr must be a positive number, got {}",
                self.lr
            )));
        }
        if !(self.min_lr >= 0.0 && self.min_lr <= self.lr) {
            return Err(invalid(format!(
                "{table}.min_lr must lie in [0, lr = {}], got {}",
                self.lr, self.min_lr
            )));
        }
        self.adam()
            .validate()
            .map_err(|e| invalid(format!("{table}: {e}")))
    }
}

impl GroupSettings {
    /// `shared` with this group's fields in place.
    pub fn apply(&self, shared: &OptimSettings) -> OptimSettings {
        OptimSettings {
            kind: self.kind.unwrap_or(shared.kind),
            lr: self.lr.unwrap_or(shared.lr),
            min_lr: self.min_lr.unwrap_or(shared.min_lr),
            warmup_steps: self.warmup_steps.unwrap_or(shared.warmup_steps),
            decay: self.decay.unwrap_or(shared.decay),
            beta1: self.beta1.unwrap_or(shared.beta1),
            beta2: self.beta2.unwrap_or(shared.beta2),
            eps: self.eps.unwrap_or(shared.eps),
            weight_decay: self.weight_decay.unwrap_or(shared.weight_decay),
            grad_clip: self.grad_clip.or(shared.grad_clip),
        }
    }
}

impl OptimConfig {
    /// The settings of optimiser group `group`: `[optim]` with `[optim.<group>]` in place.
    pub fn group(&self, group: &str) -> OptimSettings {
        match self.groups.get(group) {
            Some(g) => g.apply(&self.shared),
            None => self.shared.clone(),
        }
    }

    /// Refuse a `[optim.<group>]` table that names none of `groups`, the optimiser groups of
    /// the family `family`.
    pub fn check_groups(&self, family: &str, groups: &[&str]) -> Result<(), TrainError> {
        match self.groups.keys().find(|g| !groups.contains(&g.as_str())) {
            Some(g) => Err(invalid(format!(
                "optim.{g}: the {family} family has no optimiser group {g:?} (its groups: {})",
                groups.join(", ")
            ))),
            None => Ok(()),
        }
    }

    /// Every value checked: the shared table and each group's resolved settings.
    fn validate(&self) -> Result<(), TrainError> {
        self.shared.validate("optim")?;
        for name in self.groups.keys() {
            self.group(name).validate(&format!("optim.{name}"))?;
        }
        Ok(())
    }
}

/// `[optim]` is read by hand: its fields and its group tables share one TOML table, and serde
/// cannot both refuse unknown fields and collect unknown tables. Tables are group settings;
/// everything else must be a field of [`OptimSettings`].
impl<'de> Deserialize<'de> for OptimConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(deserializer)?;
        let names: Vec<String> = table
            .iter()
            .filter(|(_, v)| v.is_table())
            .map(|(k, _)| k.clone())
            .collect();
        let mut groups = BTreeMap::new();
        for name in names {
            if let Some(value) = table.remove(&name) {
                let group = GroupSettings::deserialize(value)
                    .map_err(|e| D::Error::custom(format!("optim.{name}: {e}")))?;
                groups.insert(name, group);
            }
        }
        let shared = OptimSettings::deserialize(toml::Value::Table(table))
            .map_err(|e| D::Error::custom(format!("optim: {e}")))?;
        Ok(OptimConfig { shared, groups })
    }
}

/// `[trainer]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainerConfig {
    /// Total optimisation steps.
    pub steps: u64,
    /// Examples per step.
    pub batch_size: usize,
    /// Steps between log lines (metrics averaged over the interval).
    pub log_every: u64,
    /// Steps between validation passes (0: only at the end).
    pub eval_every: u64,
    /// Steps between sample pictures (0: only at the end).
    pub sample_every: u64,
    /// Steps between checkpoints (0: only at the end).
    pub checkpoint_every: u64,
    /// Checkpoints kept besides the best one.
    #[serde(default = "default_keep")]
    pub keep_checkpoints: usize,
    /// Decay of the weight EMA used for sampling and evaluation; absent: no EMA.
    #[serde(default)]
    pub ema_decay: Option<f64>,
    /// Validation examples used by the periodic evaluation; absent: all.
    #[serde(default)]
    pub eval_examples: Option<usize>,
    /// Examples in each sample picture.
    #[serde(default = "default_pictures")]
    pub picture_samples: usize,
    /// Start from the weights of this run's newest checkpoint (its EMA where it keeps one)
    /// instead of a fresh initialisation; steps, optimiser state and EMA start anew. The way
    /// a reflow or a distillation starts from the flow it improves on.
    #[serde(default)]
    pub init_from: Option<PathBuf>,
}

fn default_keep() -> usize {
    2
}
fn default_pictures() -> usize {
    64
}

/// `[eval]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalConfig {
    /// Importance samples per example for the IWAE estimate.
    #[serde(default = "default_iwae_k")]
    pub iwae_k: usize,
    /// Most decoder rows in flight at once.
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
}

fn default_iwae_k() -> usize {
    5000
}
fn default_max_rows() -> usize {
    10_000
}

impl Default for EvalConfig {
    fn default() -> Self {
        Self {
            iwae_k: default_iwae_k(),
            max_rows: default_max_rows(),
        }
    }
}

fn invalid(msg: impl Into<String>) -> TrainError {
    TrainError::Config(msg.into())
}

impl TrainConfig {
    /// Parse TOML text, apply `--set` overrides, and validate.
    pub fn from_toml(text: &str, origin: &Path, overrides: &[String]) -> Result<Self, TrainError> {
        let parse_err = |detail: String| TrainError::ConfigParse {
            path: origin.to_path_buf(),
            detail,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        for o in overrides {
            apply_override(&mut table, o)?;
        }
        let config: TrainConfig = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| parse_err(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Read a config file.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, TrainError> {
        let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
        Self::from_toml(&text, path, overrides)
    }

    /// The config as TOML, as written into the run directory.
    pub fn to_toml(&self) -> Result<String, TrainError> {
        toml::to_string_pretty(self).map_err(|e| invalid(format!("cannot serialise config: {e}")))
    }

    /// Every check that can be made without touching data.
    pub fn validate(&self) -> Result<(), TrainError> {
        if self.name.is_empty() || self.name.contains(['/', '\\']) || self.name.starts_with('.') {
            return Err(invalid(format!(
                "name must be a plain directory name, got {:?}",
                self.name
            )));
        }
        match &self.data {
            DataConfig::Toy(t) => {
                t.toy.parse::<Toy>().map_err(|e| invalid(e.to_string()))?;
                if t.train_size == 0 || t.eval_size == 0 {
                    return Err(invalid("data.train_size and data.eval_size must be >= 1"));
                }
            }
            DataConfig::Mnist(m) => {
                m.view
                    .parse::<ImageView>()
                    .map_err(|e| invalid(e.to_string()))?;
                if m.stacked() {
                    let view: ImageView = m
                        .view
                        .parse()
                        .map_err(|e: genzoo_data::DataError| invalid(e.to_string()))?;
                    if m.stack > MAX_STACK
                        || m.stack_size == 0
                        || m.shift > 0
                        || view.is_per_epoch()
                    {
                        return Err(invalid(format!(
                            "stacked MNIST needs data.stack <= {MAX_STACK}, data.stack_size >= 1, \
                             no data.shift and a view drawn once (unit, symmetric, binary-fixed); got \
                             stack {}, stack_size {}, shift {}, view {}",
                            m.stack, m.stack_size, m.shift, m.view
                        )));
                    }
                }
                if m.shift > MAX_SHIFT {
                    return Err(invalid(format!(
                        "data.shift must be at most {MAX_SHIFT} pixels (a shift of half the \
                         {MNIST_SIDE}-pixel side or more can move the digit out of the image), got {}",
                        m.shift
                    )));
                }
            }
            DataConfig::Pairs(p) => {
                if p.eval_size == 0 {
                    return Err(invalid("data.eval_size must be >= 1"));
                }
            }
            DataConfig::Sequences(q) => {
                q.generator()
                    .validate()
                    .map_err(|e| invalid(format!("data: {e}")))?;
                if q.train_size == 0 || q.eval_size == 0 {
                    return Err(invalid("data.train_size and data.eval_size must be >= 1"));
                }
            }
        }
        self.model
            .validate()
            .map_err(|e| invalid(format!("{e} (families: {})", FAMILIES.join(", "))))?;
        self.optim
            .check_groups(self.model.family(), self.model.groups())?;
        self.optim.validate()?;
        let t = &self.trainer;
        if t.steps == 0 {
            return Err(invalid("trainer.steps must be >= 1"));
        }
        if t.batch_size == 0 {
            return Err(invalid("trainer.batch_size must be >= 1"));
        }
        if t.log_every == 0 {
            return Err(invalid("trainer.log_every must be >= 1"));
        }
        if t.picture_samples == 0 {
            return Err(invalid("trainer.picture_samples must be >= 1"));
        }
        if let Some(d) = t.ema_decay
            && !(d > 0.0 && d < 1.0)
        {
            return Err(invalid(format!(
                "trainer.ema_decay must lie in (0, 1), got {d}"
            )));
        }
        if t.eval_examples == Some(0) {
            return Err(invalid("trainer.eval_examples must be >= 1 when set"));
        }
        if self.eval.iwae_k == 0 || self.eval.max_rows == 0 {
            return Err(invalid("eval.iwae_k and eval.max_rows must be >= 1"));
        }
        Ok(())
    }
}

/// Apply one `path.to.field=value` override. The value is read as a TOML value (`3e-4`,
/// `true`, `[200, 200]`, `"text"`), and as a plain string when it is not one.
pub fn apply_override(table: &mut toml::Table, assignment: &str) -> Result<(), TrainError> {
    let (path, raw) = assignment.split_once('=').ok_or_else(|| {
        invalid(format!(
            "override {assignment:?} is not of the form key.path=value"
        ))
    })?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(invalid(format!("override {assignment:?} has an empty key")));
    }
    let value = match toml::from_str::<toml::Table>(&format!("v = {}", raw.trim())) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.trim().into())),
        Err(_) => toml::Value::String(raw.trim().to_string()),
    };
    let (last, parents) = keys
        .split_last()
        .ok_or_else(|| invalid(format!("override {assignment:?} has no key")))?;
    let mut cursor = table;
    for k in parents {
        let entry = cursor
            .entry(k.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cursor = entry
            .as_table_mut()
            .ok_or_else(|| invalid(format!("override {assignment:?}: `{k}` is not a table")))?;
    }
    cursor.insert(last.to_string(), value);
    Ok(())
}
