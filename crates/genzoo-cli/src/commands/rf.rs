//! `genzoo rf`: receptive fields per layer of a built-in architecture, a TOML description, or
//! the convolutional networks genzoo builds (read off the built modules), and the gradient
//! probe that checks them on genzoo's networks.

mod table;

use anyhow::{Context, Result, bail};
use burn::prelude::*;
use genzoo_rf::{
    ConvGeometry, ProbeConfig, RfError, RfNet, analyse, parse, presets, probe, probe_units, support,
};
use genzoo_train::TrainConfig;
use genzoo_train::run::RunDir;

use super::setup::train_config;
use crate::args::RfArgs;
use crate::family::{WithModel, Zoo, with_model};
use crate::runtime;
use table::SupportRow;

/// Output maps with at most this many units are probed unit by unit; larger ones on a sample
/// of border and middle units.
const PROBE_ALL_UNITS: usize = 256;

/// Analyse (and probe) as the arguments say.
pub fn run(args: RfArgs) -> Result<()> {
    let input = args.input.as_deref().map(parse_input).transpose()?;
    if let Some(name) = &args.preset {
        let preset = presets::find(name)?;
        let input = input.unwrap_or([preset.default_input; 2]);
        out!("{}", preset.about);
        return print_net(&(preset.build)(), input);
    }
    if let Some(path) = &args.file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let described = parse(&text).with_context(|| format!("in {}", path.display()))?;
        let Some(input) = input.or(described.input) else {
            bail!("give the input size: --input N (or `input = N` in the file)");
        };
        return print_net(&described.net, input);
    }
    if args.probe_batch == 0 {
        bail!("--probe-batch must be >= 1");
    }
    let configs: Vec<(String, TrainConfig)> = if let Some(name) = &args.model {
        vec![(name.clone(), train_config(None, Some(name), &[])?)]
    } else if let Some(dir) = &args.run {
        let config = RunDir::new(dir)
            .load_config()
            .with_context(|| format!("reading the config of run {}", dir.display()))?;
        vec![(dir.display().to_string(), config)]
    } else if args.probe {
        crate::presets::PRESETS
            .iter()
            .map(|(name, _)| Ok((name.to_string(), train_config(None, Some(name), &[])?)))
            .collect::<Result<_>>()?
    } else {
        bail!(
            "say what to analyse: --preset NAME, --file NET.toml, --model CONFIG or --run DIR \
             (or --probe for every built-in genzoo conv net)"
        );
    };
    let device = runtime::device(&args.device.device)?.autodiff();
    let (mut nets, mut failures) = (0, 0);
    for (label, config) in &configs {
        let mut spec = genzoo_train::data::spec(&config.data)?;
        if let Some([h, w]) = input {
            match spec.example_shape.as_mut_slice() {
                [_, eh, ew] => (*eh, *ew) = (h, w),
                _ if configs.len() == 1 => bail!("{label}: --input applies to image data only"),
                _ => {}
            }
        }
        device.seed(config.seed);
        let job = RfJob {
            label,
            probe: args.probe.then_some(ProbeConfig {
                batch: args.probe_batch,
                seed: config.seed,
            }),
            device: &device,
        };
        let (n, bad) = with_model(&config.model, &spec, &device, job)?;
        nets += n;
        failures += bad;
    }
    if nets == 0 {
        bail!("no convolutional network in {}", names(&configs));
    }
    out!("\n{}", table::LEGEND);
    if failures > 0 {
        bail!("gradient probe: {failures} unit(s) disagree with the computed receptive field");
    }
    Ok(())
}

fn names(configs: &[(String, TrainConfig)]) -> String {
    let v: Vec<&str> = configs.iter().map(|(n, _)| n.as_str()).collect();
    v.join(", ")
}

