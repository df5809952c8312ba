//! The printed table and the JSON of a quality report.

use anyhow::Result;
use genzoo_data::ImageView;
use genzoo_eval::quality::{QualityMetrics, QualityReport};
use serde_json::json;

use super::Generated;

/// Hex digits of the weight hash shown in the table (the JSON holds all 64).
pub const HASH_SHOWN: usize = 12;
/// Clamped eigenvalues below this (relative) are rounding; above it the table warns.
const CLAMP_WARN_RELATIVE: f64 = -1e-9;

/// `n/of`, e.g. modes covered out of classes.
fn percent(n: usize, of: usize) -> String {
    format!("{n}/{of}")
}

/// The readable table of one report.
pub fn print_report(r: &QualityReport, g: &Generated, reference_view: ImageView) {
    let id = &r.feature_net;
    let m = &r.metrics;
    out!(
        "feature net  {} {} (step {}, {} weights, sha256 {}…, {} view)",
        id.family,
        id.checkpoint,
        id.step,
        id.weights,
        &id.sha256[..HASH_SHOWN.min(id.sha256.len())],
        id.view
    );
    out!(
        "reference    MNIST test split, {} images ({reference_view} view)",
        m.n_reference
    );
    out!("generated    {}", g.description);
    if g.clamped > 0 {
        out!(
            "             {} values outside [0, 1] clamped, as a PNG would",
            g.clamped
        );
    }
    print_metrics(m);
    out!(
        "time         features {:.1} s; FID {:.2} s, KID {:.2} s, precision/recall {:.2} s",
        r.extraction_seconds,
        m.seconds.fid,
        m.seconds.kid,
        m.seconds.precision_recall
    );
}

/// The metric lines shared by `eval` and `quality-floor`.
fn print_metrics(m: &QualityMetrics) {
    let (g, r) = (&m.generated, &m.reference);
    out!(
        "FID          {:.4}   (‖Δμ‖² {:.4} + trace {:.4})",
        m.fid.fid,
        m.fid.mean_term,
        m.fid.trace_term
    );
    if m.fid.clamp.count > 0 {
        let kind = if m.fid.clamp.worst_relative < CLAMP_WARN_RELATIVE {
            "WARNING: not rounding, a covariance is not PSD"
        } else {
            "rounding"
        };
        out!(
            "             {} negative eigenvalues clamped to 0 (worst {:.1e} of the largest; {kind})",
            m.fid.clamp.count,
            m.fid.clamp.worst_relative
        );
    }
    out!(
        "KID          {:.5} ± {:.5}   ({} subsets of {})",
        m.kid.mean,
        m.kid.std,
        m.kid.subsets,
        m.kid.subset_size
    );
    out!(
        "precision    {:.4}   recall {:.4}   (k = {}, {} images each)",
        m.precision_recall.precision,
        m.precision_recall.recall,
        m.precision_recall.k,
        m.precision_recall_examples
    );
    out!("                            generated   test set");
    out!(
        "confidence                  {:<11.4} {:.4}",
        g.mean_confidence,
        r.mean_confidence
    );
    out!(
        "label entropy (nats)        {:<11.4} {:.4}",
        g.mean_label_entropy,
        r.mean_label_entropy
    );
    out!(
        "histogram entropy (nats)    {:<11.4} {:.4}   (ln C = {:.4})",
        g.histogram_entropy,
        r.histogram_entropy,
        (g.histogram.len() as f64).ln()
    );
    out!(
        "modes covered               {:<11} {}   (a class holding >= {:.0}% of its share)",
        percent(g.modes_covered, g.histogram.len()),
        percent(r.modes_covered, r.histogram.len()),
        100.0 * g.mode_fraction
    );
    out!(
        "inception score             {:<11.4} {:.4}",
        g.inception_score,
        r.inception_score
    );
    out!("class histogram  generated {:?}", g.histogram);
    out!("                 test set  {:?}", r.histogram);
}

/// The JSON of `eval --quality/--images`: the scoreboard's flat keys, then the full report.
pub fn report_json(r: &QualityReport, g: &Generated) -> Result<serde_json::Value> {
    let m = &r.metrics;
    let mut v = json!({
        "fid": m.fid.fid,
        "kid_mean": m.kid.mean,
        "kid_std": m.kid.std,
        "precision": m.precision_recall.precision,
        "recall": m.precision_recall.recall,
        "inception_score": m.generated.inception_score,
        "modes_covered": m.generated.modes_covered,
        "feature_net_sha256": r.feature_net.sha256,
        "clamped_values": g.clamped,
        "report": serde_json::to_value(r)?,
    });
    if let (Some(obj), Some(extra)) = (v.as_object_mut(), g.extra.as_object()) {
        obj.extend(extra.clone());
    }
    Ok(v)
}
