//! The step loop shared by every family.
//!
//! Per step t: batch indices from the cursor → values (the view of the batch's epoch) → each
//! optimiser group's `lr(t)` from its own schedule → the family's `train_step` with
//! `rng_for(seed, STREAM_TRAIN, t)` → NaN/inf check → EMA update. At intervals: a log line and
//! `metrics.jsonl`, a validation pass (EMA weights when kept), sample pictures (for a family
//! that generates), an atomic checkpoint. Everything that decides step t is a function of
//! `(config, checkpoint at t)`, so N steps + resume + M steps equals N+M steps bit for bit.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, BatchCursor, Batcher, rng_for, save_grid, save_scatter};
use genzoo_models::{Batch, Family, Metrics, OptimGroup, Optimizers, Sample, StepCx};
use genzoo_nn::{Adam, Ema, load_named, named_params};

use crate::checkpoint::{self, Best, EMA_FILE, MODEL_FILE, State};
use crate::config::OptimSettings;
use crate::data::Splits;
use crate::report::{Reporter, format_line};
use crate::run::RunDir;
use crate::{TrainConfig, TrainError, tensors};

/// RNG stream of the training steps.
pub const STREAM_TRAIN: u64 = u64::from_be_bytes(*b"train\0\0\0");
/// RNG stream of validation passes.
pub const STREAM_EVAL: u64 = u64::from_be_bytes(*b"eval\0\0\0\0");
/// RNG stream of sample pictures (the same draws at every step, so pictures compare).
pub const STREAM_PICTURES: u64 = u64::from_be_bytes(*b"picture\0");
/// Points in a 2D sample scatter plot.
pub const SCATTER_POINTS: usize = 50_000;
/// Pixels per side of a 2D scatter plot.
const SCATTER_PIXELS: usize = 400;
/// Padding between images in a grid.
const GRID_PADDING: usize = 2;

/// How a training call ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// All steps done.
    Finished {
        /// Steps done.
        step: u64,
        /// Training seconds over all sessions.
        elapsed_secs: f64,
    },
    /// Stopped on request (Ctrl-C) after saving.
    Interrupted {
        /// Steps done and saved.
        step: u64,
    },
    /// A metric became NaN or infinite; nothing was saved after the last good checkpoint.
    Diverged {
        /// The step that produced the bad value.
        step: u64,
        /// Which metric.
        metric: String,
        /// The newest checkpoint on disk, if any.
        last_checkpoint: Option<u64>,
    },
}

/// The generator inside a model, for the trainer's sample pictures; `None` where the family
/// does not generate (a classifier), and then the trainer draws no pictures. The CLI hands the
/// trainer its `Zoo::generator`; [`pictures_of`] and [`no_pictures`] serve code that knows its
/// family.
pub type Generator<M> = fn(&M) -> Option<&dyn Sample>;

/// The [`Generator`] of a family that samples: the model itself.
pub fn pictures_of<M: Sample>(model: &M) -> Option<&dyn Sample> {
    Some(model)
}

/// The [`Generator`] of a family that does not generate: no pictures.
pub fn no_pictures<M>(_: &M) -> Option<&dyn Sample> {
    None
}

/// Everything the loop carries from step to step.
struct Progress<M> {
    model: M,
    optims: Optimizers,
    ema: Option<Ema>,
    cursor: BatchCursor,
    step: u64,
    best: Option<Best>,
    elapsed_before: f64,
    /// The train metrics since the last log line: saved with a checkpoint, so a run stopped
    /// mid-interval and resumed logs the same interval mean as a straight run.
    pending: MeanMetrics,
}

impl<M> Progress<M> {
    /// Training seconds over all sessions, this one started at `started`.
    fn elapsed(&self, started: Instant) -> f64 {
        self.elapsed_before + started.elapsed().as_secs_f64()
    }
}

/// When the current log interval began (for its step rate).
struct Interval {
    started: Instant,
    first_step: u64,
}

impl Interval {
    fn new(step: u64) -> Self {
        Interval {
            started: Instant::now(),
            first_step: step,
        }
    }
}

