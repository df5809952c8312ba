//! Exact negative log-likelihood of a data set under a model with a tractable density.

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::Array;
use genzoo_models::ExactLikelihood;
use genzoo_nn::host::to_vec;

use crate::EvalError;

/// Mean NLL over a data set, in nats per example.
#[derive(Clone, Debug)]
pub struct NllReport {
    /// Examples evaluated.
    pub n: usize,
    /// Mean −log p(x).
    pub nll: f64,
    /// Standard error of `nll` over examples.
    pub nll_stderr: f64,
    /// Per-example log p(x).
    pub per_example: Vec<f64>,
}

impl NllReport {
    /// Summarise per-example log-likelihoods.
    pub fn from_log_probs(per_example: Vec<f64>) -> Self {
        let n = per_example.len();
        let mean = per_example.iter().sum::<f64>() / n.max(1) as f64;
        let var =
            per_example.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n.max(2) - 1) as f64;
        Self {
            n,
            nll: -mean,
            nll_stderr: (var / n.max(1) as f64).sqrt(),
            per_example,
        }
    }
}

/// `−mean log p(x)` over every row of `data`, in batches of `batch`.
pub fn exact_nll<M: ExactLikelihood + ?Sized>(
    model: &M,
    data: &Array,
    batch: usize,
    device: &Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<NllReport, EvalError> {
    if batch == 0 {
        return Err(EvalError::InvalidOption("batch must be >= 1".into()));
    }
    let n = data.len();
    let d = data.example_size();
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        let x = Tensor::<2>::from_data(
            TensorData::new(data.slice(start, end).values, [end - start, d]),
            device,
        ); // [b, D]
        let lp = to_vec(model.log_prob(x)?, "log-likelihoods")
            .map_err(|e| EvalError::Data(e.to_string()))?;
        for (i, l) in lp.into_iter().enumerate() {
            if !l.is_finite() {
                return Err(EvalError::NotFinite(start + i));
            }
            out.push(l as f64);
        }
        start = end;
        progress(start, n);
    }
    Ok(NllReport::from_log_probs(out))
}
