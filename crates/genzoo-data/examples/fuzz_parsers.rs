//! A stable-toolchain fuzzer for the parsers a user's files reach in this crate: IDX (raw and
//! gzipped), NPY, and PNG (one file and a folder). Seeds are written in code by the crate's own
//! writers; each mutated input is written to a file and parsed (the engine: `fuzz/engine.rs`).
//!
//! ```text
//! cargo run --release -p genzoo-data --example fuzz_parsers -- PARSER SECONDS [OUT]
//!   PARSER: idx | idx-gz | npy | png | png-folder
//! ```
//! Output: rounds, parse errors (expected: clear `DataError`s), successes, crashes, hangs; exit
//! status 1 when anything crashed or hung (`.ci/run` runs each parser for a few seconds).

use std::path::{Path, PathBuf};

use genzoo_data::image::PixelFormat;
use genzoo_data::{Array, Images, read_idx_images, read_npy, read_png_folder, read_png_grey};

#[path = "fuzz/engine.rs"]
mod engine;

/// Valid files of each kind, written by this crate's own writers.
fn seeds(parser: &str, dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, (n, h, w)) in [(1usize, 2usize, 2usize), (3, 5, 4), (2, 28, 28)]
        .into_iter()
        .enumerate()
    {
        let path = dir.join(format!("seed{i}"));
        let pixels: Vec<u8> = (0..n * h * w).map(|k| (k * 37 % 256) as u8).collect();
        match parser {
            "idx" | "idx-gz" => {
                let images = Images::new(n, h, w, pixels).expect("valid");
                genzoo_data::write_idx_images(&path, &images, parser == "idx-gz").expect("writes");
            }
            "npy" => {
                let values = pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
                genzoo_data::write_npy(&path, &Array::new(vec![n, h, w], values).expect("valid"))
                    .expect("writes");
            }
            _ => {
                genzoo_data::write_png(&path, w, h * n, PixelFormat::Grey, &pixels).expect("writes")
            }
        }
        out.push(std::fs::read(&path).expect("seed readable"));
    }
    out
}

/// Parse the file at `path` with `parser`; `Ok(true)` when it parsed.
fn parse(parser: &str, path: &Path, folder: &Path) -> bool {
    match parser {
        "idx" | "idx-gz" => read_idx_images(path).is_ok(),
        "npy" => read_npy(path).is_ok(),
        "png" => read_png_grey(path).is_ok(),
        _ => {
            let _ = std::fs::copy(path, folder.join("a.png"));
            read_png_folder(folder).is_ok()
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parser = args.first().map_or("npy", String::as_str).to_string();
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let out = PathBuf::from(args.get(2).map_or("fuzz-out", String::as_str));
    let work = tempfile::tempdir().expect("temp dir");
    let folder = work.path().join("folder");
    std::fs::create_dir_all(&folder).expect("folder");
    let seeds = seeds(&parser, work.path());
    let path = work.path().join("input");
    let code = engine::run(&parser, &seeds, secs, &out, |data| {
        std::fs::write(&path, data).expect("input written");
        parse(&parser, &path, &folder)
    });
    std::process::exit(code);
}
