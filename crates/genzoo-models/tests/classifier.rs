//! Classifiers: the soft surrogates against hand-computed hard metrics and their gradients,
//! the losses, one-vs-rest targets, training on a learnable toy, and the perceptron's bias.
#![allow(clippy::unwrap_used)]

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::rng_for;
use genzoo_models::classifier::loss::{LossKind, cross_entropy};
use genzoo_models::classifier::metrics::{BinaryCounts, ClassifierScores, f1_from_rates};
use genzoo_models::classifier::perceptron::{
    Perceptron, best_origin_line_accuracy, shifted_clusters,
};
use genzoo_models::classifier::soft_metrics::{F1Average, soft_accuracy, soft_f1};
use genzoo_models::classifier::{BackboneKind, Classifier, ClassifierConfig};
use genzoo_models::{Batch, Classify, DataKind, DataSpec, Family, Optimizers, Sample, StepCx};
use genzoo_nn::host::to_vec;
use genzoo_nn::{Adam, AdamConfig};

fn logits(rows: &[[f32; 2]], device: &Device) -> Tensor<2> {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), 2]), device)
}

fn labels(y: &[i64], device: &Device) -> Tensor<1, Int> {
    Tensor::from_data(TensorData::new(y.to_vec(), [y.len()]), device)
}