/// Running means of metrics over a log interval or an evaluation pass. Names restored from a
/// checkpoint are owned until the first `add` rebinds them to the family's own.
#[derive(Default)]
struct MeanMetrics {
    sums: Vec<(Cow<'static, str>, f64)>,
    weight: f64,
}

impl MeanMetrics {
    fn add(&mut self, m: &Metrics, weight: f64) {
        let same =
            self.sums.len() == m.len() && self.sums.iter().zip(m).all(|((a, _), (b, _))| a == b);
        if !same {
            self.sums = m.iter().map(|(k, _)| (Cow::Borrowed(*k), 0.0)).collect();
            self.weight = 0.0;
        }
        for ((k, s), (name, v)) in self.sums.iter_mut().zip(m) {
            *k = Cow::Borrowed(name);
            *s += v * weight;
        }
        self.weight += weight;
    }
    fn take(&mut self) -> Metrics {
        let w = self.weight.max(f64::MIN_POSITIVE);
        let out = self
            .sums
            .iter()
            .filter_map(|(k, s)| match k {
                Cow::Borrowed(k) => Some((*k, s / w)),
                Cow::Owned(_) => None,
            })
            .collect();
        *self = Self::default();
        out
    }
    /// The sums and their weight, for a checkpoint (`None` when empty).
    fn saved(&self) -> Option<checkpoint::PendingMetrics> {
        (self.weight > 0.0).then(|| checkpoint::PendingMetrics {
            sums: self.sums.iter().map(|(k, s)| (k.to_string(), *s)).collect(),
            weight: self.weight,
        })
    }
    /// Sums saved by [`MeanMetrics::saved`].
    fn restored(saved: Option<checkpoint::PendingMetrics>) -> Self {
        saved.map_or_else(Self::default, |p| MeanMetrics {
            sums: p
                .sums
                .into_iter()
                .map(|(k, s)| (Cow::Owned(k), s))
                .collect(),
            weight: p.weight,
        })
    }
}

/// Drives one run.
pub struct Trainer<'a> {
    config: &'a TrainConfig,
    run: RunDir,
    splits: &'a Splits,
    device: Device,
    stop: Arc<AtomicBool>,
    reporter: &'a mut dyn Reporter,
}

impl<'a> Trainer<'a> {
    /// A trainer writing into `run`, training on `device` (an autodiff device).
    pub fn new(
        config: &'a TrainConfig,
        run: RunDir,
        splits: &'a Splits,
        device: Device,
        stop: Arc<AtomicBool>,
        reporter: &'a mut dyn Reporter,
    ) -> Self {
        Self {
            config,
            run,
            splits,
            device,
            stop,
            reporter,
        }
    }

    /// One optimiser per group of `M`, each with its group's settings; the learning rates are
    /// set from the groups' schedules before every step.
    fn optimizers<M: Family>(&self) -> Optimizers {
        Optimizers {
            groups: M::GROUPS
                .iter()
                .map(|&name| OptimGroup {
                    name,
                    adam: Adam::new(self.config.optim.group(name).adam()),
                    lr: 0.0,
                })
                .collect(),
        }
    }

    fn new_ema(&self) -> Result<Option<Ema>, TrainError> {
        Ok(match self.config.trainer.ema_decay {
            Some(d) => Some(Ema::new(d)?),
            None => None,
        })
    }

    /// Train `model` (freshly initialised) from step 0, or from the newest checkpoint of the run
    /// when `resume`; sample pictures come from `generator` (see [`Generator`]). Returns the
    /// trained model and how the run ended.
    pub fn train<M: Family>(
        &mut self,
        model: M,
        resume: bool,
        generator: Generator<M>,
    ) -> Result<(M, Outcome), TrainError> {
        self.config.optim.check_groups(M::NAME, M::GROUPS)?;
        let progress = if resume {
            self.restore(model)?
        } else {
            self.run.create(self.config)?;
            let model = match &self.config.trainer.init_from {
                Some(run) => self.initial_weights(model, run)?,
                None => model,
            };
            Progress {
                model,
                optims: self.optimizers::<M>(),
                ema: self.new_ema()?,
                cursor: BatchCursor::default(),
                step: 0,
                best: None,
                elapsed_before: 0.0,
                pending: MeanMetrics::default(),
            }
        };
        self.run.truncate_metrics(progress.step)?;
        self.reporter
            .start(progress.step, self.config.trainer.steps);
        let result = self.run_loop(progress, generator);
        self.reporter.finish();
        result
    }

