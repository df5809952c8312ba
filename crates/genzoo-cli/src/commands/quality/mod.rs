//! Sample quality against the MNIST test set, through a trained classifier (the feature net):
//! `genzoo eval RUN --quality --features FEATURE_RUN`, `genzoo eval --images PATH --features
//! FEATURE_RUN`, and `genzoo quality-floor --features FEATURE_RUN`.
//!
//! Images travel as intensities in `[0, 1]` (what a PNG of them shows): a run's samples are
//! mapped from its data view (`genzoo_eval::intensity`), then both sets are mapped into the
//! view the feature net was trained on. A run on binarised data is compared with the test set
//! under the same fixed binarisation (bits against bits); everything else with the grey test
//! set. The report names the feature net by checkpoint, step and the SHA-256 of its weights.

mod feature_net;
mod floor;
mod report;

pub use floor::floor;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use burn::prelude::*;
use genzoo_data::{Array, ImageView, rng_for};
use genzoo_eval::intensity::{from_intensities, to_intensities};
use genzoo_eval::kid::KidOptions;
use genzoo_eval::quality::QualityOptions;
use genzoo_train::checkpoint;
use genzoo_train::data;
use genzoo_train::trainer::{load_weights, tensor_values};
use serde_json::json;

use super::setup::{Loaded, load_checkpoint};
use crate::args::EvalArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;
use feature_net::{FeatureRun, reference_set};

/// RNG stream of the random reference subset (`--reference N`).
const STREAM_REFERENCE: u64 = u64::from_be_bytes(*b"refsubst");
use report::{print_report, report_json};

/// RNG stream of the samples drawn for `eval --quality` (chunk `i` uses counter `i`).
const STREAM_QUALITY: u64 = u64::from_be_bytes(*b"qualsamp");
/// Samples drawn per call to the model.
const SAMPLE_CHUNK: usize = 500;
/// `--images` values may stray this far outside their view's range (rounding of stored floats)
/// before they are taken for a different range.
const RANGE_TOLERANCE: f32 = 1e-3;

/// `genzoo eval --quality` and `genzoo eval --images`.
pub fn run(args: &EvalArgs) -> Result<()> {
    if !args.quality && args.images.is_empty() {
        bail!("--features goes with --quality (a run's samples) or --images PATH");
    }
    let Some(features) = &args.features else {
        bail!("the quality metrics need --features FEATURE_RUN, a trained classifier run");
    };
    if args.samples == 0 || args.kid_subsets == 0 {
        bail!("--samples and --kid-subsets must be >= 1");
    }
    let device = runtime::device(&args.device.device)?;
    // The feature run first: a wrong one should fail before minutes of sampling.
    let feature = FeatureRun::open(features, args.data_dir.as_deref(), &device)?;
    let generated = match (args.images.as_slice(), &args.checkpoint) {
        ([], Some(run)) => draw_samples(run, args, &device)?,
        ([], None) => bail!("name a run (with --quality) or pass --images PATH"),
        (paths, _) => read_images(paths, args.images_view.parse()?)?,
    };
    if generated
        .images
        .example_dims()
        .first()
        .is_some_and(|&k| k > 1)
    {
        return stacked(args, &feature, &generated, &device);
    }
    let mut reference = reference_set(&feature.loaded, generated.reference_view)?;
    let total = reference.len();
    let mut reference_json = serde_json::json!({"n": total, "of": total, "selection": "all"});
    if let Some(n) = args.reference {
        if n < 2 || n > total {
            bail!("--reference must lie in 2..={total}");
        }
        // A random subset, not the first N: the two halves of the MNIST test set differ
        // (FID 17.2 between them through the feature net), so a prefix is a biased reference.
        let mut rng = genzoo_data::rng_for(args.reference_seed, STREAM_REFERENCE, 0);
        let mut picked = rand::seq::index::sample(&mut rng, total, n).into_vec();
        picked.sort_unstable();
        reference = reference.gather(&picked);
        reference_json = serde_json::json!({
            "n": n, "of": total, "selection": "random without replacement",
            "seed": args.reference_seed,
        });
        out!(
            "reference    {n} of the {total} test images, drawn at random (seed {})",
            args.reference_seed
        );
    }
    let options = options(args.seed, args.kid_subsets);
    let report = feature.with_net(&device, |net, id| {
        if generated.images.example_dims() != id.input_shape.as_slice() {
            bail!(
                "{} are images of {:?}, but the feature net reads {:?}",
                generated.source.display(),
                generated.images.example_dims(),
                id.input_shape
            );
        }
        let view: ImageView = id.view.parse()?;
        let in_net = |a: &Array| {
            let mut a = a.clone();
            from_intensities(&mut a.values, view);
            a
        };
        Ok(genzoo_eval::quality(
            net,
            id,
            &in_net(&reference),
            &in_net(&generated.images),
            &options,
            &device,
        )?)
    })?;
    print_report(&report, &generated, generated.reference_view);
    let mut json = report_json(&report, &generated)?;
    json["reference"] = reference_json;
    let path = match (&args.json, &generated.json_dir) {
        (Some(p), _) => p.clone(),
        (None, Some(dir)) => dir.join(format!(
            "quality-n{}-step{}.json",
            report.metrics.n_generated,
            generated.step.unwrap_or(0)
        )),
        (None, None) => sibling(&generated.source, "-quality.json"),
    };
    genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    out!("written      {}", path.display());
    Ok(())
}

