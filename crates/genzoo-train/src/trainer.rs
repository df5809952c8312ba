//! The step loop shared by every family.
//!
//! Per step t: batch indices from the cursor → values (the view of the batch's epoch) → the
//! family's `train_step` with `rng_for(seed, STREAM_TRAIN, t)` and `lr(t)` → NaN/inf check →
//! EMA update. At intervals: a log line and `metrics.jsonl`, a validation pass (EMA weights when
//! kept), sample pictures, an atomic checkpoint. Everything that decides step t is a function
//! of `(config, checkpoint at t)`, so N steps + resume + M steps equals N+M steps bit for bit.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, BatchCursor, Batcher, rng_for, save_grid, save_scatter};
use genzoo_models::{Batch, Family, Metrics, Optimizers, Sample, StepCx};
use genzoo_nn::{Adam, Ema, load_named, named_params};

use crate::checkpoint::{self, Best, EMA_FILE, MODEL_FILE, State};
use crate::data::Splits;
use crate::report::{Reporter, format_line};
use crate::run::RunDir;
use crate::schedule::learning_rate;
use crate::{TrainConfig, TrainError, tensors};

/// RNG stream of the training steps.
pub const STREAM_TRAIN: u64 = u64::from_be_bytes(*b"train\0\0\0");
/// RNG stream of validation passes.
pub const STREAM_EVAL: u64 = u64::from_be_bytes(*b"eval\0\0\0\0");
/// RNG stream of sample pictures (the same draws at every step, so pictures compare).
pub const STREAM_PICTURES: u64 = u64::from_be_bytes(*b"picture\0");
/// Points in a 2D sample scatter plot.
const SCATTER_POINTS: usize = 50_000;
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

/// Everything the loop carries from step to step.
struct Progress<M> {
    model: M,
    optims: Optimizers,
    ema: Option<Ema>,
    cursor: BatchCursor,
    step: u64,
    best: Option<Best>,
    elapsed_before: f64,
}

