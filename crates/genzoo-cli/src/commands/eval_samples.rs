//! `genzoo eval` on a 2-D toy, for every family that samples: the energy distance of its
//! samples to fresh draws of the toy, beside the floor and the sampling speed.
//!
//! ```text
//! E(P, Q) = 2 E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖,   X, X′ ~ P (samples),  Y, Y′ ~ Q (toy)
//! ```
//! (Székely & Rizzo 2013; [`genzoo_eval::energy_distance`]). It is zero only when P = Q, so it
//! ranks families with and without a likelihood on one scale. The floor is a second draw of
//! the toy against the same reference: a model cannot be told from the data below it.

use std::time::Instant;

use anyhow::Result;
use burn::prelude::*;
use genzoo_data::{Toy, rng_for};
use genzoo_eval::energy_distance;
use genzoo_models::Sample;

/// Points scored when `--examples` does not say (the flow report's count).
pub const DISTANCE_SAMPLES: usize = super::eval_flow::FLOW_SAMPLES;
/// RNG stream of the reference draws (the flow report draws its own).
const STREAM_DISTANCE: u64 = u64::from_be_bytes(*b"energyd\0");

/// Score `n` samples of `generator` against `n` fresh draws of `toy`: printed and recorded in
/// `json` as `energy_distance`, `energy_floor`, `distance_samples` and `samples_per_second`.
pub fn report(
    generator: &dyn Sample,
    toy: Toy,
    n: usize,
    seed: u64,
    device: &Device,
    json: &mut serde_json::Value,
) -> Result<()> {
    let reference = toy.sample(n, &mut rng_for(seed, STREAM_DISTANCE, 0)).values;
    let floor = energy_distance(
        &toy.sample(n, &mut rng_for(seed, STREAM_DISTANCE, 1)).values,
        &reference,
        2,
    )?;
    let started = Instant::now();
    let x = generator.sample(n, &mut rng_for(seed, STREAM_DISTANCE, 2), device)?;
    let values = genzoo_nn::host::to_vec(x, "samples")?;
    let secs = started.elapsed().as_secs_f64();
    let e = energy_distance(&values, &reference, 2)?;
    out!(
        "samples    energy distance {e:.5} to {n} fresh draws of {toy} (floor {floor:.5}); \
         {:.0} samples/s",
        n as f64 / secs
    );
    json["energy_distance"] = e.into();
    json["energy_floor"] = floor.into();
    json["distance_samples"] = n.into();
    json["samples_per_second"] = (n as f64 / secs).into();
    Ok(())
}
