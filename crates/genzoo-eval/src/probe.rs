//! The linear probe: how much of the label a frozen representation makes linearly available.
//!
//! One recipe for every feature set (a CPC encoder's, a random encoder's, raw pixels), so the
//! accuracies compare: features standardised with the training subset's mean and standard
//! deviation; a linear map to the classes (softmax regression, no hidden layer); Adam at
//! `lr` for a fixed number of `steps` on batches drawn with replacement from the labelled subset
//! (a fixed step count, not epochs, so 1% of the labels trains as long as 100%); L2 penalty
//! `weight_decay` on the weights, from zero weights. Test accuracy at the end; no model
//! selection on test.
//!
//! # Shapes
//! Features `n × F` row-major, labels `n`.

use burn::nn::{Initializer, Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::log_softmax;
use genzoo_nn::{Adam, AdamConfig};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::EvalError;

/// The probe's recipe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbeOptions {
    /// Optimisation steps.
    pub steps: usize,
    /// Examples per step.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// L2 penalty on the weights (coupled, added to the gradient).
    pub weight_decay: f64,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            steps: 3000,
            batch: 256,
            lr: 1e-3,
            weight_decay: 1e-4,
        }
    }
}

/// Labelled features.
#[derive(Clone, Copy, Debug)]
pub struct Labelled<'a> {
    /// `n × dim` values.
    pub x: &'a [f32],
    /// `n` labels in `0..classes`.
    pub y: &'a [u8],
    /// Feature width.
    pub dim: usize,
}

impl Labelled<'_> {
    fn len(&self) -> usize {
        self.y.len()
    }
    fn check(&self, what: &str, classes: usize) -> Result<(), EvalError> {
        if self.dim == 0 || self.x.len() != self.len() * self.dim || self.len() == 0 {
            return Err(EvalError::InvalidOption(format!(
                "probe {what}: {} values for {} labels of width {}",
                self.x.len(),
                self.len(),
                self.dim
            )));
        }
        if let Some(i) = self.x.iter().position(|v| !v.is_finite()) {
            return Err(EvalError::NonFiniteInput {
                set: format!("probe {what} features"),
                example: i / self.dim,
            });
        }
        if let Some(&c) = self.y.iter().find(|&&c| usize::from(c) >= classes) {
            return Err(EvalError::InvalidOption(format!(
                "probe {what}: label {c} outside 0..{classes}"
            )));
        }
        Ok(())
    }
}

/// Train the probe on `train` and return its accuracy on `test`.
pub fn linear_probe(
    train: Labelled,
    test: Labelled,
    classes: usize,
    options: ProbeOptions,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> Result<f64, EvalError> {
    train.check("training", classes)?;
    test.check("test", classes)?;
    if train.dim != test.dim || options.steps == 0 || options.batch == 0 {
        return Err(EvalError::InvalidOption(format!(
            "probe: widths {} and {}, steps {}, batch {}",
            train.dim, test.dim, options.steps, options.batch
        )));
    }
    let d = train.dim;
    let (mean, std) = moments(train.x, d);
    let standardise = |x: &[f32]| -> Vec<f32> {
        x.chunks_exact(d)
            .flat_map(|row| {
                row.iter()
                    .zip(&mean)
                    .zip(&std)
                    .map(|((v, m), s)| (v - m) / s)
            })
            .collect()
    };
    let xs = standardise(train.x);
    // Zeros: the problem is convex, and a start that does not depend on burn's global
    // generator makes every probe number reproducible.
    let mut probe: Linear = LinearConfig::new(d, classes)
        .with_initializer(Initializer::Zeros)
        .init(device);
    let mut adam = Adam::new(AdamConfig {
        weight_decay: options.weight_decay,
        ..AdamConfig::default()
    });
    for _ in 0..options.steps {
        let idx: Vec<usize> = (0..options.batch)
            .map(|_| rng.random_range(0..train.len()))
            .collect();
        let xb: Vec<f32> = idx
            .iter()
            .flat_map(|&i| xs[i * d..(i + 1) * d].iter().copied())
            .collect();
        let yb: Vec<i64> = idx.iter().map(|&i| i64::from(train.y[i])).collect();
        let x = Tensor::<2>::from_data(TensorData::new(xb, [options.batch, d]), device);
        let y = Tensor::<1, Int>::from_data(TensorData::new(yb, [options.batch]), device);
        let logp = log_softmax(probe.forward(x), 1); // [B, K]
        let loss = logp.gather(1, y.reshape([options.batch, 1])).mean().neg();
        let grads = GradientsParams::from_grads(loss.backward(), &probe);
        probe = adam.step(probe, grads, options.lr).0;
    }
    let probe = probe.valid();
    let plain = device.clone().without_autodiff();
    let xt = standardise(test.x);
    let x = Tensor::<2>::from_data(TensorData::new(xt, [test.len(), d]), &plain);
    let predicted = genzoo_nn::host::to_vec(probe.forward(x).argmax(1).float(), "probe")
        .map_err(|e| EvalError::Data(e.to_string()))?;
    let hits = predicted
        .iter()
        .zip(test.y)
        .filter(|(p, y)| **p as u8 == **y)
        .count();
    Ok(hits as f64 / test.len() as f64)
}

/// Per-feature mean and standard deviation (1 where a feature is constant).
fn moments(x: &[f32], d: usize) -> (Vec<f32>, Vec<f32>) {
    let n = (x.len() / d).max(1) as f64;
    let mut mean = vec![0f64; d];
    for row in x.chunks_exact(d) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += f64::from(*v);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0f64; d];
    for row in x.chunks_exact(d) {
        for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
            *s += (f64::from(*v) - m).powi(2);
        }
    }
    let std = var
        .iter()
        .map(|s| {
            let sd = (s / n).sqrt();
            if sd > 1e-8 { sd as f32 } else { 1.0 }
        })
        .collect();
    (mean.iter().map(|&m| m as f32).collect(), std)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Two classes separated along one feature of three: the probe finds them; with the labels
    /// shuffled it cannot beat chance by much; bad input is refused.
    #[test]
    fn a_separable_set_is_learned_and_noise_is_not() -> Result<(), EvalError> {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let n = 400;
        let mut x = Vec::with_capacity(n * 3);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let c = (i % 2) as u8;
            let noise = |r: &mut ChaCha8Rng| r.random_range(-1.0f32..1.0);
            x.extend([
                noise(&mut rng),
                f32::from(c) * 3.0 + noise(&mut rng),
                noise(&mut rng),
            ]);
            y.push(c);
        }
        let device = Device::flex().autodiff();
        let opts = ProbeOptions {
            steps: 300,
            ..ProbeOptions::default()
        };
        let set = Labelled {
            x: &x,
            y: &y,
            dim: 3,
        };
        let acc = linear_probe(set, set, 2, opts, &mut rng, &device)?;
        assert!(acc > 0.95, "{acc}");
        let shuffled: Vec<u8> = (0..n).map(|_| rng.random_range(0..2u8)).collect();
        let noise = Labelled {
            x: &x,
            y: &shuffled,
            dim: 3,
        };
        let acc = linear_probe(noise, noise, 2, opts, &mut rng, &device)?;
        assert!(acc < 0.65, "{acc}");
        let bad = Labelled {
            x: &x[..5],
            y: &y,
            dim: 3,
        };
        assert!(linear_probe(bad, set, 2, opts, &mut rng, &device).is_err());
        assert!(linear_probe(set, set, 1, opts, &mut rng, &device).is_err());
        Ok(())
    }
}
