//! `genzoo bench SUITE`: a named suite of runs (train a preset, then evaluate it), resumable,
//! whose results are kept as data and rendered into the documentation.
//!
//! A suite is a TOML file (`configs/bench/<name>.toml`, compiled in): a list of entries, each a
//! preset, `--set` overrides and the arguments of its `genzoo eval`. Running it
//! 1. trains every entry into `runs/bench-<suite>/<entry>/` (an entry with a finished row is
//!    skipped; one with checkpoints continues with `--resume`, so a killed suite goes on where
//!    it stopped), then evaluates it;
//! 2. collects one row per entry from its eval JSON into `docs/results/bench_<suite>.json`
//!    (committed: the numbers as data, with the machine and date);
//! 3. renders that file as a Markdown table between the markers
//!    `<!-- bench:<suite>:begin -->` and `<!-- bench:<suite>:end -->` in BENCHMARKS.md and the
//!    README.
//!
//! `--render` redoes step 3 from the committed results; `--check` only compares, so a test can
//! hold the committed tables to the committed data. Entries run as child processes of this
//! binary, exactly the commands a user would type.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use genzoo_plot::thousands;

use crate::args::BenchArgs;

/// The built-in suites, by name.
pub const SUITES: &[(&str, &str)] = &[
    ("toy", include_str!("../../../../configs/bench/toy.toml")),
    (
        "mnist",
        include_str!("../../../../configs/bench/mnist.toml"),
    ),
];

/// A suite as its TOML file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    /// Its name (`genzoo bench NAME`).
    pub name: String,
    /// The table's caption.
    pub title: String,
    /// The budget the suite is sized for, in words.
    pub budget: String,
    /// What the table's measurements are, printed above it (default: the toy suite's).
    #[serde(default)]
    pub note: Option<String>,
    /// The runs.
    #[serde(rename = "entry")]
    pub entries: Vec<Entry>,
}

/// One run of a suite.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Run directory name under the suite's runs directory.
    pub name: String,
    /// The built-in preset it trains.
    pub preset: String,
    /// `--set` overrides of the preset.
    #[serde(default)]
    pub set: Vec<String>,
    /// Arguments of its `genzoo eval` (likelihood, or a toy's sample scores); absent: none.
    #[serde(default)]
    pub eval: Option<Vec<String>>,
    /// Arguments of its `genzoo eval --quality` (sample quality through a feature net);
    /// absent: none.
    #[serde(default)]
    pub quality: Option<Vec<String>>,
}

/// A suite's committed results.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Results {
    /// The suite's name.
    pub suite: String,
    /// The table's caption.
    pub title: String,
    /// The budget the suite is sized for.
    pub budget: String,
    /// What the measurements are (the suite's `note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// CPU model and core count of the machine that ran it.
    pub machine: String,
    /// UTC date of the last entry run.
    pub date: String,
    /// Sum over entries of training and evaluation wall time, seconds.
    pub total_seconds: f64,
    /// One row per entry, in the suite's order.
    pub rows: Vec<Row>,
}

