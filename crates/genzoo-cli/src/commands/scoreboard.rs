//! `genzoo scoreboard`: one table of every run's measured numbers.
//!
//! Reads `runs/<name>/config.toml` and the JSON files `genzoo eval` writes into
//! `runs/<name>/eval/`, and prints (or writes) a Markdown table with one row per run:
//! likelihood in nats and bits/dim, sample quality (FID, KID), sampling speed, training time.
//! Every number comes from a file a command wrote; a cell no command has measured is "—".
//!
//! An eval file counts for the columns whose keys it holds: `nll` (+ `bits_per_dim`,
//! `oracle_nll`, `k`), `fid` (+ `kid`/`kid_mean`, `samples`), `samples_per_second`,
//! `accuracy`. Where several files hold a key, the newest (by modification time) wins, so the
//! table shows the last measurement.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::args::ScoreboardArgs;

/// One run's row.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Row {
    /// Run directory name.
    pub run: String,
    /// Family as the config names it.
    pub family: String,
    /// Data description: a toy's name or `mnist/<view>`.
    pub data: String,
    /// Newest likelihood file's values.
    pub nll: Option<f64>,
    /// How the NLL was measured: `exact` or `IWAE-k`.
    pub nll_kind: Option<String>,
    /// Bits per dimension of the same file.
    pub bits_per_dim: Option<f64>,
    /// The true entropy of a toy, when known.
    pub oracle: Option<f64>,
    /// Fréchet distance in the feature net's space.
    pub fid: Option<f64>,
    /// Kernel inception distance (mean over subsets).
    pub kid: Option<f64>,
    /// Samples drawn per second.
    pub samples_per_second: Option<f64>,
    /// Test accuracy of a classifier.
    pub accuracy: Option<f64>,
    /// Wall-clock training time of the evaluated checkpoint, seconds.
    pub training_seconds: Option<f64>,
    /// Trainable parameters (recorded by `genzoo eval`).
    pub parameters: Option<u64>,
    /// Samples behind the FID.
    pub fid_samples: Option<u64>,
    /// SHA-256 of the feature net's weights behind the FID.
    pub feature_net: Option<String>,
    /// Energy distance of samples to fresh draws of a toy, and its floor.
    pub energy: Option<(f64, f64)>,
}

