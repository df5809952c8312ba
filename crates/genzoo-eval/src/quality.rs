//! Sample quality in one pass: a trained classifier reads both image sets once, and FID, KID,
//! precision/recall and the classifier scores are computed from its penultimate features and
//! class probabilities.
//!
//! ```text
//! images [N, D] ──Classify::features_and_logits (batches of B)──▶ features [N, F], logits [N, C]
//!   reference + generated features ──▶ fid, kid, precision_recall
//!   each set's softmax(logits)      ──▶ classifier_scores
//! ```
//! Images are in the feature net's input range (the caller maps intensities to it). The
//! network runs on whatever device the caller gives it; pass one without autodiff, no graph is
//! needed. The report names the feature net (its checkpoint, step and file hash), because a
//! FID is only comparable with FIDs from the same network. Precision/recall compare equal
//! numbers of examples: when the sets differ in size, a random subset of the larger one
//! (`rng_for(seed, STREAM_PR_SUBSET, ·)`) is used.

use std::time::Instant;

use burn::prelude::*;
use burn::tensor::TensorData;
use genzoo_data::{Array, rng_for};
use genzoo_models::Classify;
use genzoo_nn::host::to_vec;
use nalgebra::DMatrix;
use serde::Serialize;

use crate::EvalError;
use crate::classifier_scores::{
    ClassifierScores, DEFAULT_MODE_FRACTION, classifier_scores, softmax_rows,
};
use crate::features::{Features, check_finite, from_rows, gather_rows};
use crate::fid::{FidReport, fid};
use crate::kid::{KidOptions, KidReport, kid, subset_indices};
use crate::precision_recall::{DEFAULT_K, PrecisionRecall, precision_recall};

/// RNG stream of the equal-size subsets of precision/recall.
pub const STREAM_PR_SUBSET: u64 = u64::from_be_bytes(*b"prsubset");
/// Images per forward pass of the feature net.
pub const DEFAULT_BATCH: usize = 500;

/// The network whose features define the metrics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeatureNet {
    /// Its family (as configs spell it).
    pub family: String,
    /// The checkpoint directory it was loaded from.
    pub checkpoint: String,
    /// Training step of that checkpoint.
    pub step: u64,
    /// Which weights: "raw" or "EMA".
    pub weights: String,
    /// SHA-256 of the weight file, hex: two reports with the same hash used the same network.
    pub sha256: String,
    /// Shape of one input example, `[1, 28, 28]` for MNIST.
    pub input_shape: Vec<usize>,
    /// The image view it was trained on (its input range).
    pub view: String,
}

/// How the metrics are computed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QualityOptions {
    /// Images per forward pass.
    pub batch_size: usize,
    /// KID subsets.
    pub kid: KidOptions,
    /// Neighbourhood size of precision/recall.
    pub k: usize,
    /// Fraction of the uniform class share that covers a mode.
    pub mode_fraction: f64,
    /// Seed of the precision/recall subsets.
    pub seed: u64,
}

impl Default for QualityOptions {
    fn default() -> Self {
        QualityOptions {
            batch_size: DEFAULT_BATCH,
            kid: KidOptions::default(),
            k: DEFAULT_K,
            mode_fraction: DEFAULT_MODE_FRACTION,
            seed: 0,
        }
    }
}

/// One image set seen through the feature net.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// Penultimate features `[N, F]`.
    pub features: Features,
    /// Class probabilities `[N, C]`.
    pub probs: DMatrix<f64>,
    /// Seconds the network took.
    pub seconds: f64,
}

/// Seconds each metric took, feature extraction excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Timings {
    /// FID (moments, eigendecompositions).
    pub fid: f64,
    /// KID (all subsets).
    pub kid: f64,
    /// Precision and recall (k-NN radii and the cross distances).
    pub precision_recall: f64,
    /// Classifier scores of both sets.
    pub classifier_scores: f64,
}

/// Every metric of a generated set against a reference set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityMetrics {
    /// Reference examples.
    pub n_reference: usize,
    /// Generated examples.
    pub n_generated: usize,
    /// Fréchet distance of the feature Gaussians.
    pub fid: FidReport,
    /// Kernel inception distance.
    pub kid: KidReport,
    /// Improved precision and recall.
    pub precision_recall: PrecisionRecall,
    /// Examples per set in precision/recall.
    pub precision_recall_examples: usize,
    /// The classifier on the generated set.
    pub generated: ClassifierScores,
    /// The classifier on the reference set (what a perfect generator would score).
    pub reference: ClassifierScores,
    /// Seconds per metric.
    pub seconds: Timings,
}

