//! Mode coverage on Stacked MNIST (PacGAN, Lin et al. 2018, Table 2; Metz et al. 2017): each of
//! the K channels of a generated image is classified by the MNIST feature net, and the K digits,
//! first channel most significant, name one of 10^K modes:
//! ```text
//! d_k(x) = argmax_y p(y | x_k)        mode(x) = Σ_k d_k(x) · 10^(K−1−k)
//! ```
//! then [`ModeReport::from_labels`]: modes covered (at least one sample) and the reverse KL of the
//! mode histogram against uniform, as PacGAN counts them (26,000 samples there).
//!
//! # Shapes
//! `images: [N, K, H, W]` in the feature net's input range; the net reads `[1, H, W]`.

use burn::prelude::*;
use genzoo_data::Array;
use genzoo_models::Classify;
use nalgebra::DMatrix;

use crate::EvalError;
use crate::modes::ModeReport;
use crate::quality::{FeatureNet, extract};

/// The mode of every row from the class probabilities of each channel (`probs[k]`: `[N, C]`).
pub fn modes_from_channels(probs: &[DMatrix<f64>]) -> Result<Vec<usize>, EvalError> {
    let Some(first) = probs.first() else {
        return Err(EvalError::InvalidOption("no channels to classify".into()));
    };
    let (n, c) = (first.nrows(), first.ncols());
    if probs.iter().any(|p| p.nrows() != n || p.ncols() != c) {
        return Err(EvalError::Shape(
            "every channel needs the same number of rows and classes".into(),
        ));
    }
    Ok((0..n)
        .map(|i| {
            probs.iter().fold(0, |mode, p| {
                // argmax of row i; the first of equal maxima.
                let best = (0..c).fold(0, |b, y| if p[(i, y)] > p[(i, b)] { y } else { b });
                mode * c + best
            })
        })
        .collect())
}

/// Classify each channel of `images` with the feature net and count the modes (module docs).
pub fn stacked_modes(
    net: &dyn Classify,
    net_id: &FeatureNet,
    images: &Array,
    batch_size: usize,
    device: &Device,
) -> Result<ModeReport, EvalError> {
    let dims = images.example_dims();
    let [k, h, w] = *dims else {
        return Err(EvalError::Shape(format!(
            "stacked images are [K, H, W] per example, got {dims:?}"
        )));
    };
    let n = images.len();
    let plane = h * w;
    let mut probs = Vec::with_capacity(k);
    for channel in 0..k {
        let values = images
            .values
            .chunks_exact(k * plane)
            .flat_map(|e| &e[channel * plane..(channel + 1) * plane])
            .copied()
            .collect();
        let one =
            Array::new(vec![n, 1, h, w], values).map_err(|e| EvalError::Data(e.to_string()))?;
        let set = format!("channel {channel} of the generated images");
        probs.push(extract(net, net_id, &one, &set, batch_size, device)?.probs);
    }
    let classes = net.num_classes();
    ModeReport::from_labels(&modes_from_channels(&probs)?, classes.pow(k as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three channels whose argmax digits are (3, 0, 7) and (9, 9, 1) give modes 307 and 991;
    /// the coverage and KL follow from those two labels.
    #[test]
    fn modes_read_the_argmax_digits_first_channel_first() {
        let row = |d: usize| (0..10).map(move |y| if y == d { 0.9 } else { 0.01 });
        let matrix = |a: usize, b: usize| DMatrix::from_row_iterator(2, 10, row(a).chain(row(b)));
        let probs = [matrix(3, 9), matrix(0, 9), matrix(7, 1)];
        let modes = modes_from_channels(&probs).expect("valid");
        assert_eq!(modes, vec![307, 991]);
        let report = ModeReport::from_labels(&modes, 1000).expect("valid");
        assert_eq!(report.covered(), 2);
        let mismatched = [matrix(1, 2), DMatrix::zeros(3, 10)];
        assert!(modes_from_channels(&mismatched).is_err());
    }
}
