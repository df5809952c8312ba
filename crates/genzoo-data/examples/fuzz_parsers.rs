//! A stable-toolchain fuzzer for the parsers a user's files reach in this crate: IDX (raw and
//! gzipped), NPY, and PNG (one file and a folder). No coverage feedback: each round takes a
//! valid seed written in code, mutates it (bit flips, interesting bytes and 32-bit values over
//! header fields, truncation, extension, duplicated or deleted spans, splices of two seeds),
//! writes it to a file and parses it. A panic is a crash; a parse over `HANG_SECS` is a hang.
//! Both are saved under `OUT/` with the seed round that made them.
//!
//! ```text
//! cargo run --release -p genzoo-data --example fuzz_parsers -- PARSER SECONDS [OUT]
//!   PARSER: idx | idx-gz | npy | png | png-folder
//! ```
//! Output: rounds, parse errors (expected: clear `DataError`s), successes, crashes, hangs; exit
//! status 1 when anything crashed or hung (`.ci/run` runs each parser for a few seconds).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use genzoo_data::image::PixelFormat;
use genzoo_data::{Array, Images, read_idx_images, read_npy, read_png_folder, read_png_grey};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A parse taking longer than this counts as a hang.
const HANG_SECS: f64 = 2.0;
/// 32-bit values that break size arithmetic.
const INTERESTING: [u32; 8] = [
    0,
    1,
    0x7f,
    0xff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
];

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

/// One random mutation of `data` (and sometimes of a second seed spliced in).
fn mutate(data: &mut Vec<u8>, other: &[u8], rng: &mut ChaCha8Rng) {
    let rounds = 1 + rng.random_range(0..4);
    for _ in 0..rounds {
        let len = data.len().max(1);
        match rng.random_range(0..8) {
            0 => {
                let i = rng.random_range(0..len);
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.random_range(0..8);
                }
            }
            1 => {
                let i = rng.random_range(0..len);
                if let Some(b) = data.get_mut(i) {
                    *b = [0u8, 1, 0x7f, 0x80, 0xff][rng.random_range(0..5)];
                }
            }
            2 => {
                // An interesting 32-bit value over a header-sized prefix (either endianness).
                let i = rng.random_range(0..len.min(64));
                let v = INTERESTING[rng.random_range(0..INTERESTING.len())];
                let bytes = if rng.random_bool(0.5) {
                    v.to_be_bytes()
                } else {
                    v.to_le_bytes()
                };
                for (k, b) in bytes.iter().enumerate() {
                    if let Some(d) = data.get_mut(i + k) {
                        *d = *b;
                    }
                }
            }
            3 => data.truncate(rng.random_range(0..len)),
            4 => {
                let extra = rng.random_range(1..64);
                data.extend((0..extra).map(|_| rng.random::<u8>()));
            }
            5 => {
                let i = rng.random_range(0..len);
                let j = (i + rng.random_range(1..32)).min(data.len());
                if i < j {
                    data.drain(i..j);
                }
            }
            6 => {
                let i = rng.random_range(0..len);
                let j = (i + rng.random_range(1..32)).min(data.len());
                if i < j {
                    let span = data[i..j].to_vec();
                    data.splice(i..i, span);
                }
            }
            _ => {
                let cut = rng.random_range(0..len);
                let from = rng.random_range(0..other.len().max(1));
                data.truncate(cut);
                data.extend_from_slice(other.get(from..).unwrap_or_default());
            }
        }
    }
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
    std::fs::create_dir_all(&out).expect("output directory");
    let work = tempfile::tempdir().expect("temp dir");
    let folder = work.path().join("folder");
    std::fs::create_dir_all(&folder).expect("folder");
    let seeds = seeds(&parser, work.path());
    let path = work.path().join("input");
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let (mut rounds, mut ok, mut crashes, mut hangs) = (0u64, 0u64, 0u64, 0u64);
    let started = Instant::now();
    std::panic::set_hook(Box::new(|_| {}));
    while started.elapsed() < Duration::from_secs_f64(secs) {
        let mut data = seeds[rng.random_range(0..seeds.len())].clone();
        let other = &seeds[rng.random_range(0..seeds.len())];
        mutate(&mut data, other, &mut rng);
        std::fs::write(&path, &data).expect("input written");
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| parse(&parser, &path, &folder));
        let took = t.elapsed().as_secs_f64();
        match result {
            Ok(true) => ok += 1,
            Ok(false) => {}
            Err(_) => {
                crashes += 1;
                let _ = std::fs::write(out.join(format!("{parser}-crash-{rounds}")), &data);
            }
        }
        if took > HANG_SECS {
            hangs += 1;
            let _ = std::fs::write(out.join(format!("{parser}-hang-{rounds}")), &data);
        }
        rounds += 1;
        let _ = rng.next_u32();
    }
    println!(
        "{parser}: {rounds} inputs in {:.0} s, {ok} parsed, {} refused with an error, {crashes} crashes, {hangs} hangs",
        started.elapsed().as_secs_f64(),
        rounds - ok - crashes
    );
    if crashes + hangs > 0 {
        eprintln!("inputs that crashed or hung are in {}", out.display());
        std::process::exit(1);
    }
}