/// Stacked MNIST (K digits as K channels): the modes of the samples, each channel classified by
/// the feature net (`genzoo_eval::stacked`); FID and the rest need one-channel images.
fn stacked(
    args: &EvalArgs,
    feature: &FeatureRun,
    generated: &Generated,
    device: &Device,
) -> Result<()> {
    let dims = generated.images.example_dims();
    let report = feature.with_net(device, |net, id| {
        if dims[1..] != id.input_shape[1..] {
            bail!(
                "{} are images of {dims:?}, but the feature net reads {:?}",
                generated.source.display(),
                id.input_shape
            );
        }
        let view: ImageView = id.view.parse()?;
        let mut images = generated.images.clone();
        from_intensities(&mut images.values, view);
        Ok(genzoo_eval::stacked::stacked_modes(
            net,
            id,
            &images,
            options(args.seed, args.kid_subsets).batch_size,
            device,
        )?)
    })?;
    let modes = report.counts.len();
    out!("generated    {}", generated.description);
    out!(
        "modes        {} of {modes} covered by {} samples ({} channels classified by the feature net)",
        report.covered(),
        report.samples,
        dims[0]
    );
    match report.reverse_kl() {
        Some(kl) => out!("reverse KL   {kl:.4} nats (mode histogram against uniform)"),
        None => out!("reverse KL   undefined: no sample has a mode"),
    }
    let mut json = json!({
        "stacked": dims[0], "modes": modes, "modes_covered": report.covered(),
        "reverse_kl": report.reverse_kl(), "samples_scored": report.samples,
        "clamped_values": generated.clamped,
    });
    if let (Some(obj), Some(extra)) = (json.as_object_mut(), generated.extra.as_object()) {
        obj.extend(extra.clone());
    }
    let path = match (&args.json, &generated.json_dir) {
        (Some(p), _) => p.clone(),
        (None, Some(dir)) => dir.join(format!(
            "stacked-modes-n{}-step{}.json",
            report.samples,
            generated.step.unwrap_or(0)
        )),
        (None, None) => sibling(&generated.source, "-stacked-modes.json"),
    };
    genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    out!("written      {}", path.display());
    Ok(())
}

/// Images to measure, as intensities, with where they came from.
struct Generated {
    /// `[N, 1, H, W]` in `[0, 1]`.
    images: Array,
    /// The run directory or the image file/folder.
    source: PathBuf,
    /// Describes the source in the table.
    description: String,
    /// The test set is seen through this view.
    reference_view: ImageView,
    /// Where the report goes by default (a run's eval/ directory).
    json_dir: Option<PathBuf>,
    /// Checkpoint step of a run.
    step: Option<u64>,
    /// Fields the scoreboard reads beside the metrics.
    extra: serde_json::Value,
    /// Values clamped into [0, 1].
    clamped: usize,
}