/// One entry's numbers, read from its eval JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Row {
    /// Entry name.
    pub entry: String,
    /// The command that trained it.
    pub train: String,
    /// The command that evaluated it.
    pub eval: String,
    /// Family.
    pub family: String,
    /// Toy.
    pub data: String,
    /// Trainable parameters.
    pub parameters: u64,
    /// Training steps.
    pub steps: u64,
    /// Training wall time, seconds (over every resume).
    pub training_seconds: f64,
    /// Evaluation wall time, seconds.
    pub eval_seconds: f64,
    /// Test NLL in nats, where the family has a likelihood.
    pub nll: Option<f64>,
    /// `exact` or `IWAE k=N bound`.
    pub nll_kind: Option<String>,
    /// The toy's true entropy, where known.
    pub oracle_nll: Option<f64>,
    /// Energy distance of the samples to fresh draws.
    pub energy_distance: Option<f64>,
    /// The same between two draws of the toy.
    pub energy_floor: Option<f64>,
    /// Samples (and fresh draws) behind the energy distance.
    pub distance_samples: Option<u64>,
    /// Samples per second of the run's own sampler.
    pub samples_per_second: Option<f64>,
    /// `covered/modes` on a mixture toy, for families scored by mode coverage.
    pub modes: Option<String>,
    /// Bits per dimension of the NLL (images).
    #[serde(default)]
    pub bits_per_dim: Option<f64>,
    /// FID through the feature net.
    #[serde(default)]
    pub fid: Option<f64>,
    /// Samples behind the FID.
    #[serde(default)]
    pub fid_samples: Option<u64>,
    /// SHA-256 of the feature net's weights.
    #[serde(default)]
    pub feature_net: Option<String>,
    /// k-NN precision and recall of the samples.
    #[serde(default)]
    pub precision_recall: Option<(f64, f64)>,
    /// Test accuracy (a classifier entry, e.g. the feature net itself).
    #[serde(default)]
    pub accuracy: Option<f64>,
}

/// Run, render or check a suite.
pub fn run(args: BenchArgs) -> Result<()> {
    let suite = load_suite(&args.suite)?;
    let results_path = args
        .results
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("docs/results/bench_{}.json", suite.name)));
    if args.check || args.render {
        let results = read_results(&results_path)?;
        return if args.check {
            check_docs(&results, &args.docs)
        } else {
            write_docs(&results, &args.docs)
        };
    }
    let runs = args
        .runs
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("runs/bench-{}", suite.name)));
    let exe = std::env::current_exe().context("locating the genzoo binary")?;
    let started = Instant::now();
    let mut rows = Vec::new();
    for (i, entry) in suite.entries.iter().enumerate() {
        out!(
            "bench {}: entry {}/{} {} ({})",
            suite.name,
            i + 1,
            suite.entries.len(),
            entry.name,
            entry.preset
        );
        rows.push(run_entry(&exe, &runs, entry)?);
    }
    let results = Results {
        suite: suite.name.clone(),
        title: suite.title.clone(),
        budget: suite.budget.clone(),
        note: suite.note.clone(),
        machine: machine(),
        date: today()?,
        total_seconds: rows
            .iter()
            .map(|r| r.training_seconds + r.eval_seconds)
            .sum(),
        rows,
    };
    let text = serde_json::to_string_pretty(&results)? + "\n";
    genzoo_data::write_atomic(&results_path, text.as_bytes())
        .with_context(|| format!("writing {}", results_path.display()))?;
    out!(
        "bench {}: {} entries, {:.0} s of training and evaluation ({:.0} s this invocation); \
         results in {}",
        suite.name,
        results.rows.len(),
        results.total_seconds,
        started.elapsed().as_secs_f64(),
        results_path.display()
    );
    write_docs(&results, &args.docs)
}

