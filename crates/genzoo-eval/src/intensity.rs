//! Pixel intensities in `[0, 1]` ↔ the values of an image view.
//!
//! The sample-quality metrics compare images as intensities: what a PNG of them would show.
//! Views (see `genzoo_data::views`) relate to intensities `u` as
//! ```text
//! unit, dequantised      v = u            (dequantised: within 1/256 of p/255)
//! symmetric              v = 2u − 1       (u = (v + 1) / 2)
//! binary-fixed/-dynamic  v = u            (bits are intensities 0 and 1; a Bernoulli mean is
//!                                          the expected intensity)
//! ```
//! Generated values outside the view's range (a Gaussian decoder's tails) are clamped to
//! `[0, 1]` as saving the image would; [`to_intensities`] counts them.

use genzoo_data::ImageView;

/// View values → intensities in `[0, 1]`, in place; returns how many values were clamped.
pub fn to_intensities(values: &mut [f32], view: ImageView) -> usize {
    let mut clamped = 0;
    for v in values.iter_mut() {
        let u = match view {
            ImageView::Symmetric => (*v + 1.0) / 2.0,
            ImageView::Unit
            | ImageView::Dequantised
            | ImageView::BinaryFixed
            | ImageView::BinaryDynamic => *v,
        };
        // NaN stays NaN (the metrics refuse it with its example's index).
        let c = u.clamp(0.0, 1.0);
        clamped += usize::from(c != u && !u.is_nan());
        *v = c;
    }
    clamped
}

/// Intensities in `[0, 1]` → the values a network trained on `view` reads, in place.
pub fn from_intensities(values: &mut [f32], view: ImageView) {
    if view == ImageView::Symmetric {
        values.iter_mut().for_each(|u| *u = 2.0 * *u - 1.0);
    }
}