fn value(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

/// Four examples of a binary task. Predictions (argmax): 0, 1, 1, 0; labels 0, 1, 0, 1:
/// tp = 1 (row 2), fp = 1 (row 3), fn = 1 (row 4), tn = 1 → accuracy 1/2, F1 = 2/(2+1+1) = 1/2.
const Z: [[f32; 2]; 4] = [[2.0, 0.0], [0.0, 1.0], [0.0, 3.0], [1.0, 0.0]];
const Y: [i64; 4] = [0, 1, 0, 1];

/// Compiles only when `$t` does not implement [`Sample`]: with an implementation, both impls
/// of `NotSample` apply to it and the call is ambiguous (static_assertions'
/// `assert_not_impl_any`). It must name a concrete type: inside a generic function only the
/// first impl would be visible.
macro_rules! assert_does_not_generate {
    ($t:ty) => {{
        trait NotSample<Marker> {
            fn check() {}
        }
        impl<T: ?Sized> NotSample<()> for T {}
        impl<T: ?Sized + Sample> NotSample<u8> for T {}
        <$t as NotSample<_>>::check();
    }};
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn soft_metrics_tend_to_the_hard_ones_as_temperature_falls() {
    let d = Device::flex();
    let (z, y) = (|| logits(&Z, &d), || labels(&Y, &d));
    let hard = BinaryCounts::new(&[0, 1, 1, 0], &Y);
    assert_eq!((hard.accuracy(), hard.f1()), (0.5, 0.5));
    // τ = 1, by hand: p(true class) = σ(2), σ(1), σ(−3), σ(−1).
    let p = [sigmoid(2.0), sigmoid(1.0), sigmoid(-3.0), sigmoid(-1.0)];
    let soft_acc = p.iter().sum::<f64>() / 4.0;
    assert!((value(soft_accuracy(z(), y(), 1.0)) - soft_acc).abs() < 1e-6);
    // p(class 1) per row: σ(−2), σ(1), σ(3), σ(−1); labels 0, 1, 0, 1.
    let q = [sigmoid(-2.0), sigmoid(1.0), sigmoid(3.0), sigmoid(-1.0)];
    let tp = q[1] + q[3];
    let fp = q[0] + q[2];
    let fn_ = (1.0 - q[1]) + (1.0 - q[3]);
    let soft_f1_1 = 2.0 * tp / (2.0 * tp + fp + fn_);
    let got = value(soft_f1(z(), y(), 1.0, F1Average::Positive));
    assert!((got - soft_f1_1).abs() < 1e-6, "{got} vs {soft_f1_1}");
    // Approach: the gap to the hard value shrinks with τ and vanishes at τ = 10⁻³
    // (the smallest logit margin is 1, so p is within e^{−1000} of one-hot).
    let mut last = (f64::INFINITY, f64::INFINITY);
    for tau in [1.0, 0.5, 0.2, 0.1, 0.01, 0.001] {
        let gap_acc = (value(soft_accuracy(z(), y(), tau)) - 0.5).abs();
        let gap_f1 = (value(soft_f1(z(), y(), tau, F1Average::Positive)) - 0.5).abs();
        assert!(
            gap_acc <= last.0 + 1e-7 && gap_f1 <= last.1 + 1e-7,
            "τ = {tau}"
        );
        last = (gap_acc, gap_f1);
    }
    assert!(last.0 < 1e-6 && last.1 < 1e-6, "{last:?}");
}

#[test]
fn macro_soft_f1_tends_to_macro_f1() {
    let d = Device::flex();
    // Three classes; predictions 0, 1, 2, 2, labels 0, 1, 1, 2:
    // class 0: tp 1 → F1 1; class 1: tp 1, fn 1 → 2/3; class 2: tp 1, fp 1 → 2/3. Macro: 7/9.
    let z = Tensor::<2>::from_data(
        TensorData::new(
            vec![
                3.0f32, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 4.0,
            ],
            [4, 3],
        ),
        &d,
    );
    let y = labels(&[0, 1, 1, 2], &d);
    let got = value(soft_f1(z, y, 1e-3, F1Average::Macro));
    assert!((got - 7.0 / 9.0).abs() < 1e-5, "{got}");
}

#[test]
fn raising_the_true_class_logit_lowers_every_loss() {
    let d = Device::flex().autodiff();
    for kind in [
        LossKind::Ce,
        LossKind::SoftAccuracy,
        LossKind::SoftF1,
        LossKind::CeSoftF1,
    ] {
        let z = logits(&Z, &d).require_grad();
        let loss = kind.compute(z.clone(), labels(&Y, &d), 0.5, F1Average::Positive);
        let base = value(loss.clone().inner());
        let grads = loss.backward();
        let g = to_vec(z.grad(&grads).unwrap(), "grad").unwrap(); // [4, 2]
        for (b, &y) in Y.iter().enumerate() {
            let gy = g[2 * b + y as usize];
            assert!(
                gy.is_finite() && gy < 0.0,
                "{kind:?}: ∂loss/∂z[{b},{y}] = {gy}"
            );
            // And the loss does go down when that logit goes up a little.
            let mut bumped = Z;
            bumped[b][y as usize] += 1e-2;
            let z2 = logits(&bumped, &d.clone().without_autodiff());
            let after = value(kind.compute(
                z2,
                labels(&Y, &d.clone().without_autodiff()),
                0.5,
                F1Average::Positive,
            ));
            assert!(after < base, "{kind:?}, row {b}: {after} ≥ {base}");
        }
    }
}

#[test]
fn cross_entropy_is_the_negative_log_softmax() {
    let d = Device::flex();
    let got = value(cross_entropy(logits(&Z, &d), labels(&Y, &d)));
    // −log σ(m) for the true-class margins m = 2, 1, −3, −1.
    let want = [2.0, 1.0, -3.0, -1.0]
        .iter()
        .map(|m: &f64| -sigmoid(*m).ln())
        .sum::<f64>()
        / 4.0;
    assert!((got - want).abs() < 1e-5);
}

#[test]
fn pooled_f1_comes_from_pooled_rates() {
    // Two batches of 2 and 6 examples; F1 of the pooled counts, not the mean of batch F1s.
    let (a, b) = (
        BinaryCounts::new(&[1, 0], &[1, 1]),
        BinaryCounts::new(&[1, 1, 0, 0, 0, 0], &[0, 1, 0, 0, 0, 0]),
    );
    let rates = |c: &BinaryCounts, n: f64| [c.tp as f64 / n, c.fp as f64 / n, c.fn_ as f64 / n];
    let (ra, rb) = (rates(&a, 2.0), rates(&b, 6.0));
    let pooled: Vec<f64> = (0..3).map(|i| (2.0 * ra[i] + 6.0 * rb[i]) / 8.0).collect();
    let m = vec![
        ("error", 0.0),
        ("accuracy", 1.0),
        ("ce", 0.1),
        ("tp", pooled[0]),
        ("fp", pooled[1]),
        ("fn", pooled[2]),
    ];
    let s = ClassifierScores::from_metrics(&m).unwrap();
    // Pooled: tp 2, fp 1, fn 1 → 4/6.
    assert!((s.f1.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(f1_from_rates(0.0, 0.0, 0.0), 0.0);
}

/// 8×8 images: class k ∈ {0,1,2,3} lights quadrant k, plus noise.
fn quadrant_batch(n: usize, seed: u64, device: &Device) -> Batch {
    let mut rng = rng_for(seed, 0, 0);
    let noise = to_vec(
        genzoo_nn::noise::uniform([n, 64], &mut rng, &Device::flex()),
        "n",
    )
    .unwrap();
    let mut x = Vec::with_capacity(n * 64);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % 4;
        y.push(k as i64);
        for p in 0..64 {
            let (r, c) = (p / 8, p % 8);
            let lit = (r / 4) * 2 + c / 4 == k;
            x.push(if lit { 0.7 } else { 0.0 } + 0.3 * noise[i * 64 + p]);
        }
    }
    Batch {
        x: Tensor::from_data(TensorData::new(x, [n, 64]), device),
        y: Some(labels(&y, device)),
        x0: None,
    }
}

/// (training accuracy of the last step, evaluation accuracy on fresh examples).
fn train_on_quadrants(cfg: ClassifierConfig, steps: usize) -> (f64, f64) {
    let d = Device::flex().autodiff();
    let spec = DataSpec {
        example_shape: vec![1, 8, 8],
        kind: DataKind::Continuous,
    };
    let model = cfg.init(&spec, &d).unwrap();
    let mut model = genzoo_nn::deterministic_init(model, 3).unwrap();
    let mut optim = Optimizers::single(Adam::new(AdamConfig::default()), 1e-2);
    let batch = quadrant_batch(32, 0, &d);
    let mut train_acc = 0.0;
    for step in 0..steps {
        let mut rng = rng_for(0, 1, step as u64);
        let mut cx = StepCx {
            rng: &mut rng,
            step: step as u64,
        };
        let (m, metrics) = model.train_step(&batch, &mut optim, &mut cx).unwrap();
        model = m;
        train_acc = metrics[1].1;
    }
    let eval = model.valid();
    let test = quadrant_batch(64, 1, &Device::flex());
    let mut rng = rng_for(0, 2, 0);
    let mut cx = StepCx {
        rng: &mut rng,
        step: 0,
    };
    let m = eval.eval_step(&test, &mut cx).unwrap();
    assert_eq!(
        eval.feature_dim(),
        eval.features_and_logits(test.x).unwrap().0.dims()[1]
    );
    // A classifier does not generate: it has no `Sample` to call (checked when compiling).
    assert_does_not_generate!(Classifier);
    (
        train_acc,
        ClassifierScores::from_metrics(&m).unwrap().accuracy,
    )
}

#[test]
fn mlp_and_cnn_learn_a_learnable_task() {
    for (backbone, loss) in [
        (BackboneKind::Mlp, LossKind::Ce),
        (BackboneKind::Cnn, LossKind::SoftAccuracy),
    ] {
        let cfg = ClassifierConfig {
            backbone,
            loss,
            classes: 4,
            mlp_hidden: vec![16],
            cnn_channels: [4, 4, 4],
            cnn_features: 8,
            ..ClassifierConfig::default()
        };
        let (_, acc) = train_on_quadrants(cfg, 60);
        assert_eq!(acc, 1.0, "{backbone:?}");
    }
}

#[test]
fn one_vs_rest_maps_labels_to_one_and_zero() {
    let d = Device::flex();
    let cfg = ClassifierConfig {
        backbone: BackboneKind::Mlp,
        positive_class: Some(2),
        classes: 4,
        ..ClassifierConfig::default()
    };
    let spec = DataSpec {
        example_shape: vec![1, 8, 8],
        kind: DataKind::Continuous,
    };
    let model = cfg.init(&spec, &d).unwrap();
    let batch = quadrant_batch(8, 0, &d); // labels 0 1 2 3 0 1 2 3
    let t = model
        .targets(&batch)
        .unwrap()
        .into_data()
        .iter::<i64>()
        .collect::<Vec<_>>();
    assert_eq!(t, vec![0, 0, 1, 0, 0, 0, 1, 0]);
    assert_eq!(model.num_classes(), 2);
    // Labels outside the configured classes are an error, not a panic.
    let bad = Batch {
        x: batch.x.clone(),
        y: Some(labels(&[0, 1, 2, 3, 4, 5, 6, 7], &d)),
        x0: None,
    };
    assert!(model.targets(&bad).is_err());
    assert!(model.targets(&Batch::unlabelled(batch.x)).is_err());
}

#[test]
fn tiny_efficientnet_trains_with_batch_norm_and_stochastic_depth() {
    let mut cfg = ClassifierConfig {
        backbone: BackboneKind::EfficientNet,
        classes: 4,
        ..ClassifierConfig::default()
    };
    cfg.efficientnet.phi = Some(-8.0);
    cfg.efficientnet.resolution = Some(8);
    cfg.efficientnet.stem_stride = 1;
    // Evaluation would use running statistics that, at momentum 0.01, are still mostly their
    // initial values after 80 steps; the training accuracy (batch statistics) shows the fit.
    // The net sits at chance for ~30 steps before it breaks symmetry, so 80 steps leave a
    // margin: a 40-step version passed or failed on 1e-6 changes in the conv arithmetic.
    let (acc, _) = train_on_quadrants(cfg, 80);
    assert!(acc >= 0.9, "{acc}");
}

/// The best any line through the origin does on the built-in set (seed 0, 100 points per
/// class), by the exact angle sweep (see `perceptron.rs`).
const BEST_ORIGIN_LINE: f64 = 0.685;

#[test]
fn a_perceptron_needs_its_bias_off_the_origin() {
    let data = shifted_clusters(100, 0);
    // The data is separable by x₁ + x₂ = 3 ...
    assert!(data.iter().all(|p| (p.x[0] + p.x[1] > 3.0) == p.y));
    // ... but no line through the origin comes close.
    let bound = best_origin_line_accuracy(&data);
    assert!((bound - BEST_ORIGIN_LINE).abs() < 1e-12, "{bound}");
    // A brute-force check of the sweep on a fine grid of directions.
    let grid = (0..20_000)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / 20_000.0;
            Perceptron {
                w: [t.cos(), t.sin()],
                b: 0.0,
                use_bias: false,
            }
            .accuracy(&data)
        })
        .fold(0.0, f64::max);
    assert!(grid <= bound);
    let (with, report) = Perceptron::train(&data, true, 1000, 1.0);
    assert!(report.converged);
    assert_eq!(with.accuracy(&data), 1.0);
    let (without, report) = Perceptron::train(&data, false, 1000, 1.0);
    assert!(!report.converged);
    assert_eq!(without.b, 0.0);
    assert!(without.accuracy(&data) <= bound);
}