/// A built-in suite by name, or a suite file by path.
fn load_suite(name: &str) -> Result<Suite> {
    let (text, origin) = match SUITES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => (text.to_string(), format!("built-in suite `{name}`")),
        None if Path::new(name).is_file() => (
            std::fs::read_to_string(name).with_context(|| format!("reading {name}"))?,
            name.to_string(),
        ),
        None => bail!(
            "no suite `{name}`: the built-in suites are {}, or name a suite file",
            SUITES
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let suite: Suite = toml::from_str(&text).with_context(|| format!("parsing {origin}"))?;
    if suite.entries.is_empty() {
        bail!("{origin} has no [[entry]]");
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &suite.entries {
        if e.name.is_empty() || e.name.contains(['/', '\\']) || e.name.starts_with('.') {
            bail!(
                "{origin}: entry name {:?} is not a plain directory name",
                e.name
            );
        }
        if !seen.insert(&e.name) {
            bail!("{origin}: entry `{}` appears twice", e.name);
        }
        if !crate::presets::PRESETS.iter().any(|(n, _)| *n == e.preset) {
            bail!(
                "{origin}: entry `{}` names the preset `{}`, which does not exist (genzoo presets)",
                e.name,
                e.preset
            );
        }
    }
    Ok(suite)
}

/// The row file of a finished entry, inside its run directory.
const ROW_FILE: &str = "bench-row.json";

/// Train (or resume) and evaluate one entry; its row. A finished entry is read back.
fn run_entry(exe: &Path, runs: &Path, entry: &Entry) -> Result<Row> {
    let dir = runs.join(&entry.name);
    let row_path = dir.join(ROW_FILE);
    if row_path.is_file() {
        let text = std::fs::read_to_string(&row_path)
            .with_context(|| format!("reading {}", row_path.display()))?;
        if let Ok(row) = serde_json::from_str::<Row>(&text) {
            out!("  done before: {}", row_path.display());
            return Ok(row);
        }
        out!(
            "  {} is unreadable: running the entry again",
            row_path.display()
        );
    }
    let mut train: Vec<String> = vec![
        "train".into(),
        "--preset".into(),
        entry.preset.clone(),
        "--runs".into(),
        runs.display().to_string(),
        "--set".into(),
        format!("name={}", entry.name),
    ];
    for s in &entry.set {
        train.push("--set".into());
        train.push(s.clone());
    }
    let resume = dir.join("ckpt").is_dir();
    let mut train_args = train.clone();
    train_args.push(if resume { "--resume" } else { "--fresh" }.into());
    run_child(exe, &train_args)?;
    let base: Vec<String> = vec!["eval".into(), dir.display().to_string(), "--latest".into()];
    let started = Instant::now();
    let mut commands = Vec::new();
    let mut report = serde_json::Map::new();
    // `{runs}` in an entry's arguments names the suite's runs directory (the feature net
    // trained by an earlier entry, wherever --runs puts it).
    let runs_text = runs.display().to_string();
    let expand = |args: &[String]| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("{runs}", &runs_text))
            .collect()
    };
    if let Some(args) = &entry.eval {
        let eval = [base.clone(), expand(args)].concat();
        run_child(exe, &eval)?;
        if let Value::Object(m) = newest_eval(&dir, "test-")? {
            report.extend(m);
        }
        commands.push(eval);
    }
    if let Some(args) = &entry.quality {
        let eval = [base.clone(), vec!["--quality".into()], expand(args)].concat();
        run_child(exe, &eval)?;
        if let Value::Object(m) = newest_eval(&dir, "quality-")? {
            for (k, v) in m {
                // The quality report's `samples` counts the FID's samples.
                let k = if k == "samples" {
                    "fid_samples".into()
                } else {
                    k
                };
                report.entry(k).or_insert(v);
            }
        }
        commands.push(eval);
    }
    if commands.is_empty() {
        bail!("entry `{}` has neither `eval` nor `quality`", entry.name);
    }
    let eval_seconds = started.elapsed().as_secs_f64();
    let eval_text: Vec<String> = commands.iter().map(|c| shell_words(c)).collect();
    let row = row_from(
        &dir,
        entry,
        &train,
        &eval_text,
        &Value::Object(report),
        eval_seconds,
    )?;
    genzoo_data::write_atomic(&row_path, serde_json::to_string_pretty(&row)?.as_bytes())
        .with_context(|| format!("writing {}", row_path.display()))?;
    Ok(row)
}

/// Run `genzoo ARGS…` with the terminal attached; an error naming the command if it fails.
fn run_child(exe: &Path, args: &[String]) -> Result<()> {
    let status = Command::new(exe)
        .args(args)
        .status()
        .with_context(|| format!("starting {}", exe.display()))?;
    if !status.success() {
        bail!("`genzoo {}` failed ({status})", shell_words(args));
    }
    Ok(())
}

