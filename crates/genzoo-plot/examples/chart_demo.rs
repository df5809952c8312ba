//! Draws a demo chart (a falling loss on an automatic log axis, and a sweep on log x) as PNG
//! and SVG, to look at: `cargo run -p genzoo-plot --example chart_demo -- OUT_DIR`.

use genzoo_plot::{Axis, Chart, Series};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let dir = std::path::Path::new(&dir);
    let loss: Vec<(f64, f64)> = (1..=100)
        .map(|i| (i as f64 * 200.0, 0.02 + 2.0 / (i as f64)))
        .collect();
    let valid: Vec<(f64, f64)> = (1..=10)
        .map(|i| (i as f64 * 2000.0, 0.05 + 2.0 / (10.0 * i as f64)))
        .collect();
    let chart = Chart {
        title: "demo run".into(),
        x: Axis::linear("training step"),
        y: Axis::auto("loss (nats)"),
        series: vec![
            Series::new("train loss", loss),
            Series::new("valid nelbo", valid),
        ],
        markers: false,
    };
    chart.save_png(&dir.join("demo_curve.png"), (640, 400))?;
    std::fs::write(dir.join("demo_curve.svg"), chart.svg((640, 400))?)?;
    let sweep = Chart {
        title: "FID against sampling steps".into(),
        x: Axis::log("sampling steps S"),
        y: Axis::auto("FID (1,000 samples)"),
        series: vec![
            Series::new(
                "DDIM η = 0",
                vec![(10.0, 266.8), (20.0, 120.0), (50.0, 35.6), (100.0, 30.0)],
            ),
            Series::new(
                "DDIM η = 1",
                vec![(10.0, 300.0), (20.0, 150.0), (50.0, 28.8), (100.0, 23.3)],
            ),
        ],
        markers: true,
    };
    sweep.save_png(&dir.join("demo_sweep.png"), (640, 400))?;
    println!("{}", dir.display());
    Ok(())
}
