//! One run's section of the report: its metric cards (each naming its feature net, sample count
//! and floor), the published anchors beside them, training curves as charts, the fixed-seed
//! sample pictures over training, for a toy the model's density beside the truth, and the
//! config.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use genzoo_plot::{Axis, Chart, Series};
use serde_json::Value;

use super::Anchor;
use super::html::{escape, figure, png_img};

/// Chart size in the report, pixels.
pub const CHART_SIZE: (u32, u32) = (620, 340);
/// Sample pictures shown per run (spread over training).
const PICTURES: usize = 4;
/// Metric cards per run (the newest).
const CARDS: usize = 8;
/// Side of the truth's histogram, pixels (the trainer's toy pictures).
const SCATTER_PIXELS: usize = 400;

/// Keys of `metrics.jsonl` that are bookkeeping, not a curve worth a chart.
fn bookkeeping(key: &str) -> bool {
    matches!(
        key,
        "step" | "split" | "epoch" | "steps_per_sec" | "kl_weight"
    ) || key.starts_with("lr")
        || key.starts_with("grad_norm")
}

/// The section of the run in `dir`, with its id.
pub fn section(
    dir: &Path,
    reports: &[(PathBuf, Value)],
    anchors: &[Anchor],
    floors: &mut BTreeMap<PathBuf, Vec<Value>>,
) -> Result<(String, String)> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let id = format!(
        "run-{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let config_path = dir.join("config.toml");
    let config_text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    let config: toml::Table = toml::from_str(&config_text)
        .with_context(|| format!("parsing {}", config_path.display()))?;
    let get = |t: &str, k: &str| {
        config
            .get(t)
            .and_then(|v| v.get(k))
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    let family = get("model", "family").unwrap_or_else(|| "?".into());
    let toy = get("data", "toy").filter(|_| get("data", "source").as_deref() == Some("toy"));
    let data = toy
        .clone()
        .or_else(|| get("data", "source"))
        .unwrap_or_else(|| "?".into());

    let mut s = format!(
        "<section id=\"{id}\" data-required><h2>{} <small>{} · {}</small></h2>",
        escape(&name),
        escape(&family),
        escape(&data)
    );
    s.push_str(&cards(reports, &name, anchors, floors));
    let charts = curves(dir, &name)?;
    if !charts.is_empty() {
        s.push_str("<h3>Training curves</h3><div class=\"row\">");
        s.push_str(&charts.concat());
        s.push_str("</div>");
    }
    s.push_str(&pictures(dir, toy.as_deref())?);
    s.push_str(&format!(
        "<details><summary>config.toml</summary><pre>{}</pre></details></section>\n",
        escape(&config_text)
    ));
    Ok((id, s))
}

/// Metric cards from the run's eval reports (`reports` oldest first; cards newest first),
/// then the run's anchors.
fn cards(
    reports: &[(PathBuf, Value)],
    name: &str,
    anchors: &[Anchor],
    floors: &mut BTreeMap<PathBuf, Vec<Value>>,
) -> String {
    let mut s = String::from("<div class=\"cards\">");
    let mut shown = 0;
    let stem = |p: &Path| {
        p.file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    // Sampling speeds (one file per sampler) share one card.
    let (speeds, others): (Vec<_>, Vec<_>) = reports
        .iter()
        .rev()
        .partition(|(p, _)| stem(p).starts_with("sample-speed-"));
    let mut speed_rows: Vec<(String, String)> = speeds
        .iter()
        .filter_map(|(p, v)| {
            let sps = v.get("samples_per_second").and_then(Value::as_f64)?;
            Some((
                stem(p).trim_start_matches("sample-speed-").to_string(),
                genzoo_plot::thousands(sps.round() as u64),
            ))
        })
        .collect();
    if !speed_rows.is_empty() {
        speed_rows.sort();
        s.push_str("<div class=\"card\"><h4>sampling speed (samples/s)</h4><dl>");
        for (k, val) in speed_rows {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(&k), escape(&val)));
        }
        s.push_str("</dl></div>");
        shown += 1;
    }
    for (path, v) in others.into_iter().take(CARDS) {
        let items = card_items(v, floors);
        if items.is_empty() {
            continue;
        }
        let title = stem(path);
        s.push_str(&format!(
            "<div class=\"card\"><h4>{}</h4><dl>",
            escape(&title)
        ));
        for (k, val) in items {
            s.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(&k), escape(&val)));
        }
        s.push_str("</dl></div>");
        shown += 1;
    }
    for a in anchors.iter().filter(|a| a.matches(name)) {
        s.push_str(&format!(
            "<div class=\"card anchor\"><h4>anchor: {}</h4><dl><dt>published</dt><dd>{}</dd>\
             <dt>source</dt><dd>{}</dd></dl></div>",
            escape(&a.metric),
            escape(&a.value),
            escape(&a.source)
        ));
        shown += 1;
    }
    if shown == 0 {
        s.push_str(
            "<div class=\"card\"><h4>no measurements</h4><p>No <code>genzoo eval</code> \
             report in this run's eval/ yet.</p></div>",
        );
    }
    s.push_str("</div>");
    s
}

