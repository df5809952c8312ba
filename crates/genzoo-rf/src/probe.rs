//! The empirical check: backpropagate from one output unit of a real network to its input and
//! measure where the gradient is non-zero.
//!
//! For unit `u` of the output map, `∂(Σ_{b,c} y[b, c, u]) / ∂x` is structurally zero outside
//! the unit's receptive field; inside, it is non-zero unless weights or dead ReLUs cancel every
//! path (a max pool also routes it to each window's arg-max only). Summing `|∂/∂x|` over a
//! batch of Gaussian inputs and all channels makes such accidents vanishingly unlikely. (The
//! MADE self-test of Germain et al. 2015 checks the autoregressive property the same way, by
//! which inputs receive gradient.) The measured rows and columns are compared with
//! - the exact structural support ([`support()`](super::support())), for every net, and
//! - the analytic receptive field `[u·j − P, u·j − P + r − 1]`, for nets the recurrences
//!   describe (no transposed convolutions): a unit whose field lies inside the image must
//!   measure exactly that, `r` pixels; near the border the measured extent must lie within the
//!   field clipped to the image (it can be smaller: padding or a floor in an inner layer can
//!   cut pixels off, which the exact support accounts for).
//!
//! # Shapes
//! input `[B, C, H, W]` (B = [`ProbeConfig::batch`]), output `[B, C', H', W']`; the measured
//! gradient is reduced to `[H, W]`.

use burn::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::RfError;
use super::modules::ConvGeometry;
use super::report::analyse;
use super::support::{Support, support};
use genzoo_nn::noise::standard_normal;

/// How the probe draws its inputs.
#[derive(Clone, Copy, Debug)]
pub struct ProbeConfig {
    /// Gaussian inputs whose gradient magnitudes are summed.
    pub batch: usize,
    /// Seed of the inputs.
    pub seed: u64,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self { batch: 4, seed: 0 }
    }
}

/// What the probe found for one output unit.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitProbe {
    /// `[row, column]` of the output unit.
    pub unit: [usize; 2],
    /// Input rows and columns with non-zero gradient.
    pub measured: Support,
    /// The exact structural support.
    pub expected: Support,
    /// The analytic receptive field per axis, `(first, last)` input pixel before clipping,
    /// when the net has one.
    pub analytic: Option<[(i64, i64); 2]>,
}

impl UnitProbe {
    /// Measured extents equal the exact support's, and match the analytic receptive field:
    /// exactly when it lies inside the image, within its clipped part otherwise.
    pub fn agrees(&self) -> bool {
        let m = self.measured.extents();
        m == self.expected.extents()
            && self.analytic.is_none_or(|spans| {
                (0..2).all(|a| {
                    let n = self.measured.axes[a].len() as i64;
                    let (lo, hi) = spans[a];
                    match m[a] {
                        None => false,
                        Some((x, y)) if lo >= 0 && hi < n => (x as i64, y as i64) == (lo, hi),
                        Some((x, y)) => lo <= x as i64 && y as i64 <= hi,
                    }
                })
            })
    }

    /// The analytic receptive field lies inside the image on both axes.
    pub fn interior(&self) -> bool {
        self.analytic.is_some_and(|spans| {
            (0..2).all(|a| spans[a].0 >= 0 && spans[a].1 < self.measured.axes[a].len() as i64)
        })
    }
}

/// The probe of one network.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeReport {
    /// The net's name.
    pub net: String,
    /// `[C, H, W]` of the input.
    pub input: [usize; 3],
    /// `[H', W']` of the output map.
    pub output: [usize; 2],
    /// One entry per probed unit.
    pub units: Vec<UnitProbe>,
}

impl ProbeReport {
    /// Every probed unit agrees.
    pub fn agrees(&self) -> bool {
        self.units.iter().all(UnitProbe::agrees)
    }
}

/// Output units to probe on a `[H', W']` map: all of them when there are at most `max`,
/// otherwise the first and last four positions and the middle three of each axis, paired
/// along the diagonal (each axis's positions all appear; the axes are independent).
pub fn probe_units(size: [usize; 2], max: usize) -> Vec<[usize; 2]> {
    if size[0] * size[1] <= max {
        return (0..size[0])
            .flat_map(|r| (0..size[1]).map(move |c| [r, c]))
            .collect();
    }
    const EDGE: usize = 4;
    let picks = |n: usize| -> Vec<usize> {
        let mid = n / 2;
        let mut v: Vec<usize> = (0..EDGE.min(n))
            .chain(mid.saturating_sub(1)..(mid + 2).min(n))
            .chain(n.saturating_sub(EDGE)..n)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (rows, cols) = (picks(size[0]), picks(size[1]));
    let len = rows.len().max(cols.len());
    (0..len)
        .map(|i| [rows[i % rows.len()], cols[i % cols.len()]])
        .collect()
}

/// Probe `units` of `net`'s output; `device` must be an autodiff device holding the net.
pub fn probe(
    net: &dyn ConvGeometry,
    units: &[[usize; 2]],
    config: &ProbeConfig,
    device: &Device,
) -> Result<ProbeReport, RfError> {
    let geometry = net.rf_net()?;
    let [c, h, w] = net.rf_input();
    let shapes = geometry.shapes([h, w])?;
    let last = &shapes[shapes.len() - 1];
    let output = [last[0].output, last[1].output];
    let analytic = analyse(&geometry, [h, w]).ok();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut probes = Vec::with_capacity(units.len());
    for &unit in units {
        let expected = support(&geometry, [h, w], geometry.last(), unit)?;
        let x = standard_normal([config.batch, c, h, w], &mut rng, device).require_grad();
        let y = net.rf_forward(x.clone()); // [B, C', H', W']
        let [b, co, ho, wo] = y.dims();
        if [ho, wo] != output {
            return Err(RfError::Probe(format!(
                "`{}` computes a {ho}x{wo} map but its geometry says {}x{}",
                geometry.name, output[0], output[1]
            )));
        }
        let target = y
            .slice([0..b, 0..co, unit[0]..unit[0] + 1, unit[1]..unit[1] + 1])
            .sum();
        let grads = target.backward();
        let g = x.grad(&grads).ok_or_else(|| {
            RfError::Probe("no input gradient: build the net on an autodiff device".into())
        })?;
        let magnitude = g.abs().sum_dim(0).sum_dim(1).reshape([h, w]); // [H, W]
        let values = magnitude
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| RfError::Probe(format!("reading the gradient back: {e:?}")))?;
        let rows = (0..h)
            .map(|r| values[r * w..(r + 1) * w].iter().any(|&v| v != 0.0))
            .collect();
        let cols = (0..w)
            .map(|col| (0..h).any(|r| values[r * w + col] != 0.0))
            .collect();
        let analytic = analytic
            .as_ref()
            .map(|rep| [0, 1].map(|a| rep.output().axes[a].span(unit[a])));
        probes.push(UnitProbe {
            unit,
            measured: Support { axes: [rows, cols] },
            expected,
            analytic,
        });
    }
    Ok(ProbeReport {
        net: geometry.name.clone(),
        input: [c, h, w],
        output,
        units: probes,
    })
}
