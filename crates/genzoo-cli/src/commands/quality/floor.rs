//! `genzoo quality-floor`: the reference scale of the quality metrics.

use std::path::Path;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use genzoo_data::{Array, ImageView, Split, rng_for};
use genzoo_eval::degrade::gaussian_noise;
use genzoo_eval::intensity::from_intensities;
use genzoo_eval::kid::subset_indices;
use genzoo_eval::quality::{
    Extracted, FeatureNet, QualityMetrics, QualityOptions, compare, extract,
};
use genzoo_models::Classify;
use serde_json::json;

use super::feature_net::{FeatureRun, mnist_images};
use super::report::HASH_SHOWN;
use crate::args::QualityFloorArgs;
use crate::runtime;

/// RNG stream of the subset of clean images.
const STREAM_FLOOR: u64 = u64::from_be_bytes(*b"qualflor");

/// `genzoo quality-floor`: held-out MNIST images against the test set, clean (the floor: what
/// a perfect generator scores with that many samples) and with Gaussian noise of each σ (the
/// scale). The noised images are the clean ones plus noise, never noised test images: those
/// would sit next to their own clean copies in the reference, which no model's samples do,
/// and would score below the floor (precision and recall ≈ 1 at σ = 0.05).
pub fn floor(args: QualityFloorArgs) -> Result<()> {
    let sizes = checked_sizes(&args)?;
    let device = runtime::device(&args.device.device)?;
    let feature = FeatureRun::open(&args.features, args.data_dir.as_deref(), &device)?;
    let split: Split = args.split.parse()?;
    if split == Split::Test {
        bail!("--split test would compare the test set with itself: use train or valid");
    }
    let test = mnist_images(&feature.loaded, Split::Test, ImageView::Unit)?;
    let pool = mnist_images(&feature.loaded, split, ImageView::Unit)?;
    let largest = sizes[0];
    if largest > pool.len() {
        bail!(
            "--samples {largest} exceeds the {} images of the {split} split",
            pool.len()
        );
    }
    let mut rng = rng_for(args.seed, STREAM_FLOOR, 0);
    // A random subset; the smaller sizes are its prefixes.
    let clean = pool.gather(&subset_indices(pool.len(), largest, &mut rng));
    let sets = FloorSets {
        test: &test,
        clean: &clean,
        split,
        sizes: &sizes,
        noise: &args.noise,
        seed: args.seed,
        options: super::options(args.seed, args.kid_subsets),
    };
    let (id, rows) = feature.with_net(&device, |net, id| {
        Ok((id.clone(), sets.measure(net, id, &device)?))
    })?;
    print_table(&id, test.len(), &rows);
    let json = json!({
        "feature_net": id,
        "reference": "MNIST test split (unit view)",
        "split": split.to_string(),
        "subset_seed": args.seed,
        "rows": rows.iter().map(|r| json!({
            "set": r.set, "noise_sigma": r.sigma, "n": r.metrics.n_generated, "metrics": r.metrics,
        })).collect::<Vec<_>>(),
    });
    let path = match &args.json {
        Some(p) => p.clone(),
        None => {
            let run = feature
                .loaded
                .ckpt
                .parent()
                .and_then(Path::parent)
                .context("the feature checkpoint is not inside a run directory")?;
            run.join("eval")
                .join(format!("quality-floor-step{}.json", id.step))
        }
    };
    genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    out!("written      {}", path.display());
    Ok(())
}

/// `--samples` largest first without repeats, after refusing sizes, subsets and noise levels
/// that cannot be measured.
fn checked_sizes(args: &QualityFloorArgs) -> Result<Vec<usize>> {
    let mut sizes = args.samples.clone();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes.dedup();
    if sizes.is_empty() {
        bail!("--samples needs at least one size");
    }
    if sizes.contains(&0) || args.kid_subsets == 0 {
        bail!("--samples sizes and --kid-subsets must be >= 1");
    }
    if args.noise.iter().any(|s| !(s.is_finite() && *s >= 0.0)) {
        bail!("--noise levels must be finite and >= 0");
    }
    Ok(sizes)
}

