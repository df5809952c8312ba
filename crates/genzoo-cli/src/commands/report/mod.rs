//! `genzoo report RUNS… --out report.html`: one self-contained HTML page comparing runs.
//!
//! The page holds the scoreboard of the runs ([`super::scoreboard`]), the committed suite and
//! sampler results (`docs/results/`: the `genzoo bench` tables, the DDIM S × η and
//! rectified-flow NFE sweeps as charts), then one section per run ([`run`]). Every number is
//! read from a file a genzoo command wrote; nothing is measured here. Published anchors come
//! from `docs/results/anchors.toml` (compiled in), each with its source.
//!
//! A run argument is a run directory (holding `config.toml`) or a directory of runs.

mod html;
mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use genzoo_plot::{Axis, Chart, Series};
use serde::Deserialize;

use self::html::{escape, figure, table};
use crate::args::ReportArgs;

/// The anchors shown beside runs.
const ANCHORS: &str = include_str!("../../../../../docs/results/anchors.toml");

/// A published number for runs of one name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// Run name it applies to: the name itself or the name followed by `_…`.
    pub run: String,
    /// What is measured.
    pub metric: String,
    /// The published value.
    pub value: String,
    /// Where it is from, and how it differs from genzoo's measurement.
    pub source: String,
}

impl Anchor {
    fn matches(&self, run: &str) -> bool {
        run == self.run
            || run
                .strip_prefix(self.run.as_str())
                .is_some_and(|rest| rest.starts_with('_'))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Anchors {
    anchor: Vec<Anchor>,
}

/// Write the report.
pub fn run(args: ReportArgs) -> Result<()> {
    let dirs = run_dirs(&args.runs)?;
    let anchors: Anchors = toml::from_str(ANCHORS).context("parsing the built-in anchors")?;
    let ext = args.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "html" | "htm") {
        bail!(
            "--out {}: the report is HTML; name a .html file",
            args.out.display()
        );
    }
    let mut floors = BTreeMap::new();
    let mut sections = Vec::new();
    let mut rows = Vec::new();
    for d in &dirs {
        // Each run's reports are read once, for its scoreboard row and its cards.
        let reports = super::scoreboard::eval_reports(&d.join("eval"), |_| true)?;
        rows.push(super::scoreboard::cells(&super::scoreboard::row_with(
            d, &reports,
        )?));
        sections.push(
            run::section(d, &reports, &anchors.anchor, &mut floors)
                .with_context(|| format!("the report section of {}", d.display()))?,
        );
    }

    let mut body = String::from("<header><h1>genzoo report</h1>");
    body.push_str(&format!(
        "<p class=\"meta\">{} runs; machine {}; written by <code>genzoo report</code>. Every \
         number below was read from a file a genzoo command wrote (the run's eval/ and \
         metrics.jsonl, docs/results/); empty cells say why they are empty.</p></header>",
        dirs.len(),
        escape(&crate::commands::bench::machine())
    ));
    body.push_str("<nav><ul>");
    body.push_str("<li><a href=\"#scoreboard\">scoreboard</a></li>");
    let sweeps = sweeps(&args.results)?;
    if !sweeps.is_empty() {
        body.push_str("<li><a href=\"#sweeps\">sampler sweeps</a></li>");
    }
    for (id, _) in &sections {
        let name = id.trim_start_matches("run-");
        body.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>", escape(name)));
    }
    body.push_str("</ul></nav>");
    body.push_str(
        "<section id=\"scoreboard\" data-required><h2>Scoreboard</h2><p>One row per run: \
         likelihood where the family has one (exact or a bound, said in the row), sample \
         quality through the MNIST feature net (the samples and the net's hash behind each \
         FID) or, on 2-D toys, the energy distance to fresh draws beside its floor; sampling \
         speed and training time.</p><div class=\"scroll\">",
    );
    body.push_str(&table(&super::scoreboard::COLUMNS, &rows));
    body.push_str("</div></section>");
    if !sweeps.is_empty() {
        body.push_str(
            "<section id=\"sweeps\" data-required><h2>Sampler sweeps</h2><p>From the committed \
             cells in docs/results/ (BENCHMARKS.md gives their commands). FIDs at 1,000 \
             samples: compare them with each other, not with 10,000-sample FIDs.</p>\
             <div class=\"row\">",
        );
        body.push_str(&sweeps.concat());
        body.push_str("</div></section>");
    }
    for (_, s) in &sections {
        body.push_str(s);
    }
    let page = html::page("genzoo report", &body);
    genzoo_data::write_atomic(&args.out, page.as_bytes())
        .with_context(|| format!("writing {}", args.out.display()))?;
    out!(
        "written    {} ({} runs, {:.1} MB)",
        args.out.display(),
        dirs.len(),
        page.len() as f64 / 1e6
    );
    Ok(())
}

/// Run directories from the arguments: each is a run (has `config.toml`) or holds runs.
fn run_dirs(args: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if args.is_empty() {
        bail!("name the runs to report: genzoo report runs/NAME… (or a directory of runs)");
    }
    let mut dirs = Vec::new();
    for a in args {
        if a.join("config.toml").is_file() {
            dirs.push(a.clone());
        } else if a.is_dir() {
            let mut inner: Vec<PathBuf> = std::fs::read_dir(a)
                .with_context(|| format!("reading {}", a.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join("config.toml").is_file())
                .collect();
            if inner.is_empty() {
                bail!(
                    "{} is neither a run (no config.toml) nor holds runs",
                    a.display()
                );
            }
            inner.sort();
            dirs.extend(inner);
        } else {
            bail!("{}: no such run directory", a.display());
        }
    }
    Ok(dirs)
}

/// Charts of the committed sampler sweeps under `results`, where present.
fn sweeps(results: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    // DDIM: row name, S, FID, …
    if let Some(cells) = read_cells(&results.join("mnist_ddpm_ddim_cells.tsv"))? {
        let series = group(&cells, |c| {
            Some((c.first()?.clone(), num(c, 1)?, num(c, 2)?))
        });
        out.push(sweep_chart(
            "DDIM on MNIST: FID against steps S",
            "sampling steps S",
            series,
            "mnist_ddpm_ddim_cells.tsv: one line per sampler row (η, skip, DDPM's σ̂)",
        )?);
    }
    // Rectified flow: run, sampler, NFE, FID, …
    if let Some(cells) = read_cells(&results.join("mnist_rf_cells.tsv"))? {
        let series = group(&cells, |c| {
            let kind = c.get(1)?.split('-').next()?.to_string();
            Some((format!("{} {kind}", c.first()?), num(c, 2)?, num(c, 3)?))
        });
        out.push(sweep_chart(
            "Rectified flow on MNIST: FID against NFE",
            "network evaluations (NFE)",
            series,
            "mnist_rf_cells.tsv: 1-RF, 2-RF, distilled, and DDIM beside them",
        )?);
    }
    Ok(out)
}

fn read_cells(path: &Path) -> Result<Option<Vec<Vec<String>>>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    Ok(Some(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect(),
    ))
}

fn num(c: &[String], k: usize) -> Option<f64> {
    c.get(k)?.trim().parse().ok()
}

/// Cells grouped into series by name, in order of first appearance, points sorted by x.
fn group(
    cells: &[Vec<String>],
    f: impl Fn(&Vec<String>) -> Option<(String, f64, f64)>,
) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for (name, x, y) in cells.iter().filter_map(f) {
        match series.iter_mut().find(|s| s.name == name) {
            Some(s) => s.points.push((x, y)),
            None => series.push(Series::new(name, vec![(x, y)])),
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    series
}

fn sweep_chart(title: &str, x: &str, series: Vec<Series>, caption: &str) -> Result<String> {
    let chart = Chart {
        title: title.into(),
        x: Axis::log(x),
        y: Axis::auto("FID (1,000 samples, mnist_features)"),
        series,
        markers: true,
    };
    Ok(figure(&chart.svg((760, 420))?, caption))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_parse_and_match_by_name_prefix() {
        let anchors: Anchors = toml::from_str(ANCHORS).expect("anchors");
        let a = anchors
            .anchor
            .iter()
            .find(|a| a.run == "mnist_dcgan")
            .expect("an anchor for mnist_dcgan");
        assert!(a.matches("mnist_dcgan") && a.matches("mnist_dcgan_ema"));
        assert!(!a.matches("mnist_dcganx"));
    }
}
