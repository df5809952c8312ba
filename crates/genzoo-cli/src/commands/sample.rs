//! `genzoo sample`: samples, reconstructions and the latent-manifold picture.

use anyhow::{Result, bail};
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, rng_for, save_grid};
use genzoo_eval::normal_quantile;
use genzoo_models::LatentVariable;
use genzoo_train::data::{self, load};
use genzoo_train::trainer::{load_weights, tensor_values, write_pictures};

use super::setup::{Loaded, load_checkpoint, resolve_data_dir};
use crate::args::SampleArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;

/// RNG stream of `genzoo sample`.
const STREAM_SAMPLE: u64 = u64::from_be_bytes(*b"sample\0\0");
/// Examples shown in the reconstruction picture (one row of data, one of reconstructions).
const RECONSTRUCTIONS: usize = 16;
/// Padding between images in a grid.
const GRID_PADDING: usize = 2;

/// Whether `path` ends in `.ext` (any case).
fn has_extension(path: &std::path::Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Refuse every output that cannot be written before any is: unknown file types, pictures the
/// data or the model cannot make, bad sizes. So an error never leaves a partial set behind.
fn check_outputs(args: &SampleArgs, loaded: &Loaded) -> Result<()> {
    if args.count == Some(0) {
        bail!("--count must be >= 1");
    }
    if !has_extension(&args.out, "png") && !has_extension(&args.out, "npy") {
        bail!(
            "--out {}: write .png (a picture) or .npy (the values)",
            args.out.display()
        );
    }
    let pictures = [
        ("--reconstructions", &args.reconstructions),
        ("--manifold", &args.manifold),
        ("--density", &args.density),
        ("--interpolate", &args.interpolate),
    ];
    for (flag, path) in pictures {
        if let Some(p) = path.as_deref().filter(|p| !has_extension(p, "png")) {
            bail!("{flag} {}: pictures are written as .png", p.display());
        }
    }
    let spec = data::spec(&loaded.config.data)?;
    let toy = matches!(loaded.config.data, genzoo_train::config::DataConfig::Toy(_));
    if args.reconstructions.is_some() && spec.image().is_none() {
        bail!("--reconstructions are drawn for image data only");
    }
    if args.manifold.is_some() {
        if spec.image().is_none() {
            bail!("the latent-manifold picture is drawn for image data only");
        }
        if args.manifold_size < 2 {
            bail!("--manifold-size must be >= 2");
        }
    }
    if args.density.is_some() {
        if !toy {
            bail!("density pictures are drawn for 2-D toy data only");
        }
        if args.density_k == 0 {
            bail!("--density-k must be >= 1");
        }
    }
    if args.interpolate.is_some() && args.interpolate_rows == 0 {
        bail!("--interpolate-rows must be >= 1");
    }
    let count = args.count.unwrap_or_else(|| default_count(loaded));
    // A picture holds every value at once; `.npy` output is streamed a chunk at a time.
    if has_extension(&args.out, "npy") {
        crate::runtime::check_fits_on_disk(count, spec.dim(), &args.out, "samples (-n)")?;
    } else {
        crate::runtime::check_fits_in_memory(count, spec.dim(), "samples (-n)")?;
    }
    if !has_extension(&args.out, "npy") && spec.image().is_some() && count > MAX_GRID_IMAGES {
        bail!(
            "-n {count} images make a grid picture of {count} cells; at most {MAX_GRID_IMAGES} \
             go in a PNG: write .npy for more"
        );
    }
    Ok(())
}

/// The most images one grid picture holds.
const MAX_GRID_IMAGES: usize = 10_000;
/// Samples drawn per call to the model for `.npy` output, so activations stay small whatever
/// `-n` is.
const SAMPLE_CHUNK: usize = 10_000;

/// Refuse samples holding a NaN or an infinity before anything is written.
pub(crate) fn check_finite(values: &[f32], what: &str, loaded: &Loaded) -> Result<()> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        bail!(
            "{what} {i} from {} is not finite (NaN or infinity): the weights have diverged; \
             nothing was written",
            loaded.ckpt.display()
        );
    }
    Ok(())
}

