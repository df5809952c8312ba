//! Stacked MNIST (Metz et al. 2017, "Unrolled GANs"; PacGAN, Lin et al. 2018, Table 2): K
//! MNIST digits drawn independently and uniformly, stacked as the K channels of one image. With
//! K = 3 there are 10³ = 1000 modes, one per ordered triple of digits:
//! ```text
//! x = [x_{i₁}; x_{i₂}; x_{i₃}]   (i_k uniform over the split),   mode = Σ_k d(i_k) · 10^(K−1−k)
//! ```
//! A generator's coverage is then measured by classifying each channel of its samples
//! (`genzoo_eval::modes`).
//!
//! # Shapes
//! `n` examples `[n, K, H, W]`, modes `[n]`.

use rand::RngCore;

use crate::error::{DataError, Result};
use crate::rng::uniform_below;
use crate::views::{ImageView, ViewRng, to_array_rows};
use crate::{Array, LabelledImages};

/// The mode of a stack of digits, first channel most significant.
pub fn mode_of(digits: &[u8], classes: usize) -> usize {
    digits.iter().fold(0, |m, &d| m * classes + usize::from(d))
}

/// `n` stacks of `channels` images drawn from `set` (`classes` labels) under a view whose
/// values do not change between epochs, and the mode of each.
pub fn stack(
    set: &LabelledImages,
    classes: usize,
    n: usize,
    channels: usize,
    view: ImageView,
    view_rng: ViewRng,
    rng: &mut impl RngCore,
) -> Result<(Array, Vec<usize>)> {
    let (images, labels) = (&set.images, &set.labels);
    if view.is_per_epoch() {
        return Err(DataError::InvalidArgument(format!(
            "stacked MNIST is drawn once: the {view} view redraws its noise every epoch"
        )));
    }
    if channels == 0 || images.n == 0 || labels.len() != images.n {
        return Err(DataError::InvalidArgument(format!(
            "stacked MNIST needs channels >= 1 and one label per image ({} images, {} labels)",
            images.n,
            labels.len()
        )));
    }
    let picks: Vec<usize> = (0..n * channels)
        .map(|_| uniform_below(rng, images.n as u64) as usize)
        .collect();
    // Consecutive picks are one example's channels, so the rows are already [n, K, H, W].
    let mut x = to_array_rows(images, &picks, view, view_rng);
    x.shape = vec![n, channels, images.rows, images.cols];
    let modes = picks
        .chunks_exact(channels)
        .map(|p| {
            let digits: Vec<u8> = p.iter().map(|&i| labels[i]).collect();
            mode_of(&digits, classes)
        })
        .collect();
    Ok((x, modes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Split;

    /// Four 2×2 "images" whose pixels name them; every channel of every stack is one of them
    /// and the mode is its digits read as a base-10 number.
    #[test]
    fn stacks_are_source_images_and_modes_read_their_digits() {
        let pixels: Vec<u8> = (0..4u8).flat_map(|i| [i * 10; 4]).collect();
        let labels = [7u8, 1, 9, 0];
        let set = LabelledImages {
            images: crate::Images::new(4, 2, 2, pixels).expect("valid"),
            labels: labels.to_vec(),
        };
        let rng = ViewRng::new(Split::Train, 0, 0);
        let (x, modes) = stack(
            &set,
            10,
            50,
            3,
            ImageView::Unit,
            rng,
            &mut crate::rng_for(0, 1, 0),
        )
        .expect("valid");
        assert_eq!(x.shape, vec![50, 3, 2, 2]);
        let mut seen = [false; 4];
        for (e, &m) in modes.iter().enumerate() {
            let digits: Vec<u8> = (0..3)
                .map(|k| {
                    let v = x.values[(e * 3 + k) * 4];
                    let i = (v * 255.0 / 10.0).round() as usize;
                    assert!(x.values[(e * 3 + k) * 4..][..4].iter().all(|&p| p == v));
                    seen[i] = true;
                    labels[i]
                })
                .collect();
            assert_eq!(
                m,
                usize::from(digits[0]) * 100 + usize::from(digits[1]) * 10 + usize::from(digits[2])
            );
        }
        assert!(seen.iter().all(|&s| s), "every image drawn in 150 picks");
        assert_eq!(mode_of(&[3, 0, 4], 10), 304);
        let dynamic = stack(
            &set,
            10,
            1,
            3,
            ImageView::BinaryDynamic,
            rng,
            &mut crate::rng_for(0, 1, 0),
        );
        assert!(dynamic.is_err());
    }
}
