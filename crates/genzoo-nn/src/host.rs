//! Reading tensors back to the host.

use burn::prelude::*;

use crate::NnError;

/// The values of `t` as `f32`, row-major; `what` names the tensor in the error.
pub fn to_vec<const D: usize>(t: Tensor<D>, what: &str) -> Result<Vec<f32>, NnError> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| NnError::Data {
            name: what.to_string(),
            detail: format!("{e:?}"),
        })
}
