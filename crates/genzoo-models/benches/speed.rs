//! Speed of the diffusion U-Net's training step (preset `mnist_ddpm`: base 32, mult (1, 2, 2),
//! one residual block per level, attention at 7×7), by op type at the net's real shapes.
//!
//! ```text
//! nice cargo bench -p genzoo-models --bench speed              # profile + A/B, ~3 min on 2 cores
//! nice cargo bench -p genzoo-models --bench speed -- ops       # only the per-op profile, ~1 min
//! nice cargo bench -p genzoo-models --bench speed -- step      # only the whole-step A/B, ~4 min
//! ```
//! Every number is the median of `REPS` runs after a warm-up. Ops are timed alone: a conv's
//! forward, its input gradient and its weight gradient, each as flex/burn computes it
//! (`conv2d`; `conv_transpose2d`, what burn's backward calls; `conv2d_weight_backward`) and as
//! genzoo's layer does ([`genzoo_kernels::conv`]: Winograd F(2×2, 3×3) for 3×3 stride-1 layers,
//! [`genzoo_kernels::winograd`], shifted products for the weight gradient of the others);
//! GroupNorm and attention forward and forward + backward, the Adam update. Old and new paths
//! of the whole step are alternated in one process, so background load hits both alike; the
//! load average is printed with each table.
//! Output: Markdown tables on stdout (pasted into `/work/notes/speed_numbers.md`).

use std::collections::BTreeMap;
use std::time::Instant;

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::module::Module;
use burn::nn::GroupNormConfig;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::module::{conv_transpose2d, conv2d, conv2d_weight_backward};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use genzoo_data::rng_for;
use genzoo_kernels::conv;
use genzoo_models::diffusion::DdpmConfig;
use genzoo_models::{Batch, DataKind, DataSpec, Family, Optimizers, StepCx};
use genzoo_nn::attention::SelfAttention;
use genzoo_nn::fast::GroupNormFast;
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{Adam, AdamConfig};

/// Timed repetitions per measurement (median reported).
const REPS: usize = 7;
/// Batch size of the preset.
const BATCH: usize = 64;
/// MNIST side.
const SIDE: usize = 28;
/// Rounds of the interleaved whole-step A/B.
const AB_ROUNDS: usize = 3;

/// Median of `reps` timed runs after one warm-up run (allocator, rayon pool, caches).
fn median_ms(reps: usize, f: impl FnMut()) -> f64 {
    genzoo_kernels::timing::median_ms(1, reps, f)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// One convolution of the net: input width, output width, kernel, stride, input side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ConvShape {
    cin: usize,
    cout: usize,
    k: usize,
    stride: usize,
    side: usize,
}

impl ConvShape {
    fn pad(&self) -> usize {
        self.k / 2
    }
    fn out_side(&self) -> usize {
        (self.side + 2 * self.pad() - self.k) / self.stride + 1
    }
    /// Multiply-adds ×2 of one pass (forward, input gradient and weight gradient each cost this).
    fn flops(&self, b: usize) -> f64 {
        let o = self.out_side();
        2.0 * (b * self.cout * self.cin * self.k * self.k * o * o) as f64
    }
    fn options(&self) -> ConvOptions<2> {
        ConvOptions::new([self.stride; 2], [self.pad(); 2], [1, 1], 1)
    }
}

/// The layers of the U-Net, counted (mirrors `UNetConfig::init`).
#[derive(Default)]
struct Census {
    convs: BTreeMap<ConvShape, usize>,
    /// (channels, side) → count.
    norms: BTreeMap<(usize, usize), usize>,
    attn: BTreeMap<(usize, usize), usize>,
}

