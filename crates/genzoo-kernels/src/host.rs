//! Flex tensors to and from host values, for the hand-written kernels.

use std::borrow::Cow;

use burn::backend::flex::FlexTensor;
use burn::prelude::*;
use burn::tensor::Shape;

/// The values of an f32 flex tensor in row-major order: borrowed when contiguous, copied from a
/// strided view otherwise.
pub(crate) fn flex_values(t: &FlexTensor) -> Cow<'_, [f32]> {
    match t.as_slice::<f32>() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(
            t.to_contiguous()
                .as_slice::<f32>()
                .map(<[f32]>::to_vec)
                .unwrap_or_default(),
        ),
    }
}

/// An f32 flex tensor of `shape` holding `values` (row-major; moved, not copied).
pub(crate) fn flex_tensor(values: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.into()))
}