/// What the floor measures: the clean images and their noised copies, each at every size,
/// against the test set.
struct FloorSets<'a> {
    test: &'a Array,
    clean: &'a Array,
    split: Split,
    /// Largest first; the smaller sets are prefixes of the larger.
    sizes: &'a [usize],
    noise: &'a [f32],
    seed: u64,
    options: QualityOptions,
}

/// One line of the table.
struct Row {
    /// The image set: the split, or the split plus noise.
    set: String,
    /// The noise's standard deviation (`None`: clean images).
    sigma: Option<f32>,
    /// Its metrics at one size.
    metrics: QualityMetrics,
}

impl FloorSets<'_> {
    /// Features of the test set, the clean images and each noised copy through `net`, then
    /// the metrics of every set at every size.
    fn measure(&self, net: &dyn Classify, id: &FeatureNet, device: &Device) -> Result<Vec<Row>> {
        let view: ImageView = id.view.parse()?;
        let run = |images: &Array, set: &str| -> Result<Extracted> {
            let mut a = images.clone();
            from_intensities(&mut a.values, view);
            eprintln!("features of {set} ({} images)", a.len());
            Ok(extract(net, id, &a, set, self.options.batch_size, device)?)
        };
        let reference = run(self.test, "the test set")?;
        let mut sets = vec![(
            self.split.to_string(),
            None,
            run(self.clean, "clean images")?,
        )];
        for &sigma in self.noise {
            // The same images noised: independent of the reference, as a model's samples are.
            let noised = gaussian_noise(self.clean, sigma, self.seed);
            let name = format!("{} + N(0, {sigma}²)", self.split);
            let e = run(&noised, &name)?;
            sets.push((name, Some(sigma), e));
        }
        let mut rows = Vec::new();
        for (name, sigma, all) in &sets {
            for &n in self.sizes {
                let head = Extracted {
                    features: all.features.rows(0, n).into_owned(),
                    probs: all.probs.rows(0, n).into_owned(),
                    seconds: all.seconds,
                };
                eprintln!("metrics of {name}, {n} images");
                rows.push(Row {
                    set: name.clone(),
                    sigma: *sigma,
                    metrics: compare(&reference, &head, &self.options)?,
                });
            }
        }
        Ok(rows)
    }
}

/// The feature net, the reference and one line per set and size.
fn print_table(id: &FeatureNet, reference: usize, rows: &[Row]) {
    out!(
        "feature net  {} {} (step {}, {} weights, sha256 {}…)",
        id.family,
        id.checkpoint,
        id.step,
        id.weights,
        &id.sha256[..HASH_SHOWN.min(id.sha256.len())]
    );
    out!("reference    MNIST test split, {reference} images");
    out!(
        "{:<22} {:>6} {:>10} {:>21} {:>9} {:>7} {:>7} {:>6} {:>20}",
        "set",
        "N",
        "FID",
        "KID (mean ± std)",
        "precision",
        "recall",
        "IS",
        "modes",
        "FID/KID/PR seconds"
    );
    for Row {
        set, metrics: m, ..
    } in rows
    {
        out!(
            "{:<22} {:>6} {:>10.4} {:>10.5} ± {:<8.5} {:>9.4} {:>7.4} {:>7.3} {:>6} {:>6.2}/{:>5.2}/{:>6.2}",
            set,
            m.n_generated,
            m.fid.fid,
            m.kid.mean,
            m.kid.std,
            m.precision_recall.precision,
            m.precision_recall.recall,
            m.generated.inception_score,
            m.generated.modes_covered,
            m.seconds.fid,
            m.seconds.kid,
            m.seconds.precision_recall
        );
    }
}
