//! CPC: InfoNCE against hand-computed cross-entropies and its limits, the bound, the patch
//! grid, and the context network's causality (by gradients, as MADE's autoregressive property).

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::cpc::patches::extract;
use genzoo_models::cpc::{CpcConfig, info_nce, top1_accuracy};
use genzoo_models::{Batch, DataKind, DataSpec, Embed, Family, ModelError, Optimizers, StepCx};
use genzoo_nn::noise::standard_normal;
use genzoo_nn::{Adam, AdamConfig, deterministic_init, host::to_vec};

fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

/// InfoNCE is the cross-entropy of the positive (column 0) among N, by hand; a constant
/// scorer gives log N; a scorer far more sure of the positive gives ~0; log N − L ≤ log N.
#[test]
fn info_nce_is_the_positives_cross_entropy() {
    let d = Device::flex();
    let rows = [[2.0f32, 0.5, -1.0, 0.0], [0.0, 1.0, 3.0, -2.0]];
    let scores = Tensor::<2>::from_data(TensorData::new(rows.concat(), [2, 4]), &d);
    let by_hand: f64 = rows
        .iter()
        .map(|r| {
            let lse = r.iter().map(|&v| f64::from(v).exp()).sum::<f64>().ln();
            lse - f64::from(r[0])
        })
        .sum::<f64>()
        / 2.0;
    let l = scalar(info_nce(scores.clone()));
    assert!((l - by_hand).abs() < 1e-5, "{l} vs {by_hand}");
    assert_eq!(top1_accuracy(scores), 0.5);
    for n in [2usize, 8, 64] {
        let constant = Tensor::<2>::full([5, n], 0.3, &d);
        let l = scalar(info_nce(constant));
        assert!((l - (n as f64).ln()).abs() < 1e-5, "N={n}: {l}");
        let mut sure = vec![0f32; 5 * n];
        for r in 0..5 {
            sure[r * n] = 50.0;
        }
        let sure = Tensor::<2>::from_data(TensorData::new(sure, [5, n]), &d);
        assert!(scalar(info_nce(sure.clone())) < 1e-6);
        assert_eq!(top1_accuracy(sure), 1.0);
        // The bound never exceeds log N: L ≥ 0 for any scores.
        let any = standard_normal([7, n], &mut rng_for(1, n as u64, 0), &d) * 10.0;
        assert!(scalar(info_nce(any)) >= 0.0);
    }
}

/// Patch (i, j) of the grid is the image's window at (s·i, s·j).
#[test]
fn patches_are_the_windows_of_the_grid() -> Result<(), genzoo_nn::NnError> {
    let d = Device::flex();
    let (side, p, s) = (10usize, 4usize, 3usize);
    let g = (side - p) / s + 1; // 3
    let values: Vec<f32> = (0..2 * side * side).map(|v| v as f32).collect();
    let x = Tensor::<4>::from_data(TensorData::new(values.clone(), [2, 1, side, side]), &d);
    let patches = to_vec(extract(x, p, s, g), "patches")?;
    for b in 0..2 {
        for i in 0..g {
            for j in 0..g {
                let at = ((b * g + i) * g + j) * p * p;
                for r in 0..p {
                    for c in 0..p {
                        let want = values[b * side * side + (s * i + r) * side + s * j + c];
                        assert_eq!(patches[at + r * p + c], want, "b{b} ({i},{j}) [{r},{c}]");
                    }
                }
            }
        }
    }
    Ok(())
}

fn spec() -> DataSpec {
    DataSpec {
        example_shape: vec![1, 28, 28],
        kind: DataKind::Continuous,
    }
}

fn small() -> CpcConfig {
    CpcConfig {
        channels: 4,
        latent: 8,
        context: 8,
        negatives: 7,
        ..CpcConfig::mnist()
    }
}