/// `224` or `224x320` (height x width).
fn parse_input(text: &str) -> Result<[usize; 2]> {
    let parts: Vec<&str> = text.split(['x', 'X']).collect();
    let nums: Vec<usize> = parts
        .iter()
        .map(|p| p.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--input {text:?}: expected N or HxW"))?;
    match nums.as_slice() {
        [n] if *n > 0 => Ok([*n, *n]),
        [h, w] if *h > 0 && *w > 0 => Ok([*h, *w]),
        _ => bail!("--input {text:?}: expected N or HxW, both at least 1"),
    }
}

/// The per-layer table of a net the recurrences describe.
fn print_net(net: &RfNet, input: [usize; 2]) -> Result<()> {
    let report = analyse(net, input)?;
    out!("{} at {}x{}", net.name, input[0], input[1]);
    out_nonl!("{}", table::layers(net, &report));
    out!("\n{}", table::LEGEND);
    Ok(())
}

/// Analyses (and probes) the conv nets of one genzoo model; returns (nets, failed units).
struct RfJob<'a> {
    label: &'a str,
    probe: Option<ProbeConfig>,
    device: &'a Device,
}

impl WithModel for RfJob<'_> {
    type Out = (usize, usize);
    fn run<M: Zoo>(self, model: M) -> Result<(usize, usize)> {
        let nets = model.conv_nets();
        let mut failures = 0;
        for (role, net) in &nets {
            let [c, h, w] = net.rf_input();
            let geometry = net.rf_net()?;
            out!(
                "\n{} · {role} ({}): input {c}x{h}x{w}",
                self.label,
                geometry.name
            );
            match analyse(&geometry, [h, w]) {
                Ok(report) => out_nonl!("{}", table::layers(&geometry, &report)),
                Err(RfError::Transposed { .. }) => {
                    out!("up-sampling: input units each output unit depends on (exact)");
                    out_nonl!(
                        "{}",
                        table::supports(&geometry, &support_rows(&geometry, [h, w])?)
                    );
                }
                Err(e) => return Err(e.into()),
            }
            if let Some(config) = &self.probe {
                failures += run_probe(*net, config, self.device)?;
            }
        }
        Ok((nets.len(), failures))
    }
}

/// Per node: output size and, per axis, the fewest and most input units a unit depends on.
fn support_rows(net: &RfNet, input: [usize; 2]) -> Result<Vec<SupportRow>> {
    let shapes = net.shapes(input)?;
    let mut rows = Vec::with_capacity(shapes.len());
    for (id, shape) in net.ids().zip(&shapes) {
        let size = [shape[0].output, shape[1].output];
        let mut units = [(usize::MAX, 0); 2];
        for (axis, span) in units.iter_mut().enumerate() {
            for u in 0..size[axis] {
                let unit = if axis == 0 { [u, 0] } else { [0, u] };
                let n = support(net, input, id, unit)?
                    .extent(axis)
                    .map_or(0, |(a, b)| b - a + 1);
                *span = (span.0.min(n), span.1.max(n));
            }
        }
        rows.push(SupportRow { size, units });
    }
    Ok(rows)
}

/// Probe one net; print the units and return how many disagree.
fn run_probe(net: &dyn ConvGeometry, config: &ProbeConfig, device: &Device) -> Result<usize> {
    let geometry = net.rf_net()?;
    let shapes = geometry.shapes([net.rf_input()[1], net.rf_input()[2]])?;
    let last = &shapes[shapes.len() - 1];
    let units = probe_units([last[0].output, last[1].output], PROBE_ALL_UNITS);
    let report = probe(net, &units, config, device)?;
    let [c, h, w] = report.input;
    out!(
        "gradient probe: {} units of the {}x{} output, {} Gaussian inputs {c}x{h}x{w}",
        report.units.len(),
        report.output[0],
        report.output[1],
        config.batch
    );
    out_nonl!("{}", table::probe(&report));
    let bad = report.units.iter().filter(|u| !u.agrees()).count();
    let agree = report.units.len() - bad;
    if report.units.iter().any(|u| u.analytic.is_some()) {
        let interior = report.units.iter().filter(|u| u.interior()).count();
        out!(
            "{agree}/{} units agree ({interior} unclipped, measured extent = rf)",
            report.units.len()
        );
    } else {
        out!(
            "{agree}/{} units agree with the exact support",
            report.units.len()
        );
    }
    Ok(bad)
}
