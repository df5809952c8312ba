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

/// Values per parallel task of the elementwise passes: large enough that rayon's split costs
/// nothing against the pass.
const ELEMENTWISE_CHUNK: usize = 1 << 14;

/// `f` of every value of `x` (a tensor's values), as a flex tensor of `x`'s shape: one
/// parallel pass over host memory (the forward of the elementwise activations).
pub(crate) fn map_values(x: &FlexTensor, f: impl Fn(f32) -> f32 + Sync) -> FlexTensor {
    use rayon::prelude::*;
    let xv = flex_values(x);
    let mut y = vec![0f32; xv.len()];
    y.par_chunks_mut(ELEMENTWISE_CHUNK)
        .zip(xv.par_chunks(ELEMENTWISE_CHUNK))
        .for_each(|(yc, xc)| yc.iter_mut().zip(xc).for_each(|(o, &v)| *o = f(v)));
    flex_tensor(y, x.layout().shape().clone())
}

/// `f(x, dy)` of every pair of values, as a flex tensor of `x`'s shape: one parallel pass (the
/// backward of the elementwise activations, `dy` the output's gradient).
pub(crate) fn zip_values(
    x: &FlexTensor,
    dy: &FlexTensor,
    f: impl Fn(f32, f32) -> f32 + Sync,
) -> FlexTensor {
    use rayon::prelude::*;
    let (xv, gv) = (flex_values(x), flex_values(dy));
    let mut dx = vec![0f32; xv.len()];
    dx.par_chunks_mut(ELEMENTWISE_CHUNK)
        .zip(
            xv.par_chunks(ELEMENTWISE_CHUNK)
                .zip(gv.par_chunks(ELEMENTWISE_CHUNK)),
        )
        .for_each(|(dc, (xc, gc))| {
            for ((o, &v), &g) in dc.iter_mut().zip(xc).zip(gc) {
                *o = f(v, g);
            }
        });
    flex_tensor(dx, x.layout().shape().clone())
}