/// The context at row i depends on z at rows ≤ i only: the gradient of c's row i with respect
/// to every z row below it is exactly zero, and to some row at or above it is not.
#[test]
fn the_context_never_sees_the_rows_it_predicts() -> Result<(), ModelError> {
    let d = Device::flex().autodiff();
    let model = deterministic_init(small().init(&spec(), &d)?, 3)?;
    let g = model.cells()[0];
    let z = standard_normal([2, 8 * g * g], &mut rng_for(2, 0, 0), &d)
        .reshape([2, 8, g, g])
        .require_grad();
    for i in 0..g {
        // A fresh forward per row: burn's graph is consumed by one backward.
        let out = model.context(z.clone()).narrow(2, i, 1).sum();
        let grads = out.backward();
        let gz = to_vec(z.grad(&grads).expect("z has a gradient"), "grad")?;
        // gz: [2, 8, G, G]; row r of every (b, channel).
        let row_norm = |r: usize| -> f64 {
            gz.chunks(g * g)
                .map(|plane| {
                    plane[r * g..(r + 1) * g]
                        .iter()
                        .map(|v| f64::from(*v).abs())
                        .sum::<f64>()
                })
                .sum()
        };
        for r in i + 1..g {
            assert_eq!(row_norm(r), 0.0, "c row {i} sees z row {r}");
        }
        assert!(row_norm(i) > 0.0, "c row {i} must see its own row");
    }
    Ok(())
}

/// A few steps on MNIST-shaped noise with structure lower the loss; metrics are finite, the
/// bound is below log N; the probe features have the stated width.
#[test]
fn training_lowers_the_loss_and_features_have_their_width() -> Result<(), ModelError> {
    let d = Device::flex().autodiff();
    let mut model = deterministic_init(small().init(&spec(), &d)?, 4)?;
    // Smooth images: a random low-frequency pattern per image, so patches predict their
    // neighbours below.
    let n = 16;
    let phases = to_vec(
        standard_normal([n, 4], &mut rng_for(5, 0, 0), &Device::flex()),
        "phases",
    )?;
    let values: Vec<f32> = (0..n)
        .flat_map(|b| {
            let p = &phases[b * 4..b * 4 + 4];
            (0..784).map(move |k| {
                let (r, c) = ((k / 28) as f32, (k % 28) as f32);
                (0.3 * r + 3.0 * p[0]).sin() * (0.25 * c + 3.0 * p[1]).cos() + 0.5 * p[2]
            })
        })
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(values, [n, 784]), &d);
    let batch = Batch::unlabelled(x.clone());
    let eval = |m: &genzoo_models::cpc::Cpc| -> Result<Vec<(&'static str, f64)>, ModelError> {
        let mut r = rng_for(6, 0, 0);
        m.eval_step(
            &batch,
            &mut StepCx {
                rng: &mut r,
                step: 0,
            },
        )
    };
    let before = eval(&model)?;
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 3e-3);
    for step in 0..40u64 {
        let mut r = rng_for(7, 0, step);
        model = model
            .train_step(&batch, &mut optim, &mut StepCx { rng: &mut r, step })?
            .0;
    }
    let after = eval(&model)?;
    eprintln!("before {before:?}\nafter {after:?}");
    assert!(after[0].1 < 0.8 * before[0].1, "{before:?} -> {after:?}");
    let bound = after
        .iter()
        .find(|(k, _)| *k == "mi_bound")
        .map(|(_, v)| *v);
    assert!(bound.is_some_and(|b| b <= 8f64.ln() + 1e-9));
    assert!(after.iter().all(|(_, v)| v.is_finite()));
    let f = model.embed(x.clone())?;
    assert_eq!(f.dims(), [n, model.embed_dim()]);
    assert_eq!(model.embed_dim(), 8 * 2 * 2);
    // The context's maps, alone and beside z, have their widths too.
    for (features, width) in [
        (genzoo_models::cpc::FeatureSource::C, 8),
        (genzoo_models::cpc::FeatureSource::Zc, 16),
    ] {
        let m = CpcConfig {
            features,
            ..small()
        }
        .init(&spec(), &d)?;
        let f = m.embed(x.clone())?;
        assert_eq!((f.dims(), m.embed_dim()), ([n, width * 4], width * 4));
    }
    Ok(())
}