impl Census {
    fn conv(&mut self, cin: usize, cout: usize, k: usize, stride: usize, side: usize) {
        let s = ConvShape {
            cin,
            cout,
            k,
            stride,
            side,
        };
        *self.convs.entry(s).or_default() += 1;
    }
    fn res(&mut self, cin: usize, cout: usize, side: usize) {
        *self.norms.entry((cin, side)).or_default() += 1;
        *self.norms.entry((cout, side)).or_default() += 1;
        self.conv(cin, cout, 3, 1, side);
        self.conv(cout, cout, 3, 1, side);
        if cin != cout {
            self.conv(cin, cout, 1, 1, side);
        }
    }
    fn attention(&mut self, c: usize, side: usize) {
        *self.attn.entry((c, side)).or_default() += 1;
    }
    fn unet(base: usize, mult: &[usize], r: usize, attention: bool) -> Self {
        let mut n = Census::default();
        let lowest = mult.len() - 1;
        let mut side = SIDE;
        n.conv(1, base, 3, 1, side);
        let (mut ch, mut skips) = (base, vec![base]);
        for (level, &m) in mult.iter().enumerate() {
            for _ in 0..r {
                n.res(ch, base * m, side);
                ch = base * m;
                skips.push(ch);
                if attention && level == lowest {
                    n.attention(ch, side);
                }
            }
            if level != lowest {
                n.conv(ch, ch, 3, 2, side);
                side /= 2;
                skips.push(ch);
            }
        }
        n.res(ch, ch, side);
        if attention {
            n.attention(ch, side);
        }
        n.res(ch, ch, side);
        for (level, &m) in mult.iter().enumerate().rev() {
            for _ in 0..=r {
                let skip = skips.pop().unwrap_or(0);
                n.res(ch + skip, base * m, side);
                ch = base * m;
                if attention && level == lowest {
                    n.attention(ch, side);
                }
            }
            if level != 0 {
                side *= 2;
                n.conv(ch, ch, 3, 1, side);
            }
        }
        *n.norms.entry((ch, side)).or_default() += 1;
        n.conv(ch, 1, 3, 1, side);
        n
    }
}

struct Row {
    op: String,
    count: usize,
    ms: f64,
    gflop: f64,
}

fn table(rows: &[Row]) {
    println!("| op | shape | × | ms each | ms total | GFLOP/s |");
    println!("|---|---|---|---|---|---|");
    for r in rows {
        let rate = if r.gflop > 0.0 {
            format!("{:.0}", r.gflop / r.ms * 1e3)
        } else {
            "–".into()
        };
        let (op, shape) = r.op.split_once(' ').unwrap_or((&r.op, ""));
        println!(
            "| {op} | {shape} | {} | {:.2} | {:.1} | {rate} |",
            r.count,
            r.ms,
            r.ms * r.count as f64
        );
    }
}

/// The flex tensor under a plain (no autodiff) flex tensor.
fn flex<const D: usize>(t: &Tensor<D>) -> FlexTensor {
    t.clone()
        .try_into_primitive::<Flex>()
        .unwrap_or_else(|_| panic!("a flex tensor"))
}

fn rand4(dims: [usize; 4], seed: u64, d: &Device) -> Tensor<4> {
    standard_normal(dims, &mut rng_for(seed, 0, 0), d)
}

