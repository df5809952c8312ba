//! `genzoo efficientnet`: parameters and multiply-adds of any EfficientNet (a preset or a
//! compound coefficient φ), counted per layer, beside the reference and paper figures.

use anyhow::{Result, bail};
use genzoo_models::classifier::efficientnet::{
    Architecture, EfficientNetConfig, Preset, layer_costs, total_cost,
};

use crate::args::EfficientNetArgs;

/// Report as the arguments say.
pub fn run(args: EfficientNetArgs) -> Result<()> {
    if args.classes == 0 || args.in_channels == 0 {
        bail!("--classes and --in-channels must be >= 1");
    }
    if args.all {
        return all_presets(&args);
    }
    let preset = args.preset.as_deref().map(str::parse::<Preset>).transpose();
    let preset = preset.map_err(anyhow::Error::msg)?;
    let config = EfficientNetConfig {
        preset,
        phi: args.phi,
        resolution: args.resolution,
        stem_stride: args.stem_stride,
        ..EfficientNetConfig::default()
    };
    let arch = config.architecture(args.in_channels, args.classes, !args.no_bias)?;
    let name = match (preset, args.phi) {
        (_, Some(phi)) => format!("EfficientNet φ = {phi}"),
        (p, None) => format!(
            "EfficientNet-{}",
            p.unwrap_or(Preset::B0).name().to_uppercase()
        ),
    };
    describe(&name, &arch);
    if args.layers {
        out!(
            "{:<24} {:>12} {:>16}",
            "layer",
            "parameters",
            "multiply-adds"
        );
        for l in layer_costs(&arch) {
            out!(
                "{:<24} {:>12} {:>16}",
                l.name,
                group(l.params),
                group(l.macs)
            );
        }
    }
    let (params, macs) = total_cost(&arch);
    out!("parameters     {}", group(params));
    out!(
        "multiply-adds  {} per image ({:.3} B)",
        group(macs),
        macs as f64 / 1e9
    );
    let standard = args.classes == 1000 && args.in_channels == 3 && args.resolution.is_none();
    if let (Some(p), None, true) = (preset, args.phi, standard) {
        let (ref_params, paper) = p.reported();
        out!(
            "reference      {} parameters (lukemelas/EfficientNet-PyTorch), {paper} B FLOPs (paper, Table 2)",
            group(ref_params)
        );
    }
    out!(
        "counted        convolutions and linear layers (not batch norm, activations, pooling, SE scaling, additions)"
    );
    Ok(())
}

fn describe(name: &str, a: &Architecture) {
    let s = a.scaling;
    out!(
        "{name}: width {:.3}, depth {:.3}, resolution {}, dropout {}, stem stride {}",
        s.width,
        s.depth,
        s.resolution,
        s.dropout,
        a.stem_stride
    );
    out!(
        "layers         stem {} ch, {} MBConv blocks, head {} ch ({}×{} map), {} classes",
        a.stem,
        a.blocks.len(),
        a.head,
        a.head_side,
        a.head_side,
        a.classes
    );
}

fn all_presets(args: &EfficientNetArgs) -> Result<()> {
    out!(
        "{:<6} {:>6} {:>6} {:>5} {:>12} {:>12} {:>9} {:>7} {:>7}",
        "model",
        "width",
        "depth",
        "res",
        "params",
        "reference",
        "MACs (B)",
        "paper",
        "diff"
    );
    for p in Preset::ALL {
        let arch = EfficientNetConfig::preset(p).architecture(
            args.in_channels,
            args.classes,
            !args.no_bias,
        )?;
        let (params, macs) = total_cost(&arch);
        let (ref_params, paper) = p.reported();
        let s = arch.scaling;
        out!(
            "{:<6} {:>6.1} {:>6.1} {:>5} {:>12} {:>12} {:>9.3} {:>7} {:>+6.1}%",
            p.name().to_uppercase(),
            s.width,
            s.depth,
            s.resolution,
            group(params),
            group(ref_params),
            macs as f64 / 1e9,
            paper,
            100.0 * (macs as f64 / (paper * 1e9) - 1.0)
        );
    }
    out!(
        "reference: lukemelas/EfficientNet-PyTorch parameters at 1000 classes; paper: Table 2 FLOPs (multiply-adds)"
    );
    Ok(())
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
