//! The run directory: `runs/<name>/{config.toml, metrics.jsonl, samples/, ckpt/}`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use genzoo_data::write_atomic;
use genzoo_plot::{Axis, Chart, Series};

use crate::{TrainConfig, TrainError};

/// Name of the resolved config inside a run directory.
pub const CONFIG_FILE: &str = "config.toml";
/// Name of the metrics log.
pub const METRICS_FILE: &str = "metrics.jsonl";
/// Name of the learning-curve picture.
pub const CURVES_FILE: &str = "curves.png";
/// Size of the learning-curve picture in pixels.
const CURVES_SIZE: (u32, u32) = (720, 420);

/// Paths of one run.
#[derive(Clone, Debug)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// The run at `root` (nothing is created yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `config.toml`.
    pub fn config(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    /// `metrics.jsonl`.
    pub fn metrics(&self) -> PathBuf {
        self.root.join(METRICS_FILE)
    }
    /// `samples/`.
    pub fn samples(&self) -> PathBuf {
        self.root.join("samples")
    }
    /// `ckpt/`.
    pub fn ckpt(&self) -> PathBuf {
        self.root.join("ckpt")
    }

    /// Create the directories and write the resolved config (before step 0).
    pub fn create(&self, config: &TrainConfig) -> Result<(), TrainError> {
        for d in [self.root.clone(), self.samples(), self.ckpt()] {
            std::fs::create_dir_all(&d).map_err(|e| TrainError::io(&d, e))?;
        }
        write_atomic(&self.config(), config.to_toml()?.as_bytes())?;
        Ok(())
    }

    /// The config a run was started with.
    pub fn load_config(&self) -> Result<TrainConfig, TrainError> {
        TrainConfig::load(&self.config(), &[])
    }

    /// Append one JSON line `{"step": .., "split": .., <metrics>}`.
    pub fn log_metrics<K: AsRef<str>>(
        &self,
        step: u64,
        split: &str,
        metrics: &[(K, f64)],
    ) -> Result<(), TrainError> {
        let mut obj = serde_json::Map::new();
        obj.insert("step".into(), step.into());
        obj.insert("split".into(), split.into());
        for (k, v) in metrics {
            let v = serde_json::Number::from_f64(*v).map_or(serde_json::Value::Null, Into::into);
            obj.insert(k.as_ref().to_string(), v);
        }
        let path = self.metrics();
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| TrainError::io(&path, e))?;
        writeln!(f, "{}", serde_json::Value::Object(obj)).map_err(|e| TrainError::io(&path, e))
    }

    /// Draw `curves.png` from `metrics.jsonl`: the train loss (first colour) and the validation
    /// `valid_metric` (second colour) against the step.
    pub fn write_curves(&self, valid_metric: &str) -> Result<(), TrainError> {
        let path = self.metrics();
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        let (mut train, mut valid) = (Vec::new(), Vec::new());
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let (Some(step), Some(split)) = (v["step"].as_f64(), v["split"].as_str()) else {
                continue;
            };
            match (split, v["loss"].as_f64(), v[valid_metric].as_f64()) {
                ("train", Some(loss), _) => train.push((step, loss)),
                ("valid", _, Some(m)) => valid.push((step, m)),
                _ => {}
            }
        }
        if train.len() + valid.len() < 2 {
            return Ok(());
        }
        let name = self
            .root
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let chart = Chart {
            title: name,
            x: Axis::linear("training step"),
            y: Axis::auto(&format!("train loss, valid {valid_metric}")),
            series: vec![
                Series::new("train loss", train),
                Series::new(format!("valid {valid_metric}"), valid),
            ],
            markers: false,
        };
        chart.save_png(&self.root.join(CURVES_FILE), CURVES_SIZE)?;
        Ok(())
    }

    /// Drop log lines after `step`: a resumed run rewrites what followed its checkpoint.
    pub fn truncate_metrics(&self, step: u64) -> Result<(), TrainError> {
        let path = self.metrics();
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(());
        };
        let kept: String = text
            .lines()
            .filter(|l| {
                serde_json::from_str::<serde_json::Value>(l)
                    .ok()
                    .and_then(|v| v.get("step").and_then(|s| s.as_u64()))
                    .is_some_and(|s| s <= step)
            })
            .map(|l| format!("{l}\n"))
            .collect();
        write_atomic(&path, kept.as_bytes())?;
        Ok(())
    }
}