/// Per-op profile of the step; returns `(op type, total ms)`.
// Times burn's plain GroupNorm beside the fused one.
#[allow(clippy::disallowed_methods)]
fn profile(census: &Census) -> Vec<(String, f64)> {
    let d = Device::flex();
    let ad = Device::flex().autodiff();
    let mut rows = Vec::new();
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for (s, &count) in &census.convs {
        let x = rand4([BATCH, s.cin, s.side, s.side], 1, &d);
        let w = rand4([s.cout, s.cin, s.k, s.k], 2, &d);
        let b = Tensor::<1>::zeros([s.cout], &d);
        let o = s.out_side();
        let dy = rand4([BATCH, s.cout, o, o], 3, &d);
        let shape = format!("{}→{} k{} s{} @{}", s.cin, s.cout, s.k, s.stride, s.side);
        let fl = s.flops(BATCH);
        let fwd = median_ms(REPS, || {
            let _ = conv2d(x.clone(), w.clone(), Some(b.clone()), s.options());
        });
        // burn's input gradient: a transposed convolution (burn-backend conv2d_x_backward).
        let pad_out = s.side + 2 * s.pad() - ((o - 1) * s.stride + s.k);
        let t_opts =
            ConvTransposeOptions::new([s.stride; 2], [s.pad(); 2], [pad_out; 2], [1, 1], 1);
        let xg = median_ms(REPS, || {
            let _ = conv_transpose2d(dy.clone(), w.clone(), None, t_opts.clone());
        });
        let wg = median_ms(REPS, || {
            let _ = conv2d_weight_backward(x.clone(), w.clone(), dy.clone(), s.options());
        });
        // genzoo's layer: Winograd for 3×3 stride-1 layers, else flex / the shifted products.
        let (xf, wf, bf, dyf) = (flex(&x), flex(&w), flex(&b), flex(&dy));
        let opts = s.options();
        let fwd_g = median_ms(REPS, || {
            let _ = conv::forward_flex(xf.clone(), wf.clone(), Some(bf.clone()), opts.clone());
        });
        let grads = |need| {
            let _ = conv::backward_parts(xf.clone(), wf.clone(), dyf.clone(), &opts, need);
        };
        let xg_g = median_ms(REPS, || grads([true, false, false]));
        let wg_g = median_ms(REPS, || grads([false, true, false]));
        for (op, ms) in [
            ("conv-fwd(flex)", fwd),
            ("conv-fwd(genzoo)", fwd_g),
            ("conv-xgrad(flex)", xg),
            ("conv-xgrad(genzoo)", xg_g),
            ("conv-wgrad(burn)", wg),
            ("conv-wgrad(genzoo)", wg_g),
        ] {
            *totals.entry(op).or_default() += ms * count as f64;
            rows.push(Row {
                op: format!("{op} {shape}"),
                count,
                ms,
                gflop: fl / 1e9,
            });
        }
    }
    for (&(c, side), &count) in &census.norms {
        let gn = GroupNormConfig::new(8, c).init(&ad);
        let gn_i = gn.valid();
        let x = rand4([BATCH, c, side, side], 4, &d);
        let fwd = median_ms(REPS, || {
            let _ = gn_i.forward(x.clone());
        });
        let fwd_fast = median_ms(REPS, || {
            let _ = gn_i.forward_fast(x.clone());
        });
        let xa = Tensor::<4>::from_inner(x.clone()).require_grad();
        // A dense output gradient, as a conv's input gradient would be (`sum()` alone hands
        // back a broadcast view, whose materialisation would dominate the timing).
        let r = Tensor::<4>::from_inner(rand4([BATCH, c, side, side], 6, &d));
        let both = median_ms(REPS, || {
            let _ = (gn.forward(xa.clone()) * r.clone()).sum().backward();
        });
        let both_fast = median_ms(REPS, || {
            let _ = (gn.forward_fast(xa.clone()) * r.clone()).sum().backward();
        });
        let shape = format!("{c} @{side}");
        for (op, ms) in [
            ("gn-fwd(burn)", fwd),
            ("gn-fwd(genzoo)", fwd_fast),
            ("gn-fwd+bwd(burn)", both),
            ("gn-fwd+bwd(genzoo)", both_fast),
        ] {
            *totals.entry(op).or_default() += ms * count as f64;
            rows.push(Row {
                op: format!("{op} {shape}"),
                count,
                ms,
                gflop: 0.0,
            });
        }
    }
    for (&(c, side), &count) in &census.attn {
        let a = SelfAttention::new(c, 8, &ad);
        let a_i = a.valid();
        let x = rand4([BATCH, c, side, side], 5, &d);
        let fwd = median_ms(REPS, || {
            let _ = a_i.forward(x.clone());
        });
        let xa = Tensor::<4>::from_inner(x.clone()).require_grad();
        let r = Tensor::<4>::from_inner(rand4([BATCH, c, side, side], 7, &d));
        let both = median_ms(REPS, || {
            let _ = (a.forward(xa.clone()) * r.clone()).sum().backward();
        });
        let n = side * side;
        // q k v and out projections (4·C² per token) and the two N×N products (2·N·C per token).
        let fl = 2.0 * (BATCH * n * (4 * c * c + 2 * n * c)) as f64;
        let shape = format!("{c}ch {n}tok");
        for (op, ms, f) in [("attn-fwd", fwd, fl), ("attn-fwd+bwd", both, 3.0 * fl)] {
            *totals.entry(op).or_default() += ms * count as f64;
            rows.push(Row {
                op: format!("{op} {shape}"),
                count,
                ms,
                gflop: f / 1e9,
            });
        }
    }
    println!(
        "\n### Ops alone at the U-Net's shapes (batch {BATCH}; load {})\n",
        load()
    );
    table(&rows);
    totals
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn spec() -> DataSpec {
    DataSpec {
        example_shape: vec![1, SIDE, SIDE],
        kind: DataKind::Continuous,
    }
}

/// Whole training steps (ms): forward, forward + backward, Adam update, full `train_step`,
/// and one sampling call (forward without autodiff).
fn whole_step(fast: bool) -> [f64; 5] {
    genzoo_kernels::set_fast(fast);
    let ad = Device::flex().autodiff();
    let model = DdpmConfig::mnist()
        .init(&spec(), &ad)
        .expect("preset builds");
    genzoo_nn::materialize(&model);
    let x = standard_normal([BATCH, SIDE * SIDE], &mut rng_for(0, 0, 0), &ad).clamp(-1.0, 1.0);
    let t = Tensor::<1>::full([BATCH], 500.0, &ad);
    let fwd = median_ms(3, || {
        let _ = model
            .predict(x.clone(), t.clone())
            .sum()
            .into_scalar::<f32>();
    });
    let both = median_ms(3, || {
        let _ = model.predict(x.clone(), t.clone()).sum().backward();
    });
    let mut adam = Adam::new(AdamConfig::default());
    let mut m = Some(model.clone());
    let mut adam_ms = Vec::new();
    for _ in 0..3 {
        let cur = m.take().expect("model present");
        let grads =
            GradientsParams::from_grads(cur.predict(x.clone(), t.clone()).sum().backward(), &cur);
        let s = Instant::now();
        let (next, _) = adam.step(cur, grads, 1e-4);
        adam_ms.push(s.elapsed().as_secs_f64() * 1e3);
        m = Some(next);
    }
    adam_ms.sort_by(f64::total_cmp);
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 1e-4);
    let batch = Batch::unlabelled(x);
    let mut m = m;
    let mut step = 0u64;
    let full = median_ms(3, || {
        let mut r = rng_for(1, 0, step);
        let mut cx = StepCx { rng: &mut r, step };
        let cur = m.take().expect("model present");
        m = Some(cur.train_step(&batch, &mut optim, &mut cx).expect("step").0);
        step += 1;
    });
    let plain = Device::flex();
    let net = m.expect("model present").valid();
    let xs = standard_normal([BATCH, SIDE * SIDE], &mut rng_for(2, 0, 0), &plain);
    let ts = Tensor::<1>::full([BATCH], 500.0, &plain);
    let sample = median_ms(3, || {
        let _ = net
            .predict(xs.clone(), ts.clone())
            .sum()
            .into_scalar::<f32>();
    });
    [fwd, both, adam_ms[1], full, sample]
}

