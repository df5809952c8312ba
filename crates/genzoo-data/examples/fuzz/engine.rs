//! The mutation engine of genzoo's stable-toolchain fuzzers, shared by
//! `genzoo-data/examples/fuzz_parsers.rs` (IDX, NPY, PNG) and
//! `genzoo-train/examples/fuzz_train_parsers.rs` (config TOML, `--set`, `state.json`,
//! safetensors) through `#[path]`. No coverage feedback: each round takes a valid seed, mutates
//! it (bit flips, interesting bytes and 32-bit values over header fields, truncation,
//! extension, duplicated or deleted spans, splices of two seeds) and parses it. A panic is a
//! crash; a parse over [`HANG_SECS`] is a hang; both are saved under `OUT/` with their round.

use std::path::Path;
use std::time::{Duration, Instant};

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

/// Fuzz `parse` (true when the input parsed) for `secs` seconds from `seeds`, saving crashing
/// and hanging inputs under `out` as `NAME-crash-ROUND` / `NAME-hang-ROUND`. Prints a summary;
/// the process exit status: 1 when anything crashed or hung.
pub fn run(
    name: &str,
    seeds: &[Vec<u8>],
    secs: f64,
    out: &Path,
    parse: impl Fn(&[u8]) -> bool + std::panic::RefUnwindSafe,
) -> i32 {
    std::fs::create_dir_all(out).expect("output directory");
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let (mut rounds, mut ok, mut crashes, mut hangs) = (0u64, 0u64, 0u64, 0u64);
    let started = Instant::now();
    std::panic::set_hook(Box::new(|_| {}));
    while started.elapsed() < Duration::from_secs_f64(secs) {
        let mut data = seeds[rng.random_range(0..seeds.len())].clone();
        let other = &seeds[rng.random_range(0..seeds.len())];
        mutate(&mut data, other, &mut rng);
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| parse(&data));
        let took = t.elapsed().as_secs_f64();
        match result {
            Ok(true) => ok += 1,
            Ok(false) => {}
            Err(_) => {
                crashes += 1;
                let _ = std::fs::write(out.join(format!("{name}-crash-{rounds}")), &data);
            }
        }
        if took > HANG_SECS {
            hangs += 1;
            let _ = std::fs::write(out.join(format!("{name}-hang-{rounds}")), &data);
        }
        rounds += 1;
        let _ = rng.next_u32();
    }
    println!(
        "{name}: {rounds} inputs in {:.0} s, {ok} parsed, {} refused with an error, {crashes} crashes, {hangs} hangs",
        started.elapsed().as_secs_f64(),
        rounds - ok - crashes
    );
    if crashes + hangs > 0 {
        eprintln!("inputs that crashed or hung are in {}", out.display());
        1
    } else {
        0
    }
}