/// Running means of metrics over a log interval or an evaluation pass.
#[derive(Default)]
struct MeanMetrics {
    sums: Vec<(&'static str, f64)>,
    weight: f64,
}

impl MeanMetrics {
    fn add(&mut self, m: &Metrics, weight: f64) {
        if self.sums.is_empty() {
            self.sums = m.iter().map(|(k, _)| (*k, 0.0)).collect();
        }
        for ((_, s), (_, v)) in self.sums.iter_mut().zip(m) {
            *s += v * weight;
        }
        self.weight += weight;
    }
    fn take(&mut self) -> Metrics {
        let w = self.weight.max(f64::MIN_POSITIVE);
        let out = self.sums.iter().map(|(k, s)| (*k, s / w)).collect();
        *self = Self::default();
        out
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

    fn optimizers<M: Family>(&self) -> Optimizers {
        Optimizers {
            groups: M::GROUPS
                .iter()
                .map(|g| (*g, Adam::new(self.config.optim.adam())))
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
    /// when `resume`. Returns the trained model and how the run ended.
    pub fn train<M: Family + Sample>(
        &mut self,
        model: M,
        resume: bool,
    ) -> Result<(M, Outcome), TrainError> {
        let progress = if resume {
            self.restore(model)?
        } else {
            self.run.create(self.config)?;
            Progress {
                model,
                optims: self.optimizers::<M>(),
                ema: self.new_ema()?,
                cursor: BatchCursor::default(),
                step: 0,
                best: None,
                elapsed_before: 0.0,
            }
        };
        self.run.truncate_metrics(progress.step)?;
        self.reporter
            .start(progress.step, self.config.trainer.steps);
        let result = self.run_loop(progress);
        self.reporter.finish();
        result
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
        for (group, opt) in &mut optims.groups {
            let saved = state
                .optim_steps
                .iter()
                .find(|(g, _)| g == group)
                .map(|(_, s)| *s)
                .ok_or_else(|| TrainError::Checkpoint {
                    path: dir.clone(),
                    detail: format!("no optimiser state for group {group}"),
                })?;
            let moments = tensors::load(&dir.join(checkpoint::optim_file(group)))?;
            opt.load_state(saved, &moments, &self.device.clone().without_autodiff())?;
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
        })
    }

    fn run_loop<M: Family + Sample>(
        &mut self,
        mut p: Progress<M>,
    ) -> Result<(M, Outcome), TrainError> {
        let cfg = self.config;
        let t = &cfg.trainer;
        let o = &cfg.optim;
        let total = t.steps;
        let n = self.splits.train.len();
        let d = self.splits.spec.dim();
        let mut batcher = Batcher::new(n, t.batch_size, cfg.seed, p.cursor)?;
        let started = Instant::now();
        let mut interval = MeanMetrics::default();
        let mut interval_start = (Instant::now(), p.step);
        let every = |k: u64, s: u64| k > 0 && s.is_multiple_of(k);
        while p.step < total {
            if self.stop.load(Ordering::SeqCst) {
                p.cursor = batcher.cursor();
                self.save(&p, p.elapsed_before + started.elapsed().as_secs_f64())?;
                self.reporter
                    .line(&format!("interrupted: saved step {}", p.step));
                return Ok((p.model, Outcome::Interrupted { step: p.step }));
            }
            let epoch = batcher.cursor().epoch;
            let idx = batcher.next_indices();
            let mut rows = self.splits.train.rows(&idx, epoch);
            if let Some(augment) = &self.splits.augment {
                augment.apply(&mut rows, &idx, epoch);
            }
            let x =
                Tensor::<2>::from_data(TensorData::new(rows.values, [idx.len(), d]), &self.device); // [B, D]
            let lr = learning_rate(p.step, total, o.lr, o.min_lr, o.warmup_steps, o.decay);
            let mut rng = rng_for(cfg.seed, STREAM_TRAIN, p.step);
            let mut cx = StepCx {
                rng: &mut rng,
                lr,
                step: p.step,
            };
            let y = self.splits.labels.as_ref().map(|l| {
                label_tensor(
                    &idx.iter().map(|&i| l.train[i]).collect::<Vec<_>>(),
                    &self.device,
                )
            });
            let (model, metrics) = p
                .model
                .train_step(&Batch { x, y }, &mut p.optims, &mut cx)?;
            if let Some((name, _)) = metrics.iter().find(|(_, v)| !v.is_finite()) {
                let last = checkpoint::list(&self.run.ckpt())?.last().copied();
                let where_ =
                    last.map_or("none was written".to_string(), |s| format!("step {s} kept"));
                self.reporter.line(&format!(
                    "training diverged at step {}: {name} is not finite; last good checkpoint: {where_}",
                    p.step
                ));
                return Ok((
                    model,
                    Outcome::Diverged {
                        step: p.step,
                        metric: name.to_string(),
                        last_checkpoint: last,
                    },
                ));
            }
            p.model = model;
            if let Some(e) = &mut p.ema {
                e.update(&p.model);
            }
            p.step += 1;
            p.cursor = batcher.cursor();
            interval.add(&metrics, 1.0);
            self.reporter.advance(p.step);
            let last = p.step == total;
            if every(t.log_every, p.step) || last {
                let mut m = interval.take();
                let rate = (p.step - interval_start.1) as f64
                    / interval_start.0.elapsed().as_secs_f64().max(1e-9);
                interval_start = (Instant::now(), p.step);
                m.push(("lr", lr));
                m.push(("steps_per_sec", rate));
                m.push(("epoch", epoch as f64));
                self.reporter
                    .line(&format_line(p.step, total, "train", &m, &[]));
                self.run.log_metrics(p.step, "train", &m)?;
            }
            let mut save_now = every(t.checkpoint_every, p.step) || last;
            if every(t.eval_every, p.step) || last {
                let m = self.evaluate(&p)?;
                self.reporter
                    .line(&format_line(p.step, total, "valid", &m, &[]));
                self.run.log_metrics(p.step, "valid", &m)?;
                if let Some((name, _)) = m.first() {
                    self.run.write_curves(name)?;
                }
                if let Some((name, value)) = m.first()
                    && p.best.as_ref().is_none_or(|b| *value < b.value)
                {
                    p.best = Some(Best {
                        metric: name.to_string(),
                        value: *value,
                        step: p.step,
                    });
                    // The best model must exist on disk to be selectable later.
                    save_now = true;
                }
            }
            if (every(t.sample_every, p.step) || last) && p.model.generates() {
                self.pictures(
                    &p,
                    &self.run.samples().join(format!("step-{:08}.png", p.step)),
                )?;
            }
            if save_now {
                self.save(&p, p.elapsed_before + started.elapsed().as_secs_f64())?;
            }
        }
        let elapsed_secs = p.elapsed_before + started.elapsed().as_secs_f64();
        Ok((
            p.model,
            Outcome::Finished {
                step: p.step,
                elapsed_secs,
            },
        ))
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
        let mut rng = rng_for(self.config.seed, STREAM_EVAL, p.step);
        eval_array(
            &model,
            &data,
            labels,
            self.config.trainer.batch_size,
            &mut rng,
            p.step,
            &self.device.clone().without_autodiff(),
        )
    }

    fn pictures<M: Family + Sample>(
        &self,
        p: &Progress<M>,
        path: &std::path::Path,
    ) -> Result<(), TrainError> {
        let model = self.eval_model(p)?;
        let device = self.device.clone().without_autodiff();
        let mut rng = rng_for(self.config.seed, STREAM_PICTURES, 0);
        write_pictures(
            &model,
            self.splits,
            self.config.trainer.picture_samples,
            &mut rng,
            &device,
            path,
        )
    }

    fn save<M: Family>(&self, p: &Progress<M>, elapsed_secs: f64) -> Result<PathBuf, TrainError> {
        let root = self.run.ckpt();
        let tmp = checkpoint::tmp_dir(&root, p.step);
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| TrainError::io(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| TrainError::io(&tmp, e))?;
        let meta = || checkpoint::file_metadata(M::NAME, p.step);
        tensors::save(&tmp.join(MODEL_FILE), &named_params(&p.model)?, meta())?;
        let mut optim_steps = Vec::new();
        for (group, opt) in &p.optims.groups {
            tensors::save(
                &tmp.join(checkpoint::optim_file(group)),
                &opt.state()?,
                meta(),
            )?;
            optim_steps.push((group.to_string(), opt.steps()));
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
        };
        checkpoint::write_state(&tmp, &state)?;
        let dir = checkpoint::commit(&root, p.step)?;
        checkpoint::prune(
            &root,
            self.config.trainer.keep_checkpoints,
            p.best.as_ref().map(|b| b.step),
        )?;
        Ok(dir)
    }
}

/// Class labels as an integer tensor `[B]`.
pub fn label_tensor(labels: &[u8], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
    Tensor::<1, Int>::from_data(TensorData::new(values, [labels.len()]), device)
}

/// Average `eval_step` metrics over `data` (with its labels, when known) in batches, weighted
/// by batch size.
pub fn eval_array<M: Family>(
    model: &M,
    data: &Array,
    labels: Option<&[u8]>,
    batch_size: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    step: u64,
    device: &Device,
) -> Result<Metrics, TrainError> {
    let d = data.example_size();
    let mut mean = MeanMetrics::default();
    let mut start = 0;
    while start < data.len() {
        let end = (start + batch_size).min(data.len());
        let rows = data.slice(start, end);
        let x = Tensor::<2>::from_data(TensorData::new(rows.values, [end - start, d]), device); // [b, D]
        let mut cx = StepCx { rng, lr: 0.0, step };
        let y = labels.map(|l| label_tensor(&l[start..end], device));
        let m = model.eval_step(&Batch { x, y }, &mut cx)?;
        mean.add(&m, (end - start) as f64);
        start = end;
    }
    Ok(mean.take())
}

/// Write the picture of what `model` generates: an image grid, or a 2D scatter for toys.
pub fn write_pictures<M: Sample>(
    model: &M,
    splits: &Splits,
    n_images: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    device: &Device,
    path: &std::path::Path,
) -> Result<(), TrainError> {
    let spec = &splits.spec;
    if let Some([c, h, w]) = spec.image() {
        let x = model.sample_pictures(n_images, rng, device)?; // [n, C·H·W]
        let values = tensor_values(x)?;
        let grid = Array::new(vec![n_images, c, h, w], values)?;
        let ncols = (n_images as f64).sqrt().ceil() as usize;
        save_grid(path, &to_unit_range(grid, splits), ncols, GRID_PADDING)?;
    } else {
        let x = model.sample(SCATTER_POINTS, rng, device)?; // [n, 2]
        let points = Array::new(vec![SCATTER_POINTS, spec.dim()], tensor_values(x)?)?;
        let range = splits.toy.map_or(4.0, |t| t.plot_range());
        save_scatter(path, &points, range, SCATTER_PIXELS)?;
    }
    Ok(())
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
    Ok((load_named(model, &tensors::load(&path)?)?, used_ema))
}