fn sequence_spec(length: usize) -> DataSpec {
    DataSpec {
        example_shape: vec![1, length],
        kind: DataKind::Continuous,
    }
}

fn small_sequence() -> CpcConfig {
    CpcConfig {
        strides: vec![4, 2],
        pool: 1,
        ..small()
    }
}

/// The GRU context at step t depends on z at steps ≤ t only (gradient of c_t with respect to
/// every later z is exactly zero, to c_t's own step it is not); 64 samples at strides 4, 2 give
/// 8 steps.
#[test]
fn the_sequence_context_never_sees_later_steps() -> Result<(), ModelError> {
    let d = Device::flex().autodiff();
    let model = deterministic_init(small_sequence().init(&sequence_spec(64), &d)?, 3)?;
    assert_eq!(model.cells(), [8, 1]);
    let t = 8;
    let z = standard_normal([2, 8 * t], &mut rng_for(2, 0, 1), &d)
        .reshape([2, 8, t, 1])
        .require_grad();
    for i in 0..t {
        let grads = model.context(z.clone()).narrow(2, i, 1).sum().backward();
        let gz = to_vec(z.grad(&grads).expect("z has a gradient"), "grad")?;
        // gz: [2, 8, T, 1]; step r of every (b, channel).
        let step_norm =
            |r: usize| -> f64 { gz.chunks(t).map(|series| f64::from(series[r]).abs()).sum() };
        for r in i + 1..t {
            assert_eq!(step_norm(r), 0.0, "c_{i} sees z_{r}");
        }
        assert!(step_norm(i) > 0.0, "c_{i} must see z_{i}");
    }
    Ok(())
}

/// On the generated sinusoids, eighty steps on one batch lower the loss of predicting z two steps ahead;
/// the probe's features are z averaged over time (pool 1) or over halves (pool 2).
#[test]
fn sequence_training_lowers_the_loss_and_features_have_their_width() -> Result<(), ModelError> {
    let d = Device::flex().autodiff();
    let mut model = deterministic_init(small_sequence().init(&sequence_spec(64), &d)?, 4)?;
    let generator = genzoo_data::sequences::Sinusoids {
        classes: 4,
        length: 64,
        noise: 0.1,
    };
    let (x, _) = generator
        .sample(16, &mut rng_for(5, 0, 0))
        .map_err(|e| ModelError::DataMismatch(e.to_string()))?;
    let x = Tensor::<2>::from_data(TensorData::new(x.values, [16, 64]), &d);
    let batch = Batch::unlabelled(x.clone());
    let eval = |m: &genzoo_models::cpc::Cpc| -> Result<f64, ModelError> {
        let mut r = rng_for(6, 0, 0);
        let m = m.eval_step(
            &batch,
            &mut StepCx {
                rng: &mut r,
                step: 0,
            },
        )?;
        Ok(m[0].1)
    };
    let before = eval(&model)?;
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 1e-2);
    for step in 0..80u64 {
        let mut r = rng_for(7, 0, step);
        model = model
            .train_step(&batch, &mut optim, &mut StepCx { rng: &mut r, step })?
            .0;
    }
    let after = eval(&model)?;
    assert!(after < 0.8 * before, "{before} -> {after}");
    assert_eq!(model.embed(x.clone())?.dims(), [16, 8]);
    let m = CpcConfig {
        pool: 2,
        ..small_sequence()
    }
    .init(&sequence_spec(64), &d)?;
    assert_eq!((m.embed(x)?.dims(), m.embed_dim()), ([16, 16], 16));
    // Too few steps for K = 2 is refused by name.
    let short = small_sequence().init(&sequence_spec(16), &d);
    assert!(matches!(short, Err(ModelError::DataMismatch(m)) if m.contains("steps")));
    Ok(())
}