/// Print or write the scoreboard.
pub fn run(args: ScoreboardArgs) -> Result<()> {
    let rows = collect(&args.runs)?;
    if rows.is_empty() {
        bail!(
            "no runs with a config.toml under {}; train one with `genzoo train`",
            args.runs.display()
        );
    }
    let table = render(&rows);
    match &args.out {
        Some(path) => {
            genzoo_data::write_atomic(path, table.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            out!("written {} ({} runs)", path.display(), rows.len());
        }
        None => out_nonl!("{table}"),
    }
    Ok(())
}

/// A row for every run directory under `runs` that holds a `config.toml`, sorted by name.
pub fn collect(runs: &Path) -> Result<Vec<Row>> {
    let entries = std::fs::read_dir(runs)
        .with_context(|| format!("reading the runs directory {}", runs.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("config.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| row(d)).collect()
}

/// The row of one run directory, from its config and every report in its `eval/`.
pub fn row(dir: &Path) -> Result<Row> {
    row_with(dir, &eval_reports(&dir.join("eval"), |_| true)?)
}

/// The row of one run directory, from its config and `reports` (oldest first, as
/// [`eval_reports`] lists them).
pub fn row_with(dir: &Path, reports: &[(PathBuf, Value)]) -> Result<Row> {
    let config = read_config(dir)?;
    let mut row = Row {
        run: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        family: field(&config, "model", "family").unwrap_or_else(|| "?".into()),
        data: data_description(&config),
        ..Row::default()
    };
    for (_, value) in reports {
        merge(&mut row, value);
    }
    Ok(row)
}

/// A run directory's `config.toml` as a table.
pub fn read_config(dir: &Path) -> Result<toml::Table> {
    let path = dir.join("config.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn field(config: &toml::Table, table: &str, key: &str) -> Option<String> {
    config
        .get(table)
        .and_then(|t| t.get(key))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// What a run trains on, as tables name it: the toy, `mnist/<view>`, or the data source.
pub fn data_description(config: &toml::Table) -> String {
    match field(config, "data", "source").as_deref() {
        Some("mnist") => format!(
            "mnist/{}",
            field(config, "data", "view").unwrap_or_else(|| "?".into())
        ),
        Some("toy") | None => field(config, "data", "toy").unwrap_or_else(|| "?".into()),
        Some(other) => other.to_string(),
    }
}

/// The JSON reports in `dir` whose file names `keep` accepts, with their paths, oldest first
/// (by modification time); a missing directory holds none. The scoreboard, `genzoo report` and
/// `genzoo bench` all read a run's `eval/` through this.
pub fn eval_reports(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<(PathBuf, Value)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .filter_map(|p| {
            let t = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((t, p))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, p)| {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            let v =
                serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))?;
            Ok((p, v))
        })
        .collect()
}

/// Fold one eval file into the row; later files overwrite the keys they hold.
pub fn merge(row: &mut Row, v: &Value) {
    let num = |k: &str| v.get(k).and_then(Value::as_f64);
    if let Some(nll) = num("nll") {
        row.nll = Some(nll);
        row.bits_per_dim = num("bits_per_dim");
        row.oracle = num("oracle_nll");
        row.nll_kind = Some(match v.get("k").and_then(Value::as_u64) {
            Some(k) => format!("IWAE-{k}"),
            None => "exact".into(),
        });
    }
    if let Some(fid) = num("fid") {
        row.fid = Some(fid);
        row.kid = num("kid_mean").or_else(|| num("kid"));
        row.fid_samples = v.get("samples").and_then(Value::as_u64);
        row.feature_net = v
            .get("feature_net_sha256")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    if let (Some(e), Some(f)) = (num("energy_distance"), num("energy_floor")) {
        row.energy = Some((e, f));
    }
    if let Some(p) = v.get("parameters").and_then(Value::as_u64) {
        row.parameters = Some(p);
    }
    if let Some(s) = num("samples_per_second") {
        row.samples_per_second = Some(s);
    }
    if let Some(a) = num("accuracy") {
        row.accuracy = Some(a);
    }
    if let Some(t) = num("training_seconds") {
        row.training_seconds = Some(t);
    }
}

/// Column titles of the scoreboard, in order.
pub const COLUMNS: [&str; 12] = [
    "run",
    "family",
    "data",
    "parameters",
    "NLL (nats)",
    "measured by",
    "bits/dim or gap to true entropy",
    "FID (samples, feature net)",
    "KID",
    "energy distance (floor)",
    "samples/s",
    "training",
];

/// Why a family has no likelihood cell (the scoreboard's and the bench tables').
pub fn no_likelihood(family: &str) -> &'static str {
    match family {
        "gan" => "no likelihood: GAN",
        "ddpm" => "not implemented: DDPM's bound",
        "rectified_flow" => "not implemented: the flow ODE's likelihood",
        "cpc" | "classifier" => "not a density model",
        _ => "not measured (genzoo eval)",
    }
}

/// A row's cells as text, in [`COLUMNS`] order; an empty cell says why it is empty.
pub fn cells(r: &Row) -> Vec<String> {
    let toy = !r.data.starts_with("mnist");
    let nll = r.nll.map_or_else(
        || no_likelihood(&r.family).to_string(),
        |v| format!("{v:.3}"),
    );
    let kind = match (&r.nll_kind, r.nll) {
        (Some(k), Some(_)) if k == "exact" => "exact".to_string(),
        (Some(k), Some(_)) => format!("{k} bound"),
        _ => "—".into(),
    };
    let scale = match (r.nll, r.bits_per_dim, r.oracle) {
        (Some(_), Some(b), _) => format!("{b:.4} bits/dim"),
        (Some(n), None, Some(o)) => format!("gap {:.3}", n - o),
        (Some(_), None, None) => "no true entropy".into(),
        _ => "—".into(),
    };
    let fid = match (r.fid, toy) {
        (Some(f), _) => format!(
            "{f:.2} ({}, {})",
            r.fid_samples.map_or("? samples".into(), |n| format!(
                "{} samples",
                genzoo_plot::thousands(n)
            )),
            r.feature_net
                .as_deref()
                .map_or("?".into(), |h| format!("{}…", &h[..h.len().min(12)]))
        ),
        (None, true) => "toy: no images".into(),
        (None, false) if matches!(r.family.as_str(), "cpc" | "classifier") => {
            "not a generator".into()
        }
        (None, false) => "not measured (eval --quality)".into(),
    };
    let energy = match (r.energy, toy) {
        (Some((e, f)), _) => format!("{e:.4} ({f:.4})"),
        (None, false) => "images: see FID".into(),
        (None, true) => "not measured (genzoo eval)".into(),
    };
    vec![
        r.run.clone(),
        r.family.clone(),
        r.data.clone(),
        r.parameters.map_or(
            "not recorded (eval before 2026-12-06)".into(),
            genzoo_plot::thousands,
        ),
        nll,
        kind,
        scale,
        fid,
        r.kid.map_or("—".into(), |k| format!("{k:.4}")),
        energy,
        r.samples_per_second.map_or("not measured".into(), |v| {
            genzoo_plot::thousands(v.round() as u64)
        }),
        r.training_seconds.map_or("—".into(), duration),
    ]
}

/// A Markdown table of the rows.
pub fn render(rows: &[Row]) -> String {
    let mut s = format!(
        "| {} |\n|---|---|---|---:|---:|---|---|---|---:|---|---:|---:|\n",
        COLUMNS.join(" | ")
    );
    for r in rows {
        let _ = writeln!(s, "| {} |", cells(r).join(" | "));
    }
    s
}

/// Seconds as `Ns`, `Nm`, or `N.Nh`.
fn duration(secs: f64) -> String {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    if secs < MINUTE {
        format!("{secs:.0} s")
    } else if secs < HOUR {
        format!("{:.0} min", secs / MINUTE)
    } else {
        format!("{:.1} h", secs / HOUR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_files_overwrite_only_their_own_columns() {
        let mut r = Row::default();
        merge(
            &mut r,
            &serde_json::json!({"nll": 88.5, "bits_per_dim": 0.16, "k": 5000, "training_seconds": 800.0}),
        );
        merge(&mut r, &serde_json::json!({"fid": 3.25, "kid_mean": 0.001}));
        merge(&mut r, &serde_json::json!({"nll": 90.0}));
        assert_eq!(r.nll, Some(90.0));
        assert_eq!(r.nll_kind.as_deref(), Some("exact"));
        assert_eq!(
            r.bits_per_dim, None,
            "bits/dim belongs to the newest NLL file"
        );
        assert_eq!(r.fid, Some(3.25));
        assert_eq!(r.kid, Some(0.001));
        assert_eq!(r.training_seconds, Some(800.0));
    }

    #[test]
    fn table_marks_unmeasured_cells() {
        let r = Row {
            run: "toy".into(),
            family: "vae".into(),
            data: "8gaussians".into(),
            nll: Some(2.9061),
            nll_kind: Some("IWAE-1000".into()),
            oracle: Some(2.8319),
            training_seconds: Some(4000.0),
            ..Row::default()
        };
        let t = render(&[r]);
        let line = t.lines().nth(2).unwrap_or_default();
        assert_eq!(
            line,
            "| toy | vae | 8gaussians | not recorded (eval before 2026-12-06) | 2.906 | IWAE-1000 bound | gap 0.074 | toy: no images | — \
             | not measured (genzoo eval) | not measured | 1.1 h |"
        );
        let gan = Row {
            family: "gan".into(),
            data: "mnist/symmetric".into(),
            ..Row::default()
        };
        let cells = cells(&gan);
        assert_eq!(cells[4], "no likelihood: GAN");
        assert_eq!(cells[7], "not measured (eval --quality)");
    }
}
