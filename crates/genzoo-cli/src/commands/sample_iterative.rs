//! `genzoo sample` for models that sample step by step ([`IterativeSample`]): the sampler
//! chosen on the command line (`--sampler ddpm|ddpm-tilde|ddim --steps S --eta η --skip
//! uniform|quad`) with a progress bar over the network evaluations, and the inversion with
//! reconstruction PSNR (`--invert N`) where the model's sampler runs backwards ([`Invert`]).

use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, ImageView, rng_for, save_grid, save_scatter, write_npy};
use genzoo_models::sampling::{Invert, IterativeSample, SamplerConfig, SamplerKind};
use genzoo_train::data;
use genzoo_train::trainer::tensor_values;
use indicatif::{ProgressBar, ProgressStyle};

use super::setup::{Loaded, resolve_data_dir};
use crate::args::SampleArgs;

/// RNG stream of step-by-step sampling and inversion (its bytes spell the family that came
/// first; changing them would change every seed's draws).
const STREAM_ITERATIVE: u64 = u64::from_be_bytes(*b"diffuse\0");
/// Padding between images in a grid.
const GRID_PADDING: usize = 2;
/// Pixels per side of a toy scatter.
const SCATTER_PIXELS: usize = 400;
/// Inverted images shown in the inversion picture.
const INVERT_SHOWN: usize = 16;
/// Latents are N(0, I): shown as `z/(2·LATENT_SPAN) + ½`, i.e. ±3 maps onto [0, 1].
const LATENT_SPAN: f32 = 3.0;

fn describe(s: &SamplerConfig, total: usize) -> String {
    let n = s.steps.unwrap_or(total);
    match s.kind {
        SamplerKind::Ddpm => format!("DDPM σ²=β, {total} steps {:?}", s.skip),
        SamplerKind::DdpmTilde => format!("DDPM σ²=β̃, {total} steps {:?}", s.skip),
        SamplerKind::Ddim => format!("DDIM S={total} η={} {:?}", s.eta, s.skip),
        SamplerKind::Euler => format!("Euler N={n}, {total} network calls"),
        SamplerKind::Heun => format!("Heun N={n}, {total} network calls"),
        SamplerKind::Rk4 => format!("RK4 N={n}, {total} network calls"),
        SamplerKind::Rk45 => format!(
            "RK45 rtol={} atol={}, {total} network calls",
            s.rtol, s.atol
        ),
    }
}