    /// `model` with the weights of run `run`'s newest checkpoint (or of the checkpoint `run`
    /// names), its EMA where kept.
    fn initial_weights<M: Family>(&mut self, model: M, run: &Path) -> Result<M, TrainError> {
        let dir = checkpoint::resolve(run, false)?;
        let state = checkpoint::read_state(&dir)?;
        if state.family != M::NAME {
            return Err(TrainError::Checkpoint {
                path: dir,
                detail: format!(
                    "trainer.init_from holds a {} model, the config asks for {}",
                    state.family,
                    M::NAME
                ),
            });
        }
        let (model, ema) = load_weights(model, &dir, true)?;
        let weights = if ema { "EMA" } else { "raw" };
        self.reporter.line(&format!(
            "starting from the {weights} weights of {} (step {})",
            dir.display(),
            state.step
        ));
        Ok(model)
    }

    fn restore<M: Family>(&mut self, model: M) -> Result<Progress<M>, TrainError> {
        let root = self.run.ckpt();
        let steps = checkpoint::list(&root)?;
        let Some(&step) = steps.last() else {
            return Err(TrainError::Checkpoint {
                path: root,
                detail: "--resume given but the run has no checkpoint".into(),
            });
        };
        let dir = checkpoint::step_dir(&root, step);
        let state = checkpoint::read_state(&dir)?;
        if state.family != M::NAME {
            return Err(TrainError::Checkpoint {
                path: dir,
                detail: format!(
                    "holds a {} model, the config asks for {}",
                    state.family,
                    M::NAME
                ),
            });
        }
        let model = load_named(model, &tensors::load(&dir.join(MODEL_FILE))?)?;
        let mut optims = self.optimizers::<M>();
        for group in &mut optims.groups {
            let saved = state
                .optim_steps
                .iter()
                .find(|(g, _)| g == group.name)
                .map(|(_, s)| *s)
                .ok_or_else(|| TrainError::Checkpoint {
                    path: dir.clone(),
                    detail: format!("no optimiser state for group {}", group.name),
                })?;
            let moments = tensors::load(&dir.join(checkpoint::optim_file(group.name)))?;
            group
                .adam
                .load_state(saved, &moments, &self.device.clone().without_autodiff())?;
        }
        let mut ema = self.new_ema()?;
        if let Some(e) = &mut ema {
            let updates = state.ema_updates.ok_or_else(|| TrainError::Checkpoint {
                path: dir.clone(),
                detail: "the config keeps an EMA but the checkpoint has none".into(),
            })?;
            e.load_state(
                updates,
                &tensors::load(&dir.join(EMA_FILE))?,
                &self.device.clone().without_autodiff(),
            );
        }
        self.reporter
            .line(&format!("resuming from {} (step {step})", dir.display()));
        Ok(Progress {
            model,
            optims,
            ema,
            cursor: BatchCursor::from_pair(state.cursor)?,
            step: state.step,
            best: state.best,
            elapsed_before: state.elapsed_secs,
            pending: MeanMetrics::restored(state.pending),
        })
    }

