//! The DDIM table as a figure: FID against the number of sampling steps S (log axis), one line
//! per sampler row, from the cells `scripts/ddim_table.sh` writes.
//!
//! ```text
//! cargo run --release -p genzoo-train --example ddim_figure -- CELLS.tsv OUT.png
//! ```
//! `CELLS.tsv` has one cell per line: row name, S, FID, then further columns (KID, precision,
//! recall, seconds per sample) that the figure does not use. Rows are drawn in the order they
//! first appear; cells of a row are sorted by S. The y axis turns logarithmic by itself when the
//! FIDs span a decade ([`genzoo_plot::Scale::Auto`]).

use genzoo_plot::{Axis, Chart, Series};

/// Figure size in pixels (the legend column holds six row names).
const SIZE: (u32, u32) = (960, 520);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(cells), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: ddim_figure CELLS.tsv OUT.png".into());
    };
    let text = std::fs::read_to_string(&cells)
        .map_err(|e| format!("cannot read the cells file {cells}: {e}"))?;
    // (row name, [(S, FID)]) in order of first appearance.
    let mut series: Vec<(&str, Vec<(f64, f64)>)> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let parse = |k: usize| -> Result<f64, String> {
            fields
                .get(k)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .ok_or_else(|| format!("{cells}:{}: column {} is not a number", n + 1, k + 1))
        };
        let (steps, fid) = (parse(1)?, parse(2)?);
        match series.iter_mut().find(|(name, _)| *name == fields[0]) {
            Some((_, pts)) => pts.push((steps, fid)),
            None => series.push((fields[0], vec![(steps, fid)])),
        }
    }
    if series.is_empty() {
        return Err(format!("{cells} holds no cells").into());
    }
    for (_, pts) in &mut series {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let chart = Chart {
        title: "DDIM on MNIST: FID against sampling steps".into(),
        x: Axis::log("sampling steps S"),
        y: Axis::auto("FID (mnist_features)"),
        series: series
            .into_iter()
            .map(|(name, pts)| Series::new(name, pts))
            .collect(),
        markers: true,
    };
    chart.save_png(std::path::Path::new(&out), SIZE)?;
    println!("{out}");
    Ok(())
}