/// Samples drawn when `-n` is not given: a 64-image grid, or a 50,000-point toy scatter.
fn default_count(loaded: &Loaded) -> usize {
    match loaded.config.data {
        genzoo_train::config::DataConfig::Toy(_) => genzoo_train::trainer::SCATTER_POINTS,
        _ => DEFAULT_IMAGES,
    }
}

/// Images in the grid when `-n` is not given.
pub(crate) const DEFAULT_IMAGES: usize = 64;

/// Sample as the arguments say.
pub fn run(args: SampleArgs) -> Result<()> {
    let loaded = load_checkpoint(&args.checkpoint, !args.latest, args.data_dir.as_deref())?;
    check_outputs(&args, &loaded)?;
    let spec = data::spec(&loaded.config.data)?;
    let device = runtime::device(&args.device.device)?;
    let job = SampleJob {
        args: &args,
        loaded: &loaded,
        device: device.clone(),
    };
    with_model(&loaded.config.model, &spec, &device, job)
}

struct SampleJob<'a> {
    args: &'a SampleArgs,
    loaded: &'a Loaded,
    device: Device,
}

impl WithModel for SampleJob<'_> {
    type Out = ();
    fn run<M: Zoo>(self, model: M) -> Result<()> {
        let a = self.args;
        let family = self.loaded.config.model.family();
        let (model, used_ema) = load_weights(model, &self.loaded.ckpt, !a.no_ema)?;
        let weights = if used_ema { "EMA" } else { "raw" };
        let Some(generator) = model.generator() else {
            bail!(
                "a {family} does not generate examples: `genzoo sample` needs a run of a \
                 generative family"
            );
        };
        // Refused before anything is drawn, so no sample picture is left behind.
        if a.interpolate.is_some() && model.latent_generator().is_none() {
            bail!("--interpolate walks a generator's latent prior; a {family} has none");
        }
        if (a.reconstructions.is_some() || a.manifold.is_some()) && model.latent().is_none() {
            bail!(
                "--reconstructions and --manifold need a latent-variable model; a {family} has none"
            );
        }
        if let (Some(_), Some(latent)) = (&a.manifold, model.latent())
            && latent.latent_dim() != 2
        {
            bail!(
                "the latent-manifold picture needs a 2-D latent, this model has {}",
                latent.latent_dim()
            );
        }
        let count = a.count.unwrap_or_else(|| default_count(self.loaded));
        if let Some(iterative) = model.iterative() {
            return super::sample_iterative::run(iterative, a, self.loaded, &self.device, weights);
        }
        if !a.sampler_request().is_empty() || a.invert.is_some() {
            bail!(
                "--sampler/--steps/--eta/--skip/--invert choose how a model samples step by \
                 step; a {family} draws its samples in one pass"
            );
        }
        let mut config = self.loaded.config.clone();
        let spec = data::spec(&config.data)?;
        let mut rng = rng_for(a.seed, STREAM_SAMPLE, 0);
        let is_npy = has_extension(&a.out, "npy");
        let started = std::time::Instant::now();
        if is_npy {
            // Streamed a chunk at a time: the array never has to fit in memory, and an error
            // (a NaN, a full disk) leaves no partial file.
            let shape = [&[count][..], &spec.example_shape].concat();
            let mut out = genzoo_data::NpyWriter::create(&a.out, &shape)?;
            for (i, start) in (0..count).step_by(SAMPLE_CHUNK).enumerate() {
                let n = SAMPLE_CHUNK.min(count - start);
                let x = tensor_values(generator.sample(n, &mut rng, &self.device)?)?; // [n, D]
                check_finite(&x, &format!("value (chunk {i})"), self.loaded)?;
                out.append(&x)?;
            }
            out.finish()?;
        } else {
            // Pictures need the splits only for the toy's plot range and the value range.
            let needs_data = a.reconstructions.is_some();
            if needs_data {
                resolve_data_dir(&mut config, a.data_dir.as_deref())?;
            }
            let splits = load_for_pictures(&config, needs_data)?;
            write_pictures(generator, &splits, count, &mut rng, &self.device, &a.out)?;
            if let Some(path) = &a.reconstructions {
                let Some([c, h, w]) = spec.image() else {
                    bail!("reconstructions are drawn for image data only");
                };
                let Some(model) = model.latent() else {
                    bail!(
                        "reconstructions need a latent-variable model, {} has none",
                        config.model.family()
                    );
                };
                let x = splits.test.head(Some(RECONSTRUCTIONS));
                let n = x.len();
                let xt = Tensor::<2>::from_data(
                    TensorData::new(x.values.clone(), [n, spec.dim()]),
                    &self.device,
                );
                let recon = tensor_values(model.decode_mean(model.encode_mean(xt)))?;
                let values = [x.values, recon].concat(); // row 1: data, row 2: reconstructions
                save_grid(
                    path,
                    &Array::new(vec![2 * n, c, h, w], values)?,
                    n,
                    GRID_PADDING,
                )?;
                eprintln!("reconstructions: {}", path.display());
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let latent = || {
            model.latent().ok_or_else(|| {
                anyhow::anyhow!(
                    "this picture needs a latent-variable model, {} has none",
                    config.model.family()
                )
            })
        };
        if let Some(path) = &a.density {
            density(&model, &config, a.density_k, &self.device, path)?;
        }
        if let Some(path) = &a.manifold {
            manifold(latent()?, &spec, a.manifold_size, &self.device, path)?;
            eprintln!("latent manifold: {}", path.display());
        }
        if let Some(path) = &a.interpolate {
            let Some(g) = model.latent_generator() else {
                bail!("--interpolate walks a generator's latent prior; a {family} has none");
            };
            let place = Place {
                spec: &spec,
                toy: data::toy_of(&config.data)?,
                symmetric: data::view_of(&config.data)? == Some(genzoo_data::ImageView::Symmetric),
            };
            interpolate(g, &place, a.interpolate_rows, a.seed, &self.device, path)?;
            eprintln!("latent interpolation: {}", path.display());
        }
        eprintln!(
            "{count} samples ({weights} weights, {}) -> {} in {secs:.2} s ({:.1} samples/s)",
            self.loaded.ckpt.display(),
            a.out.display(),
            count as f64 / secs.max(1e-9)
        );
        record_speed(self.loaded, count, secs, "default")
    }
}

/// Write the sampling speed into the run's `eval/` directory, where `genzoo scoreboard` reads
/// it: `sample-speed-<sampler>-step<N>.json` with `samples_per_second`. The time covers drawing
/// and writing the output file, on this machine with `rayon`'s default threads.
pub fn record_speed(loaded: &Loaded, count: usize, secs: f64, sampler: &str) -> Result<()> {
    let Some(root) = loaded.ckpt.parent().and_then(std::path::Path::parent) else {
        return Ok(());
    };
    let state = genzoo_train::checkpoint::read_state(&loaded.ckpt)?;
    let json = serde_json::json!({
        "family": loaded.config.model.family(),
        "checkpoint": loaded.ckpt.display().to_string(),
        "step": state.step,
        "sampler": sampler,
        "samples": count,
        "seconds": secs,
        "samples_per_second": count as f64 / secs.max(f64::MIN_POSITIVE),
    });
    let path = root
        .join("eval")
        .join(format!("sample-speed-{sampler}-step{}.json", state.step));
    genzoo_data::write_atomic(&path, serde_json::to_string_pretty(&json)?.as_bytes())?;
    Ok(())
}

/// Data for pictures: the real splits when needed, else an empty stand-in with the right spec.
fn load_for_pictures(config: &genzoo_train::TrainConfig, needs_data: bool) -> Result<data::Splits> {
    if needs_data || matches!(config.data, genzoo_train::config::DataConfig::Toy(_)) {
        return Ok(load(&config.data, config.seed)?);
    }
    let spec = data::spec(&config.data)?;
    let empty = || {
        data::DataSource::Array(Array {
            shape: [&[0][..], &spec.example_shape].concat(),
            values: vec![],
        })
    };
    Ok(data::Splits {
        spec: spec.clone(),
        train: empty(),
        valid: empty(),
        test: empty(),
        toy: None,
        labels: None,
        augment: None,
        sources: None,
        view: data::view_of(&config.data)?,
    })
}

/// What the generated values are: their shape, the toy they imitate, their range.
struct Place<'a> {
    spec: &'a genzoo_models::DataSpec,
    toy: Option<genzoo_data::Toy>,
    /// Values in [−1, 1] (else [0, 1]).
    symmetric: bool,
}