    /// Steps until the end, a stop request or divergence.
    fn run_loop<M: Family>(
        &mut self,
        mut p: Progress<M>,
        generator: Generator<M>,
    ) -> Result<(M, Outcome), TrainError> {
        let cfg = self.config;
        let total = cfg.trainer.steps;
        let schedules: Vec<OptimSettings> = M::GROUPS.iter().map(|g| cfg.optim.group(g)).collect();
        let n = self.splits.train.len();
        let mut batcher = Batcher::new(n, cfg.trainer.batch_size, cfg.seed, p.cursor)?;
        let started = Instant::now();
        let mut interval = Interval::new(p.step);
        while p.step < total {
            if self.stop.load(Ordering::SeqCst) {
                p.cursor = batcher.cursor();
                return self.interrupt(p, started);
            }
            let (batch, epoch) = self.next_batch(&mut batcher);
            set_learning_rates(&mut p.optims, &schedules, p.step, total);
            let mut rng = rng_for(cfg.seed, STREAM_TRAIN, p.step);
            let mut cx = StepCx {
                rng: &mut rng,
                step: p.step,
            };
            let (model, metrics) = p.model.train_step(&batch, &mut p.optims, &mut cx)?;
            if let Some(outcome) = self.divergence(&metrics, p.step)? {
                return Ok((model, outcome));
            }
            p.model = model;
            if let Some(e) = &mut p.ema {
                e.update(&p.model);
            }
            p.step += 1;
            p.cursor = batcher.cursor();
            p.pending.add(&metrics, 1.0);
            self.reporter.advance(p.step);
            self.at_intervals(&mut p, &mut interval, epoch, generator, started)?;
        }
        let elapsed_secs = p.elapsed(started);
        Ok((
            p.model,
            Outcome::Finished {
                step: p.step,
                elapsed_secs,
            },
        ))
    }

    /// The next training batch and the epoch it belongs to: indices from the cursor, the values
    /// of that epoch's view (shifted when `data.shift` asks), and labels when the data has them.
    fn next_batch(&self, batcher: &mut Batcher) -> (Batch, u64) {
        let epoch = batcher.cursor().epoch;
        let idx = batcher.next_indices();
        let mut rows = self.splits.train.rows(&idx, epoch);
        if let Some(augment) = &self.splits.augment {
            augment.apply(&mut rows, &idx, epoch);
        }
        let d = self.splits.spec.dim();
        let x = Tensor::<2>::from_data(TensorData::new(rows.values, [idx.len(), d]), &self.device); // [B, D]
        let y = self.splits.labels.as_ref().map(|l| {
            label_tensor(
                &idx.iter().map(|&i| l.train[i]).collect::<Vec<_>>(),
                &self.device,
            )
        });
        let x0 = self.splits.sources.as_ref().map(|s| {
            let rows = s.train.gather(&idx);
            Tensor::<2>::from_data(TensorData::new(rows.values, [idx.len(), d]), &self.device)
        });
        (Batch { x, y, x0 }, epoch)
    }

    /// Save and stop on request (Ctrl-C).
    fn interrupt<M: Family>(
        &mut self,
        p: Progress<M>,
        started: Instant,
    ) -> Result<(M, Outcome), TrainError> {
        self.save(&p, p.elapsed(started))?;
        self.reporter
            .line(&format!("interrupted: saved step {}", p.step));
        Ok((p.model, Outcome::Interrupted { step: p.step }))
    }

    /// `Some(Diverged)` when a metric of step `step` is not finite. Nothing is saved: the last
    /// good checkpoint stays the newest.
    fn divergence(&mut self, metrics: &Metrics, step: u64) -> Result<Option<Outcome>, TrainError> {
        let Some((name, _)) = metrics.iter().find(|(_, v)| !v.is_finite()) else {
            return Ok(None);
        };
        let last = checkpoint::list(&self.run.ckpt())?.last().copied();
        let where_ = last.map_or("none was written".to_string(), |s| format!("step {s} kept"));
        self.reporter.line(&format!(
            "training diverged at step {step}: {name} is not finite; last good checkpoint: {where_}"
        ));
        Ok(Some(Outcome::Diverged {
            step,
            metric: name.to_string(),
            last_checkpoint: last,
        }))
    }

    /// What `[trainer]`'s intervals ask for after step `p.step` (each also after the last
    /// step): the train log line, a validation pass, sample pictures, a checkpoint (also when
    /// validation found a new best, which must exist on disk to be selectable later).
    fn at_intervals<M: Family>(
        &mut self,
        p: &mut Progress<M>,
        interval: &mut Interval,
        epoch: u64,
        generator: Generator<M>,
        started: Instant,
    ) -> Result<(), TrainError> {
        let t = &self.config.trainer;
        let last = p.step == t.steps;
        let due = |every: u64| last || (every > 0 && p.step.is_multiple_of(every));
        let (log, checkpoint, eval, sample) = (
            due(t.log_every),
            due(t.checkpoint_every),
            due(t.eval_every),
            due(t.sample_every),
        );
        if log {
            self.log_train(p, interval, epoch)?;
        }
        let mut save_now = checkpoint;
        if eval && self.validate(p)? {
            save_now = true;
        }
        if sample {
            let path = self.run.samples().join(format!("step-{:08}.png", p.step));
            self.pictures(p, generator, &path)?;
        }
        if save_now {
            self.save(p, p.elapsed(started))?;
        }
        Ok(())
    }

