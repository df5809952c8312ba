//! `genzoo data`: inspect a data set and draw it.

use std::path::PathBuf;

use anyhow::{Result, bail};
use genzoo_data::{
    ImageView, Split, Toy, ViewRng, density_grid, load_mnist_split, rng_for, save_grid,
    save_heatmap, save_scatter, to_array_rows,
};

use genzoo_data::mnist::MNIST_CLASSES;

use super::setup::MNIST_ENV;
use crate::args::DataArgs;

/// Stream of `genzoo data` toy draws.
const STREAM_DATA: u64 = u64::from_be_bytes(*b"datacli\0");
/// Pixels per side of toy pictures.
const TOY_PIXELS: usize = 400;
/// Padding between images in a grid.
const GRID_PADDING: usize = 2;

/// Inspect as the arguments say.
pub fn run(args: DataArgs) -> Result<()> {
    if args.count == 0 {
        bail!("--count must be >= 1");
    }
    if args.source == "mnist" {
        return mnist(&args);
    }
    let toy: Toy = args.source.parse()?;
    let points = toy.sample(args.count, &mut rng_for(args.seed, STREAM_DATA, 0));
    let n = points.len() as f64;
    let mean = |j: usize| {
        points
            .values
            .iter()
            .skip(j)
            .step_by(2)
            .map(|&v| v as f64)
            .sum::<f64>()
            / n
    };
    out!(
        "toy        {toy}: {} points, mean ({:.3}, {:.3})",
        points.len(),
        mean(0),
        mean(1)
    );
    match toy.oracle_nll() {
        Some(h) => {
            out!("oracle NLL {h:.4} nats (the entropy: no model can beat it on average)")
        }
        None => out!("oracle NLL not known in closed form"),
    }
    if let Some(out) = &args.out {
        let range = toy.plot_range();
        save_scatter(out, &points, range, TOY_PIXELS)?;
        out!("scatter    {}", out.display());
        let grid = density_grid(range, TOY_PIXELS);
        if toy.log_density(0.0, 0.0).is_some() {
            let density: Vec<f64> = grid
                .iter()
                .map(|&(x, y)| toy.log_density(x, y).map_or(0.0, f64::exp))
                .collect();
            let path = with_suffix(out, "-density");
            save_heatmap(&path, &density, TOY_PIXELS, TOY_PIXELS)?;
            out!("density    {}", path.display());
        }
    }
    Ok(())
}

fn mnist(args: &DataArgs) -> Result<()> {
    let dir = match (&args.dir, std::env::var_os(MNIST_ENV)) {
        (Some(d), _) => d.clone(),
        (None, Some(env)) => PathBuf::from(env),
        (None, None) => bail!("pass --dir DIR or set {MNIST_ENV}"),
    };
    let split: Split = args.split.parse()?;
    let view: ImageView = args.view.parse()?;
    let set = load_mnist_split(&dir, split)?;
    let mut hist = [0usize; MNIST_CLASSES];
    set.labels.iter().for_each(|&l| hist[l as usize] += 1);
    let all: Vec<usize> = (0..set.len()).collect();
    let values = to_array_rows(&set.images, &all, view, ViewRng::new(split, 0, 0));
    let mean = values.values.iter().map(|&v| v as f64).sum::<f64>() / values.values.len() as f64;
    out!(
        "mnist      {} split from {}: {} images of {}x{}",
        split,
        dir.display(),
        set.len(),
        set.images.rows,
        set.images.cols
    );
    out!("view       {view}: mean value {mean:.4}");
    out!("labels     {hist:?}");
    if let Some(out) = &args.out {
        let n = args.count.min(set.len());
        let picture = values.slice(0, n);
        save_grid(
            out,
            &picture,
            (n as f64).sqrt().ceil() as usize,
            GRID_PADDING,
        )?;
        out!("grid       {}", out.display());
    }
    Ok(())
}

fn with_suffix(path: &std::path::Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or("picture".into(), |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or("png".into(), |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}{suffix}.{ext}"))
}