/// The sampler as a file-name part: `ddpm`, `ddpm-tilde`, `ddim-s50-eta0-uniform`.
fn slug(s: &SamplerConfig, steps: usize) -> String {
    let skip = format!("{:?}", s.skip).to_lowercase();
    let n = s.steps.unwrap_or(steps);
    match s.kind {
        SamplerKind::Ddpm => format!("ddpm-s{steps}-{skip}"),
        SamplerKind::DdpmTilde => format!("ddpm-tilde-s{steps}-{skip}"),
        SamplerKind::Ddim => format!("ddim-s{steps}-eta{}-{skip}", s.eta),
        SamplerKind::Euler | SamplerKind::Heun | SamplerKind::Rk4 => {
            format!("{}-n{n}", s.kind)
        }
        SamplerKind::Rk45 => format!("rk45-rtol{}-atol{}", s.rtol, s.atol),
    }
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} network calls  ETA {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Values of the data's view mapped to [0, 1] for pictures.
fn to_unit(values: &mut [f32], config: &genzoo_train::TrainConfig) {
    if data::view_of(&config.data).ok().flatten() == Some(ImageView::Symmetric) {
        values
            .iter_mut()
            .for_each(|v| *v = ((*v + 1.0) / 2.0).clamp(0.0, 1.0));
    }
}

/// Sample (or invert) with a model that samples step by step.
pub fn run(
    model: &dyn IterativeSample,
    a: &SampleArgs,
    loaded: &Loaded,
    device: &Device,
    weights: &str,
) -> Result<()> {
    let s = model.resolve_sampler(&a.sampler_request())?;
    if let Some(n) = a.invert {
        let Some(inversion) = model.inversion() else {
            bail!(
                "--invert needs a sampler that runs backwards; the {} family has none",
                loaded.config.model.family()
            );
        };
        return invert(
            inversion,
            model
                .network_calls(&s)?
                .context("inversion needs a fixed-step sampler")?,
            &s,
            n,
            a,
            loaded,
            device,
        );
    }
    let config = &loaded.config;
    let spec = data::spec(&config.data)?;
    let mut rng = rng_for(a.seed, STREAM_ITERATIVE, 0);
    let bar = bar();
    let started = Instant::now();
    // Step-by-step samplers draw a grid's worth unless told otherwise (50,000 toy points through
    // a 1000-step chain would take minutes).
    let count = a.count.unwrap_or(super::sample::DEFAULT_IMAGES);
    let sampled = model.sample_with(count, &s, &mut rng, device, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?; // [n, D]
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let calls = sampled.nfe.round() as usize;
    let mut values = tensor_values(sampled.x)?;
    super::sample::check_finite(&values, "value", loaded)?;
    if a.out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        let shape = [&[count][..], &spec.example_shape].concat();
        write_npy(&a.out, &Array::new(shape, values)?)?;
    } else if let Some([c, h, w]) = spec.image() {
        to_unit(&mut values, config);
        let ncols = (count as f64).sqrt().ceil() as usize;
        save_grid(
            &a.out,
            &Array::new(vec![count, c, h, w], values)?,
            ncols,
            GRID_PADDING,
        )?;
    } else if let Some(toy) = data::toy_of(&config.data)? {
        let points = Array::new(vec![count, spec.dim()], values)?;
        save_scatter(&a.out, &points, toy.plot_range(), SCATTER_PIXELS)?;
    } else {
        bail!(
            "no picture for examples of shape {:?}: write .npy",
            spec.example_shape
        );
    }
    eprintln!(
        "{count} samples ({}, {weights} weights, {}) -> {} in {secs:.2} s ({:.4} s/sample)",
        describe(&s, calls),
        loaded.ckpt.display(),
        a.out.display(),
        secs / count.max(1) as f64
    );
    super::sample::record_speed(loaded, count, secs, &slug(&s, calls))
}

/// Invert `n` test images over `calls` steps and reconstruct them: PSNR, and a picture of the
/// first few.
fn invert(
    model: &dyn Invert,
    calls: usize,
    s: &SamplerConfig,
    n: usize,
    a: &SampleArgs,
    loaded: &Loaded,
    device: &Device,
) -> Result<()> {
    if n == 0 {
        bail!("--invert must be >= 1");
    }
    let mut config = loaded.config.clone();
    resolve_data_dir(&mut config, a.data_dir.as_deref())?;
    let spec = data::spec(&config.data)?;
    let splits = data::load(&config.data, config.seed)?;
    let x = splits.test.head(Some(n));
    let n = x.len();
    let d = spec.dim();
    let xt = Tensor::<2>::from_data(TensorData::new(x.values.clone(), [n, d]), device);
    let mut rng = rng_for(a.seed, STREAM_ITERATIVE, 1);
    let bar = bar();
    let started = Instant::now();
    let (latent, recon) =
        model.invert_and_reconstruct(xt, s, a.invert_refine, &mut rng, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let (latent, mut recon) = (tensor_values(latent)?, tensor_values(recon)?);
    // PSNR over the data's range: 2 for [−1, 1], 1 for [0, 1]; per image, then averaged.
    let symmetric = data::view_of(&config.data)? == Some(ImageView::Symmetric);
    let peak: f64 = if symmetric { 2.0 } else { 1.0 };
    let psnr: Vec<f64> = x
        .values
        .chunks(d)
        .zip(recon.chunks(d))
        .map(|(u, v)| {
            let mse = u
                .iter()
                .zip(v)
                .map(|(p, q)| f64::from(p - q).powi(2))
                .sum::<f64>()
                / d as f64;
            10.0 * (peak * peak / mse.max(f64::MIN_POSITIVE)).log10()
        })
        .collect();
    let mean = psnr.iter().sum::<f64>() / n as f64;
    let worst = psnr.iter().copied().fold(f64::INFINITY, f64::min);
    // Uniform skipping with an S that does not divide T takes one timestep more than S: say
    // what ran (`calls`), not only what was asked.
    println!(
        "DDIM inversion, S={} {:?} ({calls} timesteps), refine={}: PSNR {mean:.2} dB mean, {worst:.2} dB worst over {n} test images ({secs:.1} s)",
        s.steps.unwrap_or(calls),
        s.skip,
        a.invert_refine
    );
    if let Some([c, h, w]) = spec.image() {
        let k = n.min(INVERT_SHOWN);
        let mut data_row = x.values[..k * d].to_vec();
        to_unit(&mut data_row, &config);
        let latent_row: Vec<f32> = latent[..k * d]
            .iter()
            .map(|z| (z / (2.0 * LATENT_SPAN) + 0.5).clamp(0.0, 1.0))
            .collect();
        to_unit(&mut recon, &config);
        let values = [data_row, latent_row, recon[..k * d].to_vec()].concat();
        save_grid(
            &a.out,
            &Array::new(vec![3 * k, c, h, w], values)?,
            k,
            GRID_PADDING,
        )?;
        eprintln!(
            "rows: data, latents, reconstructions -> {}",
            a.out.display()
        );
    }
    Ok(())
}