/// The labelled values of one eval report that a reader needs to trust it.
fn card_items(v: &Value, floors: &mut BTreeMap<PathBuf, Vec<Value>>) -> Vec<(String, String)> {
    let num = |k: &str| v.get(k).and_then(Value::as_f64);
    let mut items = Vec::new();
    if let Some(step) = v.get("step").and_then(Value::as_u64) {
        let weights = v
            .get("weights")
            .and_then(Value::as_str)
            .map_or(String::new(), |w| format!(", {w} weights"));
        items.push(("checkpoint".into(), format!("step {step}{weights}")));
    }
    // A linear probe: accuracy per feature set at the full label budget.
    if let Some(rows) = v.get("rows").and_then(Value::as_array) {
        for r in rows {
            let (Some(features), Some(acc), Some(labels)) = (
                r.get("features").and_then(Value::as_str),
                r.get("accuracy").and_then(Value::as_f64),
                r.get("labels").and_then(Value::as_u64),
            ) else {
                continue;
            };
            items.push((
                format!(
                    "probe on {features}, {} labels",
                    genzoo_plot::thousands(labels)
                ),
                format!("{:.2}%", 100.0 * acc),
            ));
        }
    }
    if let Some(nll) = num("nll") {
        let how = match v.get("k").and_then(Value::as_u64) {
            Some(k) => format!("IWAE k={k} bound"),
            None => "exact".into(),
        };
        let pm = num("nll_stderr").map_or(String::new(), |e| format!(" ± {e:.3}"));
        items.push(("test NLL".into(), format!("{nll:.3}{pm} nats ({how})")));
        if let Some(b) = num("bits_per_dim") {
            items.push(("bits/dim".into(), format!("{b:.4}")));
        }
        if let Some(o) = num("oracle_nll") {
            items.push((
                "gap to true entropy".into(),
                format!("{:.4} (true {o:.4})", nll - o),
            ));
        }
    }
    if let Some(fid) = num("fid") {
        let n = v.get("samples").and_then(Value::as_u64);
        items.push(("FID".into(), format!("{fid:.2}")));
        if let (Some(k), Some(sd)) = (num("kid_mean"), num("kid_std")) {
            items.push(("KID (mean ± std)".into(), format!("{k:.3} ± {sd:.3}")));
        }
        if let (Some(p), Some(r)) = (num("precision"), num("recall")) {
            items.push(("precision / recall".into(), format!("{p:.3} / {r:.3}")));
        }
        items.push((
            "samples".into(),
            n.map_or("?".into(), genzoo_plot::thousands),
        ));
        let net = v.pointer("/report/feature_net");
        let sha = v
            .get("feature_net_sha256")
            .and_then(Value::as_str)
            .unwrap_or("?");
        items.push((
            "feature net".into(),
            format!("sha256 {}…", &sha[..sha.len().min(12)]),
        ));
        let floor = net
            .and_then(|net| net.get("checkpoint"))
            .and_then(Value::as_str)
            .zip(n)
            .and_then(|(ckpt, n)| floor_fid(Path::new(ckpt), n, floors));
        items.push((
            "floor (train vs test, same N)".into(),
            floor.map_or(
                "not measured at this N (genzoo quality-floor)".into(),
                |f| format!("{f:.2}"),
            ),
        ));
    }
    if let (Some(e), Some(f)) = (num("energy_distance"), num("energy_floor")) {
        let n = v.get("distance_samples").and_then(Value::as_u64);
        items.push((
            "energy distance".into(),
            format!(
                "{e:.4} (floor {f:.4}; {} samples)",
                n.map_or("?".into(), genzoo_plot::thousands)
            ),
        ));
    }
    if let (Some(c), Some(m)) = (
        v.get("modes_covered").and_then(Value::as_u64),
        v.get("modes").and_then(Value::as_u64),
    ) {
        items.push(("modes".into(), format!("{c}/{m}")));
        if let Some(h) = num("high_quality") {
            items.push(("high quality (3σ)".into(), format!("{:.1}%", 100.0 * h)));
        }
        if let Some(kl) = num("reverse_kl") {
            items.push(("reverse KL".into(), format!("{kl:.4}")));
        }
    }
    if let Some(a) = num("accuracy") {
        items.push(("accuracy".into(), format!("{:.2}%", 100.0 * a)));
    }
    if !items.is_empty()
        && let Some(sps) = num("samples_per_second")
    {
        items.push((
            "samples/s".into(),
            genzoo_plot::thousands(sps.round() as u64),
        ));
    }
    if !items.is_empty()
        && let Some(t) = num("training_seconds")
    {
        items.push(("training".into(), format!("{t:.0} s")));
    }
    items
}

