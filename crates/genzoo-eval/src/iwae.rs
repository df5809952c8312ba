//! Importance-weighted log-likelihood estimate (Burda, Grosse & Salakhutdinov 2016).
//!
//! ```text
//! L_k(x) = E[ log (1/k) Σ_{j=1..k} p(x, z_j) / q(z_j | x) ],   z_j ~ q(·|x)
//! ```
//! `L_1` is the ELBO, `L_k ≤ L_{k+1} ≤ log p(x)` and `L_k → log p(x)` as k → ∞; the headline
//! NLL is `−L_5000` averaged over the test set. The k weights of an example are folded in chunks
//! with an online log-sum-exp in f64, so k is bounded by time, not memory.

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::Array;
use genzoo_models::LatentVariable;
use genzoo_nn::host::to_vec;
use rand_chacha::ChaCha8Rng;

use crate::EvalError;
use crate::logsumexp::LogSumExp;

/// Options of [`iwae`].
#[derive(Clone, Debug)]
pub struct IwaeOptions {
    /// Importance samples per example.
    pub k: usize,
    /// Most rows (example × sample) pushed through the decoder at once: bounds memory.
    pub max_rows: usize,
}

/// Result of [`iwae`], in nats per example.
#[derive(Clone, Debug)]
pub struct IwaeReport {
    /// Importance samples per example.
    pub k: usize,
    /// Examples evaluated.
    pub n: usize,
    /// `−mean L_k(x)`: the NLL estimate (an upper bound on the true NLL in expectation).
    pub nll: f64,
    /// Standard error of `nll` over examples.
    pub nll_stderr: f64,
    /// `−mean log w`: the negative ELBO estimated from the same draws.
    pub nelbo: f64,
    /// Per-example `L_k(x)`.
    pub per_example: Vec<f64>,
}

/// Estimate `L_k` for every row of `data` (`[N, ...]`, flattened per example).
///
/// `progress(done, total)` is called after each chunk of examples.
pub fn iwae<M: LatentVariable + ?Sized>(
    model: &M,
    data: &Array,
    options: &IwaeOptions,
    rng: &mut ChaCha8Rng,
    device: &Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<IwaeReport, EvalError> {
    let IwaeOptions { k, max_rows } = *options;
    if k == 0 || max_rows == 0 {
        return Err(EvalError::InvalidOption(format!(
            "k and max_rows must be >= 1, got k = {k}, max_rows = {max_rows}"
        )));
    }
    let n = data.len();
    let d = data.example_size();
    // Either several examples with all k samples each, or one example in chunks of samples.
    let (examples_per_chunk, samples_per_chunk) = if k >= max_rows {
        (1, max_rows)
    } else {
        ((max_rows / k).max(1), k)
    };
    let mut per_example = Vec::with_capacity(n);
    let mut log_w_sum = 0.0;
    let mut start = 0;
    while start < n {
        let end = (start + examples_per_chunk).min(n);
        let b = end - start;
        let rows = data.slice(start, end);
        let x = Tensor::<2>::from_data(TensorData::new(rows.values, [b, d]), device); // [b, D]
        let mut acc = vec![LogSumExp::default(); b];
        let mut done = 0;
        while done < k {
            let kc = samples_per_chunk.min(k - done);
            let lw = model.log_weights(x.clone(), kc, rng)?; // [b, kc]
            let lw = to_vec(lw, "log weights").map_err(|e| EvalError::Data(e.to_string()))?;
            for (i, row) in lw.chunks(kc).enumerate() {
                for &v in row {
                    acc[i].push(v as f64);
                    log_w_sum += v as f64;
                }
            }
            done += kc;
        }
        for (i, a) in acc.iter().enumerate() {
            let l = a.log_mean();
            if !l.is_finite() {
                return Err(EvalError::NotFinite(start + i));
            }
            per_example.push(l);
        }
        start = end;
        progress(start, n);
    }
    let mean = per_example.iter().sum::<f64>() / n as f64;
    let var = per_example.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
    Ok(IwaeReport {
        k,
        n,
        nll: -mean,
        nll_stderr: (var / n as f64).sqrt(),
        nelbo: -log_w_sum / (n as f64 * k as f64),
        per_example,
    })
}