/// The reference view for images whose values are `view`: bits are compared with the fixed
/// binarisation of the test set, everything else with its grey levels.
/// The metrics' settings both commands take from their flags: the seed of every subset draw and
/// the number of KID subsets; everything else at its default.
fn options(seed: u64, kid_subsets: usize) -> QualityOptions {
    QualityOptions {
        kid: KidOptions {
            subsets: kid_subsets,
            seed,
            ..KidOptions::default()
        },
        seed,
        ..QualityOptions::default()
    }
}

fn reference_view_for(view: ImageView) -> ImageView {
    if view.is_binary() {
        ImageView::BinaryFixed
    } else {
        ImageView::Unit
    }
}

/// `path` + `suffix` as a sibling file (`digits.npy` → `digits.npy-quality.json`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or("images".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}{suffix}"))
}

/// `.npy` files or folders of PNGs, concatenated in order, as `[N, 1, H, W]` intensities.
/// Every part must hold images of the same size.
fn read_images(paths: &[PathBuf], view: ImageView) -> Result<Generated> {
    let Some(first) = paths.first() else {
        bail!("--images needs at least one path");
    };
    let (head, what) = read_image_file(first, view)?;
    let dims = head.example_dims().to_vec();
    let mut n = head.len();
    let mut values = head.values;
    for path in &paths[1..] {
        let (part, _) = read_image_file(path, view)?;
        if part.example_dims() != dims.as_slice() {
            bail!(
                "{} holds images of {:?}, but {} holds images of {dims:?}: the parts of \
                 --images must match",
                path.display(),
                part.example_dims(),
                first.display(),
            );
        }
        n += part.len();
        values.extend(part.values);
    }
    if n < 2 {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "{} {} {n} image{}: the sample-quality metrics compare sets of at least 2 (thousands \
             for a FID worth reading)",
            names.join(" + "),
            if paths.len() == 1 { "holds" } else { "hold" },
            if n == 1 { "" } else { "s" }
        );
    }
    let mut images = Array::new([vec![n], dims].concat(), values)?;
    let clamped = to_intensities(&mut images.values, view);
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Ok(Generated {
        description: format!("{} {what} from {}", images.len(), names.join(" + ")),
        images,
        source: first.to_path_buf(),
        reference_view: ImageView::Unit,
        json_dir: None,
        step: None,
        extra: if names.len() == 1 {
            json!({ "images": names[0] })
        } else {
            json!({ "images": names })
        },
        clamped,
    })
}

/// One `.npy` file or folder of PNGs as `[N, 1, H, W]` values in `view`'s range (checked),
/// with what it held ("images" or "PNG files").
fn read_image_file(path: &Path, view: ImageView) -> Result<(Array, &'static str)> {
    if !path.exists() {
        bail!("--images {} does not exist", path.display());
    }
    let (images, what) = if path.is_dir() {
        (genzoo_data::read_png_folder(path)?, "PNG files")
    } else {
        let a = genzoo_data::read_npy(path)?;
        let n = a.len();
        // [N, H, W] and [N, 1, H, W] are images, [N, K, H, W] stacked digits (Stacked MNIST:
        // counted by mode); [N, D] is taken as square single-channel.
        let shape = match a.shape.as_slice() {
            [_, h, w] => vec![n, 1, *h, *w],
            [_, k, h, w] => vec![n, *k, *h, *w],
            [_, d] if ((*d as f64).sqrt() as usize).pow(2) == *d => {
                let side = (*d as f64).sqrt() as usize;
                vec![n, 1, side, side]
            }
            other => bail!(
                "{} holds an array of shape {other:?}; expected grey images [N, H, W], \
                 [N, 1, H, W], stacked ones [N, K, H, W] or flattened square ones [N, H·W]",
                path.display()
            ),
        };
        (Array::new(shape, a.values)?, "images")
    };
    if let Some(i) = images.values.iter().position(|v| !v.is_finite()) {
        bail!(
            "{} holds a non-finite value (NaN or infinity) in image {}",
            path.display(),
            i / images.example_size().max(1)
        );
    }
    let (lo, hi) = images
        .values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let (want_lo, want_hi) = match view {
        ImageView::Symmetric => (-1.0, 1.0),
        _ => (0.0, 1.0),
    };
    if lo < want_lo - RANGE_TOLERANCE || hi > want_hi + RANGE_TOLERANCE {
        bail!(
            "{} holds values in [{lo}, {hi}], outside the {view} range [{want_lo}, {want_hi}]: \
             pass --images-view symmetric for [-1, 1] values, or scale bytes to [0, 1]",
            path.display()
        );
    }
    Ok((images, what))
}