    /// The train line of the interval that ends at `p.step`: its mean metrics, each group's
    /// learning rate (`lr`; `lr_<group>` when there are several), the step rate and the epoch.
    fn log_train<M: Family>(
        &mut self,
        p: &mut Progress<M>,
        interval: &mut Interval,
        epoch: u64,
    ) -> Result<(), TrainError> {
        let total = self.config.trainer.steps;
        let mean = p.pending.take();
        let warnings = M::health(&mean);
        let mut m: Vec<(Cow<'static, str>, f64)> = mean
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect();
        let rate = (p.step - interval.first_step) as f64
            / interval.started.elapsed().as_secs_f64().max(1e-9);
        *interval = Interval::new(p.step);
        let groups = &p.optims.groups;
        for g in groups {
            let name = match groups.len() {
                1 => Cow::Borrowed("lr"),
                _ => Cow::Owned(format!("lr_{}", g.name)),
            };
            m.push((name, g.lr));
        }
        m.push((Cow::Borrowed("steps_per_sec"), rate));
        m.push((Cow::Borrowed("epoch"), epoch as f64));
        self.reporter
            .line(&format_line(p.step, total, "train", &m, &[]));
        for w in warnings {
            self.reporter.line(&format!("step {} warning: {w}", p.step));
        }
        self.run.log_metrics(p.step, "train", &m)
    }

    /// A validation pass at `p.step`: logged, the curves redrawn, the best value tracked.
    /// Returns whether this step is the new best.
    fn validate<M: Family>(&mut self, p: &mut Progress<M>) -> Result<bool, TrainError> {
        let m = self.evaluate(p)?;
        let total = self.config.trainer.steps;
        self.reporter
            .line(&format_line(p.step, total, "valid", &m, &[]));
        self.run.log_metrics(p.step, "valid", &m)?;
        let Some((name, value)) = m.first() else {
            return Ok(false);
        };
        self.run.write_curves(name)?;
        let improves = p.best.as_ref().is_none_or(|b| *value < b.value);
        if improves {
            p.best = Some(Best {
                metric: name.to_string(),
                value: *value,
                step: p.step,
            });
        }
        Ok(improves)
    }

    /// The model used for evaluation and pictures: EMA weights when kept, without autodiff.
    fn eval_model<M: Family>(&self, p: &Progress<M>) -> Result<M, TrainError> {
        let m = p.model.valid();
        Ok(match &p.ema {
            Some(e) => e.apply(m)?,
            None => m,
        })
    }

    fn evaluate<M: Family>(&self, p: &Progress<M>) -> Result<Metrics, TrainError> {
        let model = self.eval_model(p)?;
        let data = self.splits.valid.head(self.config.trainer.eval_examples);
        let labels = self.splits.labels.as_ref().map(|l| &l.valid[..data.len()]);
        let sources = self
            .splits
            .sources
            .as_ref()
            .map(|s| s.valid.slice(0, data.len()));
        let mut rng = rng_for(self.config.seed, STREAM_EVAL, p.step);
        eval_array(
            &model,
            EvalData {
                x: &data,
                labels,
                sources: sources.as_ref(),
            },
            self.config.trainer.batch_size,
            &mut rng,
            p.step,
            &self.device.clone().without_autodiff(),
        )
    }

    /// The sample picture at `path`, when the model generates.
    fn pictures<M: Family>(
        &self,
        p: &Progress<M>,
        generator: Generator<M>,
        path: &std::path::Path,
    ) -> Result<(), TrainError> {
        // Asked of the training model first, so that a family without pictures costs no copy.
        if generator(&p.model).is_none() {
            return Ok(());
        }
        let model = self.eval_model(p)?;
        let Some(sampler) = generator(&model) else {
            return Ok(());
        };
        let device = self.device.clone().without_autodiff();
        let mut rng = rng_for(self.config.seed, STREAM_PICTURES, 0);
        let n = match self.splits.spec.image() {
            Some(_) => self.config.trainer.picture_samples,
            None => SCATTER_POINTS,
        };
        write_pictures(sampler, self.splits, n, &mut rng, &device, path)
    }

    fn save<M: Family>(&self, p: &Progress<M>, elapsed_secs: f64) -> Result<PathBuf, TrainError> {
        let root = self.run.ckpt();
        let tmp = checkpoint::tmp_dir(&root, p.step);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| TrainError::io(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| TrainError::io(&tmp, e))?;
        let written = self.write_checkpoint(p, &tmp, elapsed_secs);
        if written.is_err() {
            // A full disk or a failed write: leave no half-written directory behind (the error
            // is what the user needs to see; a failed removal adds nothing to it).
            let _ = std::fs::remove_dir_all(&tmp);
        }
        written?;
        let dir = checkpoint::commit(&root, p.step)?;
        checkpoint::prune(
            &root,
            self.config.trainer.keep_checkpoints,
            p.best.as_ref().map(|b| b.step),
        )?;
        Ok(dir)
    }

    /// Every file of a checkpoint into `tmp`, `state.json` last.
    fn write_checkpoint<M: Family>(
        &self,
        p: &Progress<M>,
        tmp: &std::path::Path,
        elapsed_secs: f64,
    ) -> Result<(), TrainError> {
        let meta = || checkpoint::file_metadata(M::NAME, p.step);
        tensors::save(&tmp.join(MODEL_FILE), &named_params(&p.model)?, meta())?;
        let mut optim_steps = Vec::new();
        for group in &p.optims.groups {
            tensors::save(
                &tmp.join(checkpoint::optim_file(group.name)),
                &group.adam.state()?,
                meta(),
            )?;
            optim_steps.push((group.name.to_string(), group.adam.steps()));
        }
        if let Some(e) = &p.ema {
            tensors::save(&tmp.join(EMA_FILE), &e.state(&p.model)?, meta())?;
        }
        let state = State {
            format_version: checkpoint::FORMAT_VERSION,
            family: M::NAME.to_string(),
            step: p.step,
            seed: self.config.seed,
            cursor: p.cursor.to_pair(),
            optim_steps,
            ema_updates: p.ema.as_ref().map(Ema::updates),
            best: p.best.clone(),
            elapsed_secs,
            pending: p.pending.saved(),
        };
        checkpoint::write_state(tmp, &state)
    }
}

/// Each group's learning rate at `step` of `total` from its own schedule (`schedules` in the
/// groups' order).
fn set_learning_rates(optims: &mut Optimizers, schedules: &[OptimSettings], step: u64, total: u64) {
    for (group, settings) in optims.groups.iter_mut().zip(schedules) {
        group.lr = settings.learning_rate(step, total);
    }
}

/// Class labels as an integer tensor `[B]`.
pub fn label_tensor(labels: &[u8], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
    Tensor::<1, Int>::from_data(TensorData::new(values, [labels.len()]), device)
}

/// Examples to evaluate on, with what travels beside them.
#[derive(Clone, Copy)]
pub struct EvalData<'a> {
    /// The examples.
    pub x: &'a Array,
    /// Their labels, when known.
    pub labels: Option<&'a [u8]>,
    /// Their coupled x₀, when the data is a flow's pairs.
    pub sources: Option<&'a Array>,
}

