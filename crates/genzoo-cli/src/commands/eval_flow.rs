//! `genzoo eval` of a rectified flow on a 2-D toy: sample quality against NFE and the
//! straightness of the flow.
//!
//! A rectified flow has no likelihood here, so its samples are scored by the energy distance
//! to fresh draws of the toy ([`genzoo_eval::energy_distance`]), for Euler at N = 1, 2, 10,
//! 100 steps and for RK45, all from the same noise; beside them the floor (a second fresh draw
//! of the toy against the first) and the flow's straightness and transport cost on a 100-step
//! Euler grid ([`genzoo_models::rectified_flow::path_report`]).

use anyhow::Result;
use burn::prelude::*;
use genzoo_data::{Toy, rng_for, save_paths};
use genzoo_eval::energy_distance;
use genzoo_models::rectified_flow::{RectifiedFlow, path_report};
use genzoo_models::sampling::{IterativeSample, SamplerConfig, SamplerKind};
use genzoo_nn::noise::standard_normal;

/// Points scored per sampler when `--examples` does not say.
pub const FLOW_SAMPLES: usize = 2000;
/// Euler steps of the straightness grid.
pub const STRAIGHTNESS_STEPS: usize = 100;
/// RNG stream of the flow report.
const STREAM_FLOW: u64 = u64::from_be_bytes(*b"flowrep\0");

/// The samplers of the report: Euler at these N, then the run's RK45.
const EULER_STEPS: [usize; 4] = [1, 2, 10, 100];

/// Paths drawn in the trajectory picture, from the same noise for every run and seed 0.
const PICTURE_PATHS: usize = 200;
/// Pixels per side of the trajectory picture.
const PICTURE_PIXELS: usize = 400;

/// Score `flow` on `toy` with `n` points from `seed`: printed, and recorded in `json`; with
/// `picture`, the trajectories of [`PICTURE_PATHS`] noise points (the same for every run, so
/// 1-RF and 2-RF pictures compare path for path) on the straightness grid.
pub fn report(
    flow: &RectifiedFlow,
    toy: Toy,
    n: usize,
    seed: u64,
    device: &Device,
    json: &mut serde_json::Value,
    picture: Option<&std::path::Path>,
) -> Result<()> {
    let reference = toy.sample(n, &mut rng_for(seed, STREAM_FLOW, 0)).values;
    let floor = energy_distance(
        &toy.sample(n, &mut rng_for(seed, STREAM_FLOW, 1)).values,
        &reference,
        2,
    )?;
    let x0 = standard_normal([n, 2], &mut rng_for(seed, STREAM_FLOW, 2), device);
    let mut samplers: Vec<SamplerConfig> = EULER_STEPS
        .iter()
        .map(|&s| SamplerConfig {
            kind: SamplerKind::Euler,
            steps: Some(s),
            ..SamplerConfig::default()
        })
        .collect();
    let run_sampler = flow.default_sampler();
    samplers.push(SamplerConfig {
        kind: SamplerKind::Rk45,
        steps: None,
        ..run_sampler
    });
    out!("toy        {toy}, {n} points per sampler against {n} fresh draws");
    out!("floor      energy distance {floor:.5} (a second draw of the toy)");
    let mut rows = Vec::new();
    let mut last = (f64::NAN, f64::NAN);
    for s in &samplers {
        let started = std::time::Instant::now();
        let (x1, nfe) = flow.transport(x0.clone(), s, &mut |_, _| {})?;
        let secs = started.elapsed().as_secs_f64();
        let values = genzoo_nn::host::to_vec(x1, "samples")?;
        let e = energy_distance(&values, &reference, 2)?;
        let name = match s.kind {
            SamplerKind::Rk45 => format!("rk45 rtol={} atol={}", s.rtol, s.atol),
            k => format!("{k} N={}", s.steps.unwrap_or(0)),
        };
        out!("{name:<26} NFE {nfe:>4}  energy distance {e:.5}  ({secs:.2} s)");
        last = (e, n as f64 / secs);
        rows.push(serde_json::json!({
            "sampler": name, "nfe": nfe, "energy_distance": e, "seconds": secs,
        }));
    }
    let path = path_report(flow, x0, STRAIGHTNESS_STEPS)?;
    out!(
        "straightness {:.5}  transport cost {:.4}  (Euler grid of {} steps)",
        path.straightness,
        path.transport_cost,
        path.steps
    );
    if let Some(path) = picture {
        let z = standard_normal([PICTURE_PATHS, 2], &mut rng_for(0, STREAM_FLOW, 3), device);
        save_paths(
            path,
            &trajectories(flow, z, STRAIGHTNESS_STEPS)?,
            toy.plot_range(),
            PICTURE_PIXELS,
        )?;
        out!("paths      {}", path.display());
        json["trajectories"] = path.display().to_string().into();
    }
    json["samples"] = n.into();
    json["energy_floor"] = floor.into();
    // The run's own sampler (RK45, last) stands for the flow where one number is wanted.
    json["energy_distance"] = last.0.into();
    json["distance_samples"] = n.into();
    json["samples_per_second"] = last.1.into();
    json["samplers"] = rows.into();
    json["straightness"] = path.straightness.into();
    json["transport_cost"] = path.transport_cost.into();
    json["straightness_steps"] = path.steps.into();
    Ok(())
}

/// The Euler paths of `x0`'s rows over `steps` steps, `steps + 1` points each.
fn trajectories(flow: &RectifiedFlow, x0: Tensor<2>, steps: usize) -> Result<Vec<Vec<(f64, f64)>>> {
    let [n, _] = x0.dims();
    let mut paths = vec![Vec::with_capacity(steps + 1); n];
    let mut x = x0;
    let h = 1.0 / steps as f64;
    for k in 0..=steps {
        let values = genzoo_nn::host::to_vec(x.clone(), "trajectory")?;
        for (path, p) in paths.iter_mut().zip(values.chunks_exact(2)) {
            path.push((f64::from(p[0]), f64::from(p[1])));
        }
        if k < steps {
            x = x.clone() + flow.velocity_at(x, k as f64 * h) * h;
        }
    }
    Ok(paths)
}