/// The metrics and the network that defined them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityReport {
    /// The feature network.
    pub feature_net: FeatureNet,
    /// The metrics.
    pub metrics: QualityMetrics,
    /// Seconds of feature extraction, both sets.
    pub extraction_seconds: f64,
}

/// Run the feature net over `images` (`[N, …]` with one example of `net_id.input_shape`) in
/// batches; `set` names the images in errors.
pub fn extract(
    net: &dyn Classify,
    net_id: &FeatureNet,
    images: &Array,
    set: &str,
    batch_size: usize,
    device: &Device,
) -> Result<Extracted, EvalError> {
    if batch_size == 0 {
        return Err(EvalError::InvalidOption("batch size must be >= 1".into()));
    }
    if images.example_dims() != net_id.input_shape.as_slice() {
        return Err(EvalError::Shape(format!(
            "the {set} are {:?} per example, the feature net reads {:?}",
            images.example_dims(),
            net_id.input_shape
        )));
    }
    let d = images.example_size();
    if let Some(i) = images.values.iter().position(|v| !v.is_finite()) {
        return Err(EvalError::NonFiniteInput {
            set: set.to_string(),
            example: i / d.max(1),
        });
    }
    let started = Instant::now();
    let (f, c) = (net.feature_dim(), net.num_classes());
    let n = images.len();
    let (mut feats, mut logits) = (Vec::with_capacity(n * f), Vec::with_capacity(n * c));
    for start in (0..n).step_by(batch_size) {
        let end = (start + batch_size).min(n);
        let x = Tensor::<2>::from_data(
            TensorData::new(images.slice(start, end).values, [end - start, d]),
            device,
        ); // [b, D]
        let (phi, z) = net.features_and_logits(x)?; // [b, F], [b, C]
        let read = |t, what| to_vec(t, what).map_err(|e| EvalError::Data(e.to_string()));
        feats.extend(read(phi, "features")?);
        logits.extend(read(z, "logits")?);
    }
    let features = from_rows(n, f, &feats)?;
    let logits = from_rows(n, c, &logits)?;
    check_finite(&features, &format!("features of the {set}"))?;
    check_finite(&logits, &format!("logits of the {set}"))?;
    Ok(Extracted {
        features,
        probs: softmax_rows(&logits),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `m` rows of `x` (all of them, in order, when it has exactly `m`).
fn equal_size(x: &Features, m: usize, seed: u64, counter: u64) -> Features {
    if x.nrows() == m {
        return x.clone();
    }
    let mut rng = rng_for(seed, STREAM_PR_SUBSET, counter);
    gather_rows(x, &subset_indices(x.nrows(), m, &mut rng))
}

/// Every metric of `generated` against `reference` (features already extracted).
pub fn compare(
    reference: &Extracted,
    generated: &Extracted,
    options: &QualityOptions,
) -> Result<QualityMetrics, EvalError> {
    let (r, g) = (&reference.features, &generated.features);
    let mut seconds = Timings::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut f64| {
        *slot = clock.elapsed().as_secs_f64();
        clock = Instant::now();
    };
    let fid = fid(r, g)?;
    lap(&mut seconds.fid);
    let kid = kid(r, g, &options.kid)?;
    lap(&mut seconds.kid);
    let m = r.nrows().min(g.nrows());
    let pr = precision_recall(
        &equal_size(r, m, options.seed, 0),
        &equal_size(g, m, options.seed, 1),
        options.k,
    )?;
    lap(&mut seconds.precision_recall);
    let generated_scores = classifier_scores(&generated.probs, options.mode_fraction)?;
    let reference_scores = classifier_scores(&reference.probs, options.mode_fraction)?;
    lap(&mut seconds.classifier_scores);
    Ok(QualityMetrics {
        n_reference: r.nrows(),
        n_generated: g.nrows(),
        fid,
        kid,
        precision_recall: pr,
        precision_recall_examples: m,
        generated: generated_scores,
        reference: reference_scores,
        seconds,
    })
}

/// Extract both sets and compare them.
pub fn quality(
    net: &dyn Classify,
    net_id: &FeatureNet,
    reference: &Array,
    generated: &Array,
    options: &QualityOptions,
    device: &Device,
) -> Result<QualityReport, EvalError> {
    let r = extract(
        net,
        net_id,
        reference,
        "reference images",
        options.batch_size,
        device,
    )?;
    let g = extract(
        net,
        net_id,
        generated,
        "generated images",
        options.batch_size,
        device,
    )?;
    Ok(QualityReport {
        feature_net: net_id.clone(),
        metrics: compare(&r, &g, options)?,
        extraction_seconds: r.seconds + g.seconds,
    })
}