/// Arguments as a user would type them (quoting those with spaces or quotes).
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.contains([' ', '"', '\'']) {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The newest `eval/<prefix>*.json` of a run directory.
fn newest_eval(dir: &Path, prefix: &str) -> Result<Value> {
    let eval = dir.join("eval");
    let reports = super::scoreboard::eval_reports(&eval, |name| name.starts_with(prefix))?;
    match reports.into_iter().last() {
        Some((_, v)) => Ok(v),
        None => bail!("{} holds no {prefix}*.json report", eval.display()),
    }
}

/// An entry's row from its eval report.
fn row_from(
    dir: &Path,
    entry: &Entry,
    train: &[String],
    eval: &[String],
    report: &Value,
    eval_seconds: f64,
) -> Result<Row> {
    let f = |k: &str| report.get(k).and_then(Value::as_f64);
    let config: toml::Table = report
        .get("config")
        .and_then(Value::as_str)
        .map(toml::from_str)
        .transpose()
        .context("the eval report's model config")?
        .unwrap_or_default();
    let nll_kind = f("nll").map(|_| match report.get("k").and_then(Value::as_u64) {
        Some(k) => format!("IWAE k={k} bound"),
        None => "exact".to_string(),
    });
    let modes = match (
        report.get("modes_covered").and_then(Value::as_u64),
        report.get("modes").and_then(Value::as_u64),
    ) {
        (Some(c), Some(m)) => Some(format!("{c}/{m}")),
        _ => None,
    };
    // The run's resolved config: the preset with the entry's overrides applied.
    let data = super::scoreboard::data_description(&super::scoreboard::read_config(dir)?);
    Ok(Row {
        entry: entry.name.clone(),
        train: format!("genzoo {}", shell_words(train)),
        eval: eval
            .iter()
            .map(|c| format!("genzoo {c}"))
            .collect::<Vec<_>>()
            .join("; "),
        family: report
            .get("family")
            .and_then(Value::as_str)
            .or_else(|| config.get("family").and_then(toml::Value::as_str))
            .unwrap_or("?")
            .to_string(),
        data,
        parameters: report
            .get("parameters")
            .and_then(Value::as_u64)
            .context("the eval report has no parameter count")?,
        steps: report.get("step").and_then(Value::as_u64).unwrap_or(0),
        training_seconds: f("training_seconds").unwrap_or(0.0),
        eval_seconds,
        nll: f("nll"),
        nll_kind,
        oracle_nll: f("oracle_nll"),
        energy_distance: f("energy_distance"),
        energy_floor: f("energy_floor"),
        distance_samples: report.get("distance_samples").and_then(Value::as_u64),
        samples_per_second: f("samples_per_second"),
        modes,
        bits_per_dim: f("bits_per_dim"),
        fid: f("fid"),
        fid_samples: report.get("fid_samples").and_then(Value::as_u64),
        feature_net: report
            .get("feature_net_sha256")
            .and_then(Value::as_str)
            .map(str::to_string),
        precision_recall: f("precision").zip(f("recall")),
        accuracy: f("accuracy"),
    })
}

fn read_results(path: &Path) -> Result<Results> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading {} (run the suite first: genzoo bench SUITE)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Family names as a reader knows them.
fn family_name(f: &str) -> &str {
    match f {
        "vae" => "VAE",
        "realnvp" => "RealNVP",
        "planar" => "planar flow",
        "ddpm" => "DDPM",
        "gan" => "GAN",
        "rectified_flow" => "rectified flow",
        "nice" => "NICE",
        other => other,
    }
}

/// How a column's cell is made from a row.
type Cell = Box<dyn Fn(&Row) -> String>;

/// The Markdown table of a suite's results (what the docs hold between the markers).
pub fn render(r: &Results) -> String {
    let mut counts: Vec<u64> = r.rows.iter().filter_map(|x| x.distance_samples).collect();
    counts.sort_unstable();
    counts.dedup();
    let count = match counts.as_slice() {
        [n] => thousands(*n),
        _ => "N (per row)".to_string(),
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}. Machine: {}; {}; total {:.0} s of training and evaluation (budget: {}). {} \
         Data: `docs/results/bench_{}.json`; regenerate the table with \
         `genzoo bench {} --render`.",
        r.title,
        r.machine,
        r.date,
        r.total_seconds,
        r.budget,
        r.note.clone().unwrap_or_else(|| format!(
            "Energy distance: {count} samples against {count} fresh draws of the toy, floor = \
             a second draw against the same (it can fall below 0: the estimate is unbiased); \
             NLL on the test split in nats, with its gap to the toy's true entropy where known."
        )),
        r.suite,
        r.suite
    );
    s.push('\n');
    // A column appears when some row has its measurement; an empty cell says why.
    let any = |f: &dyn Fn(&Row) -> bool| r.rows.iter().any(f);
    let cols: Vec<(&str, &str, Cell)> = [
        (
            true,
            "data",
            "---",
            Box::new(|x: &Row| x.data.clone()) as Box<dyn Fn(&Row) -> String>,
        ),
        (
            true,
            "family",
            "---",
            Box::new(|x: &Row| family_name(&x.family).to_string()),
        ),
        (
            true,
            "parameters",
            "---:",
            Box::new(|x: &Row| thousands(x.parameters)),
        ),
        (
            true,
            "steps",
            "---:",
            Box::new(|x: &Row| thousands(x.steps)),
        ),
        (
            true,
            "train s",
            "---:",
            Box::new(|x: &Row| format!("{:.0}", x.training_seconds)),
        ),
        (
            any(&|x| x.nll.is_some()),
            "test NLL (nats)",
            "---",
            Box::new(|x: &Row| match (x.nll, &x.nll_kind) {
                (Some(n), Some(k)) => format!("{n:.3} ({k})"),
                (Some(n), None) => format!("{n:.3}"),
                _ => super::scoreboard::no_likelihood(&x.family).to_string(),
            }),
        ),
        (
            any(&|x| x.bits_per_dim.is_some()),
            "bits/dim",
            "---:",
            Box::new(|x: &Row| x.bits_per_dim.map_or("—".into(), |b| format!("{b:.4}"))),
        ),
        (
            any(&|x| x.oracle_nll.is_some()),
            "gap to true entropy",
            "---:",
            Box::new(|x: &Row| match (x.nll, x.oracle_nll) {
                (Some(n), Some(o)) => format!("{:.3}", n - o),
                (Some(_), None) => "no true entropy".into(),
                _ => "—".into(),
            }),
        ),
        (
            any(&|x| x.energy_distance.is_some()),
            "energy distance (floor)",
            "---",
            Box::new(|x: &Row| match (x.energy_distance, x.energy_floor) {
                (Some(e), Some(f)) => format!("{e:.4} ({f:.4})"),
                (Some(e), None) => format!("{e:.4}"),
                _ => "no sampler".into(),
            }),
        ),
        (
            any(&|x| x.modes.is_some()),
            "modes",
            "---:",
            Box::new(|x: &Row| x.modes.clone().unwrap_or_else(|| "not a mode toy".into())),
        ),
        (
            any(&|x| x.fid.is_some()),
            "FID (samples, feature net)",
            "---",
            Box::new(|x: &Row| match x.fid {
                Some(f) => format!(
                    "{f:.2} ({}, {}…)",
                    x.fid_samples.map_or("?".into(), thousands),
                    x.feature_net
                        .as_deref()
                        .map_or("?", |h| &h[..h.len().min(12)])
                ),
                None if x.family == "classifier" => "the feature net".into(),
                None => "not measured".into(),
            }),
        ),
        (
            any(&|x| x.precision_recall.is_some()),
            "precision / recall",
            "---",
            Box::new(|x: &Row| {
                x.precision_recall
                    .map_or("—".into(), |(p, q)| format!("{p:.3} / {q:.3}"))
            }),
        ),
        (
            any(&|x| x.accuracy.is_some()),
            "test accuracy",
            "---:",
            Box::new(|x: &Row| {
                x.accuracy
                    .map_or("not a classifier".into(), |a| format!("{:.2}%", 100.0 * a))
            }),
        ),
        (
            true,
            "samples/s",
            "---:",
            Box::new(|x: &Row| {
                x.samples_per_second
                    .map_or("—".into(), |v| thousands(v.round() as u64))
            }),
        ),
    ]
    .into_iter()
    .filter(|c| c.0)
    .map(|(_, h, a, f)| (h, a, f))
    .collect();
    let _ = writeln!(
        s,
        "| {} |",
        cols.iter().map(|c| c.0).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(
        s,
        "|{}|",
        cols.iter().map(|c| c.1).collect::<Vec<_>>().join("|")
    );
    for row in &r.rows {
        let cells: Vec<String> = cols.iter().map(|c| (c.2)(row)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s
}

fn markers(suite: &str) -> (String, String) {
    (
        format!("<!-- bench:{suite}:begin (generated by `genzoo bench {suite} --render`) -->"),
        format!("<!-- bench:{suite}:end -->"),
    )
}

/// `text` with the span between the suite's markers replaced by `table`; `None` if the
/// markers are absent.
fn splice(text: &str, suite: &str, table: &str) -> Option<String> {
    let (begin, end) = markers(suite);
    let a = text.find(&begin)? + begin.len();
    let b = a + text[a..].find(&end)?;
    Some(format!("{}\n{}{}", &text[..a], table, &text[b..]))
}

/// Write the rendered table into every document that holds the suite's markers.
fn write_docs(results: &Results, docs: &[PathBuf]) -> Result<()> {
    sync_docs(results, docs, true)
}

/// Fail when a document's table differs from what the results render to.
fn check_docs(results: &Results, docs: &[PathBuf]) -> Result<()> {
    sync_docs(results, docs, false)
}

/// Every document holding the suite's markers gets the rendered table (`write`) or is
/// compared with it (an error naming the first that differs); at least one must hold them.
fn sync_docs(results: &Results, docs: &[PathBuf], write: bool) -> Result<()> {
    let table = render(results);
    let suite = &results.suite;
    let mut touched = 0;
    for doc in docs {
        let text =
            std::fs::read_to_string(doc).with_context(|| format!("reading {}", doc.display()))?;
        let Some(new) = splice(&text, suite, &table) else {
            continue;
        };
        touched += 1;
        if new == text {
            continue;
        }
        if !write {
            bail!(
                "{}: the `{suite}` table differs from what the committed results render to; \
                 run `genzoo bench {suite} --render`",
                doc.display()
            );
        }
        genzoo_data::write_atomic(doc, new.as_bytes())
            .with_context(|| format!("writing {}", doc.display()))?;
        out!("rendered   {}", doc.display());
    }
    if touched == 0 {
        let (begin, end) = markers(suite);
        bail!(
            "none of {} holds the markers of suite `{suite}`; put\n{begin}\n{end}\nwhere the \
             table goes",
            docs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !write {
        out!("{touched} document(s) match the results of suite `{suite}`");
    }
    Ok(())
}

/// CPU model and core count, for the results file.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{model}, {cores} cores")
}

/// Today's UTC date, `YYYY-MM-DD`.
fn today() -> Result<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?
        .as_secs();
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_between_markers() {
        let (b, e) = markers("toy");
        let doc = format!("head\n{b}\nold\n{e}\ntail\n");
        let new = splice(&doc, "toy", "NEW\n").expect("markers");
        assert_eq!(new, format!("head\n{b}\nNEW\n{e}\ntail\n"));
        assert_eq!(splice(&new, "toy", "NEW\n").as_deref(), Some(new.as_str()));
        assert!(splice("no markers", "toy", "x").is_none());
    }

    #[test]
    fn the_built_in_suites_parse_and_name_real_presets() {
        for (name, _) in SUITES {
            let s = load_suite(name).expect("suite");
            assert_eq!(&s.name, name);
        }
    }
}