/// Codes along each interpolation path, ends included.
const INTERPOLATION_STEPS: usize = 10;

/// `rows` pairs of prior draws joined by [`INTERPOLATION_STEPS`] codes each (slerp through a
/// Gaussian prior, lerp through a uniform one), generated: an image grid with one row per
/// pair, or for 2-D points one path per pair.
fn interpolate(
    g: &dyn genzoo_models::LatentGenerator,
    place: &Place,
    rows: usize,
    seed: u64,
    device: &Device,
    path: &std::path::Path,
) -> Result<()> {
    // `rows >= 1` was checked with every other output before anything was drawn.
    let l = g.latent_dim();
    let mut rng = rng_for(seed, STREAM_SAMPLE, 1);
    let ends = tensor_values(g.prior_sample(2 * rows, &mut rng, device))?;
    let mut codes = Vec::with_capacity(rows * INTERPOLATION_STEPS * l);
    for pair in ends.chunks_exact(2 * l) {
        let (a, b) = pair.split_at(l);
        for k in 0..INTERPOLATION_STEPS {
            let s = k as f64 / (INTERPOLATION_STEPS - 1) as f64;
            if g.gaussian_prior() {
                codes.extend(genzoo_models::diffusion::samplers::slerp(a, b, s));
            } else {
                codes.extend(a.iter().zip(b).map(|(x, y)| x + (y - x) * s as f32));
            }
        }
    }
    let n = rows * INTERPOLATION_STEPS;
    let z = Tensor::<2>::from_data(TensorData::new(codes, [n, l]), device);
    let x = tensor_values(g.generate(z)?)?;
    let (spec, toy) = (place.spec, place.toy);
    if let Some([c, h, w]) = spec.image() {
        let x = x
            .iter()
            .map(|&v| match place.symmetric {
                true => v.clamp(-1.0, 1.0) * 0.5 + 0.5,
                false => v.clamp(0.0, 1.0),
            })
            .collect();
        return Ok(save_grid(
            path,
            &Array::new(vec![n, c, h, w], x)?,
            INTERPOLATION_STEPS,
            GRID_PADDING,
        )?);
    }
    let Some(toy) = toy.filter(|_| spec.dim() == 2) else {
        bail!("interpolation pictures are drawn for images and 2-D toys");
    };
    let paths: Vec<Vec<(f64, f64)>> = x
        .chunks_exact(2 * INTERPOLATION_STEPS)
        .map(|p| {
            p.chunks_exact(2)
                .map(|q| (f64::from(q[0]), f64::from(q[1])))
                .collect()
        })
        .collect();
    Ok(genzoo_data::save_paths(
        path,
        &paths,
        toy.plot_range(),
        400,
    )?)
}

