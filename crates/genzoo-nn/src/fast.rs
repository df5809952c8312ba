//! The fast forwards of burn's layers, for the networks built from them: `conv.forward_fast(x)`
//! and the like, each falling back to burn's own op where genzoo's hand-written kernels
//! (`genzoo-kernels`) do not apply.
//!
//! A layer with a fast path must be called through it: the workspace's `clippy.toml` forbids
//! the plain `forward` of these burn modules (and burn's `silu`), so a network cannot skip the
//! fast path by accident.

pub use genzoo_kernels::batch_norm::BatchNormFast;
pub use genzoo_kernels::conv::Conv2dFast;
pub use genzoo_kernels::conv_transpose::ConvTranspose2dFast;
pub use genzoo_kernels::group_norm::GroupNormFast;
pub use genzoo_kernels::leaky_relu::leaky_relu_fast;
pub use genzoo_kernels::max_pool::MaxPoolFast;
pub use genzoo_kernels::silu::silu_fast;
pub use genzoo_kernels::{fast_ops_recorded, is_fast, set_fast};
