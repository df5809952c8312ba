//! Branch-free `exp` and `sigmoid` on `f32` slices that the compiler turns into SIMD code.
//!
//! `f32::exp` calls libm one element at a time; hand-written loops that apply a sigmoid to
//! every hidden unit of every conditional (NADE's O(nH) gradient) spend most of their time
//! there (docs/history/speed.md, "NADE's hand-written gradient (2026-12-02, host not stated)";
//! the cost per call: "Figures formerly quoted in code comments (moved 2026-12-05)"). This is
//! Cephes' `expf` (Moshier 1984), written without branches or calls so that a loop over a
//! slice vectorises on plain SSE2:
//! ```text
//! n = round(x / ln 2),   r = x − n ln 2   (ln 2 split in two parts: r is exact to an ulp)
//! eʳ ≈ 1 + r + r² P(r)   (degree-5 P on |r| ≤ ln 2 / 2),   eˣ = eʳ · 2ⁿ (n put into the exponent)
//! ```
//! The rounding uses the 1.5·2²³ trick (adding and subtracting it rounds to an integer, and the
//! integer sits in the low mantissa bits), so neither `floor` nor a float→int conversion is
//! needed. Relative error below 3e-7 over the clamped range (tested against f64); inputs are
//! clamped to ±[`EXP_CLAMP`], where f32 `eˣ` stays normal, so sigmoid saturates cleanly to
//! 0 and 1 instead of producing infinities.
//!
//! The crates are built for baseline x86-64 (SSE2, 4 lanes). A caller that wants the CPU's
//! widest instruction set (AVX2 + FMA: 8 lanes) runs its loop through `pulp::Arch::dispatch`
//! with an `#[inline(always)]` `WithSimd::with_simd`; the functions here are `#[inline(always)]`
//! so that they are compiled into it. Results do not depend on the instruction set: no
//! operation is fused or reordered (the dot product always uses the same eight partial sums).

/// |x| beyond which `exp` is clamped: e^±87.3 is the edge of f32's normal range.
pub const EXP_CLAMP: f32 = 87.3;

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 = LN2_HI + LN2_LO; LN2_HI has few mantissa bits so `n · LN2_HI` is exact.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5 · 2²³: adding it to |t| < 2²² rounds t to the nearest integer.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// Cephes `expf` coefficients, highest degree first.
const P: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5, // Cephes writes 5.0000001e-1, which rounds to 0.5 in f32
];

/// eˣ for one value (the same arithmetic as the slice functions, inlined into their loops).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-EXP_CLAMP, EXP_CLAMP);
    let t = x * LOG2E + ROUND_MAGIC;
    // The integer n = round(x log2 e) sits in t's low mantissa bits.
    let n = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let nf = t - ROUND_MAGIC;
    let r = x - nf * LN2_HI - nf * LN2_LO;
    let mut p = P[0];
    for c in &P[1..] {
        p = p * r + c;
    }
    let er = p * r * r + r + 1.0;
    // 2ⁿ built from its exponent bits; n ∈ [−126, 126] after the clamp.
    let two_n = f32::from_bits(((n + 127) as u32) << 23);
    er * two_n
}

/// σ(x) = 1 / (1 + e⁻ˣ) for one value.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// SiLU's derivative `d(x·σ(x))/dx = σ(x)·(1 + x·(1 − σ(x)))` for one value (the backward of
/// [`crate::silu`] and of the fused GroupNorm + SiLU).
#[inline(always)]
pub fn silu_grad(x: f32) -> f32 {
    let s = sigmoid(x);
    s * (1.0 + x * (1.0 - s))
}

/// `out[k] = σ(a[k])` (the slices must have equal lengths; the shorter one bounds the loop).
#[inline(always)]
pub fn sigmoid_into(a: &[f32], out: &mut [f32]) {
    out.iter_mut().zip(a).for_each(|(o, &x)| *o = sigmoid(x));
}

/// Σ a[k] b[k], accumulated in eight lanes so that the loop vectorises (a single running sum
/// would force the additions into order).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0.0f32; LANES];
    let chunks = len / LANES;
    for c in 0..chunks {
        let (ac, bc) = (&a[c * LANES..][..LANES], &b[c * LANES..][..LANES]);
        for l in 0..LANES {
            acc[l] += ac[l] * bc[l];
        }
    }
    let tail: f32 = a[chunks * LANES..]
        .iter()
        .zip(&b[chunks * LANES..])
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// Lanes of [`lanes`] and [`lanes2`]: eight independent f32 accumulators let the compiler
/// vectorise a sum (a single running sum may not be reordered). The norms sum one channel's
/// `H·W` values this way and add the channels up in f64.
const LANES: usize = 8;

/// `Σ f(v)` over `xs` in [`LANES`] f32 accumulators.
pub(crate) fn lanes(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += f(v);
        }
    }
    let tail: f32 = chunks.remainder().iter().map(|&v| f(v)).sum();
    acc.iter().sum::<f32>() + tail
}

/// `Σ f(a[k], b[k])` over two equally long slices in [`LANES`] f32 accumulators.
pub(crate) fn lanes2(xs: &[f32], ys: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [0f32; LANES];
    let mut cx = xs.chunks_exact(LANES);
    let mut cy = ys.chunks_exact(LANES);
    for (a, b) in (&mut cx).zip(&mut cy) {
        for ((s, &p), &q) in acc.iter_mut().zip(a).zip(b) {
            *s += f(p, q);
        }
    }
    let tail: f32 = cx
        .remainder()
        .iter()
        .zip(cy.remainder())
        .map(|(&p, &q)| f(p, q))
        .sum();
    acc.iter().sum::<f32>() + tail
}
