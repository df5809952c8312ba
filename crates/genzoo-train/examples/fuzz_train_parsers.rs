//! A stable-toolchain fuzzer for the parsers of genzoo-train that a user's files and flags
//! reach: a config file (TOML), a `--set` override, a checkpoint's `state.json`, and a
//! safetensors file (header and data). Seeds are the built-in presets and files written by
//! this crate's own writers; the mutation engine is genzoo-data's (`fuzz/engine.rs`).
//!
//! ```text
//! cargo run --release -p genzoo-train --example fuzz_train_parsers -- PARSER SECONDS [OUT]
//!   PARSER: config | set | state | safetensors
//! ```
//! Exit status 1 when an input crashed (panicked) or hung.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use genzoo_nn::params::NamedTensor;
use genzoo_train::TrainConfig;
use genzoo_train::checkpoint::{Best, PendingMetrics, State, read_state, write_state};

#[path = "../../genzoo-data/examples/fuzz/engine.rs"]
mod engine;

/// Presets as seeds of the config and override parsers.
const PRESETS: [&str; 4] = [
    include_str!("../../../configs/toy_vae.toml"),
    include_str!("../../../configs/mnist_dcgan.toml"),
    include_str!("../../../configs/mnist_ddpm.toml"),
    include_str!("../../../configs/toy_rf.toml"),
];

fn seeds(parser: &str, dir: &Path) -> Vec<Vec<u8>> {
    match parser {
        "config" => PRESETS.iter().map(|t| t.as_bytes().to_vec()).collect(),
        "set" => [
            "optim.lr=3e-4",
            "trainer.steps=100",
            "model.hidden=[64, 64]",
            "data.toy=checkerboard",
            "optim.disc.lr=1e-4",
            "trainer.ema_decay=0.999",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "state" => {
            let mut out = Vec::new();
            for step in [0u64, 10, 123_456] {
                let state = State {
                    format_version: genzoo_train::checkpoint::FORMAT_VERSION,
                    family: "vae".into(),
                    step,
                    seed: 7,
                    cursor: (step / 100, step % 100),
                    optim_steps: vec![("main".into(), step)],
                    ema_updates: Some(step),
                    best: Some(Best {
                        metric: "nelbo".into(),
                        value: 1.5,
                        step,
                    }),
                    elapsed_secs: 12.5,
                    pending: Some(PendingMetrics {
                        sums: vec![("loss".into(), 3.0)],
                        weight: 2.0,
                    }),
                };
                write_state(dir, &state).expect("state written");
                out.push(std::fs::read(dir.join("state.json")).expect("state read"));
            }
            out
        }
        _ => {
            let mut out = Vec::new();
            for (i, shapes) in [vec![vec![2usize, 3]], vec![vec![4], vec![1, 2, 2]]]
                .into_iter()
                .enumerate()
            {
                let tensors: Vec<NamedTensor> = shapes
                    .into_iter()
                    .enumerate()
                    .map(|(k, shape)| NamedTensor {
                        name: format!("layer.{k}.weight"),
                        values: (0..shape.iter().product::<usize>())
                            .map(|v| v as f32 * 0.5)
                            .collect(),
                        shape,
                    })
                    .collect();
                let path = dir.join(format!("seed{i}.safetensors"));
                let meta = HashMap::from([("family".to_string(), "vae".to_string())]);
                genzoo_train::tensors::save(&path, &tensors, meta).expect("seed written");
                out.push(std::fs::read(&path).expect("seed read"));
            }
            out
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parser = args.first().map_or("config", String::as_str).to_string();
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let out = PathBuf::from(args.get(2).map_or("fuzz-out", String::as_str));
    let work = tempfile::tempdir().expect("temp dir");
    let seeds = seeds(&parser, work.path());
    let origin = work.path().join("config.toml");
    let file = work.path().join("input.safetensors");
    let code = engine::run(&parser, &seeds, secs, &out, |data| match parser.as_str() {
        "config" => match std::str::from_utf8(data) {
            Ok(text) => TrainConfig::from_toml(text, &origin, &[]).is_ok(),
            Err(_) => false,
        },
        "set" => {
            let set = String::from_utf8_lossy(data).into_owned();
            TrainConfig::from_toml(PRESETS[0], &origin, &[set]).is_ok()
        }
        "state" => {
            std::fs::write(work.path().join("state.json"), data).expect("input written");
            read_state(work.path()).is_ok()
        }
        _ => {
            std::fs::write(&file, data).expect("input written");
            genzoo_train::tensors::load(&file).is_ok()
                && genzoo_train::tensors::metadata(&file).is_ok()
        }
    });
    std::process::exit(code);
}