/// The feature net's train-vs-test FID at `n` samples, from the `quality-floor` files of the
/// net's run (`ckpt/../..`), if one was measured at that N.
fn floor_fid(ckpt: &Path, n: u64, floors: &mut BTreeMap<PathBuf, Vec<Value>>) -> Option<f64> {
    let root = ckpt.parent()?.parent()?.to_path_buf();
    let rows = floors.entry(root.clone()).or_insert_with(|| {
        std::fs::read_dir(root.join("eval"))
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("quality-floor"))
                    })
                    .filter_map(|p| std::fs::read_to_string(p).ok())
                    .filter_map(|t| serde_json::from_str::<Value>(&t).ok())
                    .filter_map(|v| v.get("rows").and_then(Value::as_array).cloned())
                    .flatten()
                    .collect()
            })
            .unwrap_or_default()
    });
    rows.iter()
        .find(|r| {
            r.get("set").and_then(Value::as_str) == Some("train")
                && r.get("n").and_then(Value::as_u64) == Some(n)
        })
        .and_then(|r| r.pointer("/metrics/fid/fid"))
        .and_then(Value::as_f64)
}

/// Charts of `metrics.jsonl`: the losses (train and valid), and the validation measures.
fn curves(dir: &Path, name: &str) -> Result<Vec<String>> {
    let path = dir.join("metrics.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    // (split, key) → points.
    let mut series: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
    for line in text.lines() {
        let Ok(Value::Object(v)) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let (Some(step), Some(split)) = (
            v.get("step").and_then(Value::as_f64),
            v.get("split").and_then(Value::as_str),
        ) else {
            continue;
        };
        for (k, val) in &v {
            if bookkeeping(k) {
                continue;
            }
            if let Some(y) = val.as_f64() {
                series
                    .entry((split.to_string(), k.clone()))
                    .or_default()
                    .push((step, y));
            }
        }
    }
    let pick = |want: &dyn Fn(&str) -> bool| -> Vec<Series> {
        series
            .iter()
            .filter(|((_, k), pts)| want(k) && pts.len() >= 2)
            .map(|((split, k), pts)| Series::new(format!("{split} {k}"), pts.clone()))
            .collect()
    };
    let mut out = Vec::new();
    let losses = pick(&|k: &str| k.starts_with("loss"));
    let others = pick(&|k: &str| !k.starts_with("loss") && !k.starts_with("d_"));
    let judge = pick(&|k: &str| k.starts_with("d_"));
    for (title, y, group) in [
        ("losses", "loss", losses),
        ("discriminator outputs", "mean D (probability)", judge),
        ("other measures", "value", others),
    ] {
        if group.is_empty() {
            continue;
        }
        // A chart stays readable with a handful of lines.
        let group: Vec<Series> = group.into_iter().take(8).collect();
        let chart = Chart {
            title: format!("{name}: {title}"),
            x: Axis::linear("training step"),
            y: Axis::auto(y),
            series: group,
            markers: false,
        };
        out.push(figure(
            &chart.svg(CHART_SIZE)?,
            &format!("{title} against the training step, from metrics.jsonl"),
        ));
    }
    Ok(out)
}

/// The sample pictures over training (fixed seed: the same draws every time), and for a toy the
/// truth beside the last one.
fn pictures(dir: &Path, toy: Option<&str>) -> Result<String> {
    let mut steps: Vec<(u64, PathBuf)> = std::fs::read_dir(dir.join("samples"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter_map(|p| {
                    let n = p.file_name()?.to_str()?;
                    let step = n
                        .strip_prefix("step-")?
                        .strip_suffix(".png")?
                        .parse()
                        .ok()?;
                    Some((step, p))
                })
                .collect()
        })
        .unwrap_or_default();
    if steps.is_empty() {
        return Ok(String::new());
    }
    steps.sort();
    let chosen: Vec<&(u64, PathBuf)> = if steps.len() <= PICTURES {
        steps.iter().collect()
    } else {
        (0..PICTURES)
            .map(|i| &steps[i * (steps.len() - 1) / (PICTURES - 1)])
            .collect()
    };
    let mut s = String::from(
        "<h3>Samples over training (the same seed at every step)</h3><div class=\"row samples\">",
    );
    for (step, path) in &chosen {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        s.push_str(&figure(
            &png_img(&bytes, &format!("samples at step {step}")),
            &format!("step {}", genzoo_plot::thousands(*step)),
        ));
    }
    s.push_str("</div>");
    if let Some(toy) = toy {
        let toy: genzoo_data::Toy = toy.parse()?;
        let mut rng = genzoo_data::rng_for(0, u64::from_be_bytes(*b"truthpic"), 0);
        let points = toy.sample(genzoo_train::trainer::SCATTER_POINTS, &mut rng);
        let tmp = tempfile::tempdir()?;
        let path = tmp.path().join("truth.png");
        genzoo_data::save_scatter(&path, &points, toy.plot_range(), SCATTER_PIXELS)?;
        let truth = std::fs::read(&path)?;
        let last = chosen.last().map(|(_, p)| p.clone()).unwrap_or_default();
        let model = std::fs::read(&last).with_context(|| format!("reading {}", last.display()))?;
        s.push_str(&format!(
            "<h3>Density: the model beside the truth</h3><div class=\"row\">{}{}</div>",
            figure(
                &png_img(&model, "model samples, last step"),
                "model: 50,000 samples (2-D histogram, log scale)"
            ),
            figure(
                &png_img(&truth, "true distribution"),
                &format!("truth: 50,000 draws of {toy}, same window and scale")
            )
        ));
    }
    Ok(s)
}