fn main() {
    let filter = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let census = Census::unet(32, &[1, 2, 2], 1, true);
    if filter.as_deref() != Some("step") {
        let totals = profile(&census);
        println!("\n### Totals by op type (ms per step, batch {BATCH})\n");
        println!("| op type | ms |\n|---|---|");
        for (k, v) in totals {
            println!("| {k} | {v:.0} |");
        }
    }
    if filter.as_deref() == Some("ops") {
        return;
    }
    let mut old = Vec::new();
    let mut new = Vec::new();
    for round in 0..AB_ROUNDS {
        let l = load();
        old.push(whole_step(false));
        new.push(whole_step(true));
        eprintln!(
            "round {round} (load {l}): old {:?} new {:?}",
            old[round], new[round]
        );
    }
    let med = |v: &Vec<[f64; 5]>, i: usize| {
        let mut c: Vec<f64> = v.iter().map(|r| r[i]).collect();
        c.sort_by(f64::total_cmp);
        c[c.len() / 2]
    };
    let params = DdpmConfig::mnist()
        .init(&spec(), &Device::flex())
        .map(|m| m.num_params())
        .unwrap_or(0);
    println!(
        "\n### Whole U-Net step ({params} parameters), batch {BATCH}, {AB_ROUNDS} interleaved rounds (load now {})\n",
        load()
    );
    println!("| part | burn conv (ms) | genzoo conv (ms) |\n|---|---|---|");
    let parts = [
        "forward (autodiff)",
        "forward+backward",
        "Adam update",
        "train_step",
        "sampling call (no autodiff)",
    ];
    for (i, part) in parts.iter().enumerate() {
        println!("| {part} | {:.0} | {:.0} |", med(&old, i), med(&new, i));
    }
    // FLOPs of one call: the convolutions and the attention products (the rest is linear in the
    // activations); the goal is ≥ 50% of the machine's matmul rate while sampling.
    let per_image: f64 = census
        .convs
        .iter()
        .map(|(s, &n)| s.flops(1) * n as f64)
        .chain(census.attn.iter().map(|(&(c, side), &n)| {
            let t = side * side;
            2.0 * (t * (4 * c * c + 2 * t * c)) as f64 * n as f64
        }))
        .sum();
    let gflop = per_image * BATCH as f64 / 1e9;
    println!(
        "\nSampling: {:.0} GFLOP/s (burn path {:.0}), at {:.0} MFLOP per image.",
        gflop / med(&new, 4) * 1e3,
        gflop / med(&old, 4) * 1e3,
        per_image / 1e6
    );
}