impl<'a> EvalData<'a> {
    /// Examples alone.
    pub fn examples(x: &'a Array) -> Self {
        EvalData {
            x,
            labels: None,
            sources: None,
        }
    }
}

/// Average `eval_step` metrics over `data` in batches, weighted by batch size.
pub fn eval_array<M: Family>(
    model: &M,
    data: EvalData,
    batch_size: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    step: u64,
    device: &Device,
) -> Result<Metrics, TrainError> {
    let EvalData {
        x: data,
        labels,
        sources,
    } = data;
    let d = data.example_size();
    let mut mean = MeanMetrics::default();
    let mut start = 0;
    while start < data.len() {
        let end = (start + batch_size).min(data.len());
        let rows = data.slice(start, end);
        let x = Tensor::<2>::from_data(TensorData::new(rows.values, [end - start, d]), device); // [b, D]
        let mut cx = StepCx { rng, step };
        let y = labels.map(|l| label_tensor(&l[start..end], device));
        let x0 = sources.map(|s| {
            let rows = s.slice(start, end);
            Tensor::<2>::from_data(TensorData::new(rows.values, [end - start, d]), device)
        });
        let m = model.eval_step(&Batch { x, y, x0 }, &mut cx)?;
        mean.add(&m, (end - start) as f64);
        start = end;
    }
    Ok(mean.take())
}