/// Pixels per side of a density picture.
const DENSITY_PIXELS: usize = 200;
/// The colour scale of a model density stops at this quantile: an importance-sampled estimate
/// has rare huge values (one lucky z) that would otherwise wash the map out.
const DENSITY_CLIP_QUANTILE: f64 = 0.995;

/// Clip `values` at their `q`-quantile.
fn clip_upper(mut values: Vec<f64>, q: f64) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if let Some(&cap) = sorted.get(((sorted.len() as f64 - 1.0) * q) as usize) {
        values.iter_mut().for_each(|v| *v = v.min(cap));
    }
    values
}

/// The model's density on a grid over the toy's window (exact where the family has an exact
/// likelihood, else `exp L_k(x)`), and the true density: the toy's, or `exp(−U)/Z` for a flow
/// fitted to an energy.
fn density<M: Zoo>(
    model: &M,
    config: &genzoo_train::TrainConfig,
    k: usize,
    device: &Device,
    path: &std::path::Path,
) -> Result<()> {
    let genzoo_train::config::DataConfig::Toy(t) = &config.data else {
        bail!("density pictures are drawn for 2-D toy data only");
    };
    // `k >= 1` was checked with every other output before anything was drawn.
    let toy: genzoo_data::Toy = t.toy.parse()?;
    let range = toy.plot_range();
    let grid = genzoo_data::density_grid(range, DENSITY_PIXELS);
    let points: Vec<f32> = grid
        .iter()
        .flat_map(|&(x, y)| [x as f32, y as f32])
        .collect();
    let points = Array::new(vec![grid.len(), 2], points)?;
    let values = if let Some(latent) = model.latent() {
        let options = genzoo_eval::IwaeOptions {
            k,
            max_rows: config.eval.max_rows,
        };
        let mut rng = rng_for(0, STREAM_SAMPLE, 1);
        let report =
            genzoo_eval::iwae(latent, &points, &options, &mut rng, device, &mut |_, _| {})?;
        let values: Vec<f64> = report.per_example.iter().map(|l| l.exp()).collect();
        clip_upper(values, DENSITY_CLIP_QUANTILE)
    } else if let Some(exact) = model.exact() {
        let report = genzoo_eval::exact_nll(
            exact,
            &points,
            config.trainer.batch_size,
            device,
            &mut |_, _| {},
        )?;
        report.per_example.iter().map(|l| l.exp()).collect()
    } else {
        bail!(
            "density pictures need a latent-variable model or an exact likelihood; {} has neither",
            config.model.family()
        );
    };
    genzoo_data::save_heatmap(path, &values, DENSITY_PIXELS, DENSITY_PIXELS)?;
    eprintln!("model density: {}", path.display());
    let target = match &config.model {
        genzoo_models::ModelConfig::Planar(p) => p.target,
        _ => None,
    };
    if target.is_some() || toy.log_density(0.0, 0.0).is_some() {
        let truth: Vec<f64> = grid
            .iter()
            .map(|&(x, y)| match target {
                Some(e) => e.log_density(x, y).exp(),
                None => toy.log_density(x, y).map_or(0.0, f64::exp),
            })
            .collect();
        let stem = path
            .file_stem()
            .map_or("density".into(), |s| s.to_string_lossy().into_owned());
        let oracle = path.with_file_name(format!("{stem}-oracle.png"));
        genzoo_data::save_heatmap(&oracle, &truth, DENSITY_PIXELS, DENSITY_PIXELS)?;
        eprintln!("true density:  {}", oracle.display());
    }
    Ok(())
}

/// Kingma & Welling's Figure 4: decode a grid of latent points placed at equal probability
/// steps, `z = (Φ⁻¹(u₁), Φ⁻¹(u₂))` with `u` on a uniform grid inside (0, 1).
fn manifold<M: LatentVariable + ?Sized>(
    model: &M,
    spec: &genzoo_models::DataSpec,
    size: usize,
    device: &Device,
    path: &std::path::Path,
) -> Result<()> {
    // The 2-D latent, image data and `size >= 2` were checked before anything was drawn.
    let Some([c, h, w]) = spec.image() else {
        bail!("the latent-manifold picture is drawn for image data only");
    };
    let q = |i: usize| normal_quantile((i as f64 + 0.5) / size as f64) as f32;
    let mut z = Vec::with_capacity(size * size * 2);
    for row in 0..size {
        for col in 0..size {
            // Row 0 at the top holds the largest z₂.
            z.extend([q(col), q(size - 1 - row)]);
        }
    }
    let zt = Tensor::<2>::from_data(TensorData::new(z, [size * size, 2]), device);
    let x = tensor_values(model.decode_mean(zt))?;
    save_grid(path, &Array::new(vec![size * size, c, h, w], x)?, size, 0)?;
    Ok(())
}