/// Draw `args.samples` samples from the run and map them to intensities.
fn draw_samples(run: &Path, args: &EvalArgs, device: &Device) -> Result<Generated> {
    let loaded = load_checkpoint(run, !args.latest, None)?;
    let spec = data::spec(&loaded.config.data)?;
    let Some(view) = data::view_of(&loaded.config.data)? else {
        bail!(
            "{} models 2-D toy points; the quality metrics measure MNIST images",
            run.display()
        );
    };
    runtime::check_fits_in_memory(args.samples, spec.dim(), "samples (--samples)")?;
    let job = SampleJob {
        loaded: &loaded,
        count: args.samples,
        seed: args.seed,
        ema: !args.no_ema,
        device: device.clone(),
    };
    let drawn = with_model(&loaded.config.model, &spec, device, job)?;
    let mut images = Array::new(
        [&[args.samples][..], &spec.example_shape].concat(),
        drawn.values,
    )?;
    if let Some(i) = images.values.iter().position(|v| !v.is_finite()) {
        bail!(
            "sample {} of {} is not finite (NaN or infinity): the model has diverged",
            i / images.example_size().max(1),
            run.display()
        );
    }
    let clamped = to_intensities(&mut images.values, view);
    let run_root = loaded.ckpt.parent().and_then(Path::parent);
    let family = loaded.config.model.family();
    Ok(Generated {
        description: format!(
            "{} samples of {} ({family}, step {}, {} weights, {view} view) in {:.1} s",
            args.samples,
            loaded.ckpt.display(),
            drawn.step,
            drawn.weights,
            drawn.seconds
        ),
        images,
        source: run.to_path_buf(),
        reference_view: reference_view_for(view),
        json_dir: run_root.map(|r| r.join("eval")),
        step: Some(drawn.step),
        extra: json!({
            "family": family,
            "checkpoint": loaded.ckpt.display().to_string(),
            "step": drawn.step,
            "weights": drawn.weights,
            "view": view.name(),
            "samples": args.samples,
            "sampling_seconds": drawn.seconds,
            "samples_per_second": args.samples as f64 / drawn.seconds.max(1e-9),
            "training_seconds": drawn.training_seconds,
            "parameters": drawn.parameters,
        }),
        clamped,
    })
}

/// What [`SampleJob`] drew.
struct Drawn {
    values: Vec<f32>,
    step: u64,
    weights: &'static str,
    seconds: f64,
    training_seconds: f64,
    parameters: usize,
}

struct SampleJob<'a> {
    loaded: &'a Loaded,
    count: usize,
    seed: u64,
    ema: bool,
    device: Device,
}

impl WithModel for SampleJob<'_> {
    type Out = Drawn;
    fn run<M: Zoo>(self, model: M) -> Result<Drawn> {
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, self.ema)?;
        let Some(generator) = model.generator() else {
            bail!(
                "{} is a {} run, which draws no samples; name a generative run",
                self.loaded.ckpt.display(),
                self.loaded.config.model.family()
            );
        };
        let state = checkpoint::read_state(&self.loaded.ckpt)?;
        let started = Instant::now();
        let mut values = Vec::new();
        for (chunk, start) in (0..self.count).step_by(SAMPLE_CHUNK).enumerate() {
            let n = SAMPLE_CHUNK.min(self.count - start);
            let mut rng = rng_for(self.seed, STREAM_QUALITY, chunk as u64);
            values.extend(tensor_values(generator.sample(
                n,
                &mut rng,
                &self.device,
            )?)?); // [n, D]
            eprint!("\rsampling {}/{}", start + n, self.count);
        }
        eprintln!();
        Ok(Drawn {
            values,
            step: state.step,
            weights: if used_ema { "EMA" } else { "raw" },
            seconds: started.elapsed().as_secs_f64(),
            training_seconds: state.elapsed_secs,
            parameters: model.num_params(),
        })
    }
}