/// Write the picture of what `model` generates: a grid of `n` images, or a 2D scatter of `n`
/// points for toys. Samples holding a NaN or an infinity are refused and nothing is written.
pub fn write_pictures<M: Sample + ?Sized>(
    model: &M,
    splits: &Splits,
    n: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    device: &Device,
    path: &std::path::Path,
) -> Result<(), TrainError> {
    let spec = &splits.spec;
    if let Some([c, h, w]) = spec.image() {
        let x = model.sample_pictures(n, rng, device)?; // [n, C·H·W]
        let values = finite(tensor_values(x)?)?;
        let grid = Array::new(vec![n, c, h, w], values)?;
        let ncols = (n as f64).sqrt().ceil() as usize;
        save_grid(path, &to_unit_range(grid, splits), ncols, GRID_PADDING)?;
    } else {
        let x = model.sample(n, rng, device)?; // [n, 2]
        let points = Array::new(vec![n, spec.dim()], finite(tensor_values(x)?)?)?;
        let range = splits.toy.map_or(4.0, |t| t.plot_range());
        save_scatter(path, &points, range, SCATTER_PIXELS)?;
    }
    Ok(())
}

/// `values`, or an error when one is a NaN or an infinity.
fn finite(values: Vec<f32>) -> Result<Vec<f32>, TrainError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(values),
        Some(i) => Err(TrainError::Model(genzoo_models::ModelError::Numerical(
            format!("sample value {i} is not finite (NaN or infinity): the weights have diverged"),
        ))),
    }
}

/// Map `[-1, 1]` image values back to `[0, 1]` for display.
fn to_unit_range(mut a: Array, splits: &Splits) -> Array {
    if splits.view == Some(genzoo_data::ImageView::Symmetric) {
        a.values.iter_mut().for_each(|v| *v = (*v + 1.0) / 2.0);
    }
    a
}

/// A tensor's values on the host.
pub fn tensor_values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    Ok(genzoo_nn::host::to_vec(t, "model output")?)
}

/// Load the weights of checkpoint `dir` into `model` (the EMA shadow when `ema` and present).
pub fn load_weights<M: Module>(
    model: M,
    dir: &std::path::Path,
    ema: bool,
) -> Result<(M, bool), TrainError> {
    let ema_path = dir.join(EMA_FILE);
    let (path, used_ema) = if ema && ema_path.is_file() {
        (ema_path, true)
    } else {
        (dir.join(MODEL_FILE), false)
    };
    let stored = tensors::load(&path)?;
    let model = load_named(model, &stored).map_err(|e| match e {
        // The stored weights do not fit the module the config built: name both, and say which
        // one was likely changed.
        genzoo_nn::NnError::ShapeMismatch { .. }
        | genzoo_nn::NnError::MissingParam(_)
        | genzoo_nn::NnError::UnusedParams(_) => TrainError::Checkpoint {
            path: path.clone(),
            detail: format!(
                "{e}; the module was built from the run's config.toml ({}), so that file was \
                 likely edited after training (or the checkpoint copied from another run)",
                dir.parent().and_then(std::path::Path::parent).map_or_else(
                    || "its config".into(),
                    |r| r.join("config.toml").display().to_string()
                )
            ),
        },
        other => TrainError::Nn(other),
    })?;
    Ok((model, used_ema))
}
