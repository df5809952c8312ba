//! One dispatch for every hand-written op: where it runs, and how its backward joins burn's
//! autodiff graph.
//!
//! An op over `N` parent tensors implements [`Forward`] (the forward on flex tensors) and, when
//! it has a hand-written backward, [`FlexOp`] (a forward that keeps a state, and the gradients
//! of the parents from that state). Then
//! ```text
//! differentiable(op, [x, w, …]):  Autodiff<Flex, NoCheckpointing>   forward_keep + backward node
//!                                 Autodiff<Flex, Balanced…>          the same
//!                                 Flex (no autodiff)                 forward
//!                                 anything else                      None → the caller runs burn's op
//! forward_only(op, [x, …]):        Flex (no autodiff)                 forward, else None
//! ```
//! Both return `None` when the fast paths are switched off ([`crate::switch`]) or a parent is not
//! f32, and count every op they run ([`crate::switch::record`]), so tests can see the path taken.
//! On autodiff, an untracked op (no parent requires a gradient) runs the plain forward and keeps
//! nothing; a tracked one registers a [`Backward`] node whose `backward` hands [`FlexOp::backward`]
//! which parents need a gradient.
//!
//! The parents may have different ranks (a convolution's `[B, C, H, W]` input, `[O, C, kh, kw]`
//! weight and `[O]` bias), so they travel as rank-less [`Input`]s.

use std::marker::PhantomData;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::{
    BalancedCheckpointing, CheckpointStrategy, NoCheckpointing,
};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, NodeGuard, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Backend, DispatchKindConversion, DispatchTensor, Flex};
use burn::prelude::*;
use burn::tensor::{BackendPrimitive, DType};

use crate::switch::{is_fast, record};

/// A forward over `N` parents on flex tensors.
pub(crate) trait Forward<const N: usize> {
    /// The output from the parents.
    fn forward(&mut self, parents: [FlexTensor; N]) -> FlexTensor;
}

/// An op with a hand-written backward.
pub(crate) trait FlexOp<const N: usize>: Forward<N> + 'static {
    /// What the backward needs from the forward.
    type State: Clone + Send + std::fmt::Debug + 'static;

    /// The forward, keeping what the backward needs.
    fn forward_keep(&mut self, parents: [FlexTensor; N]) -> (FlexTensor, Self::State);

    /// The gradients of the parents for which `need` is true, from the output's gradient `dy`.
    fn backward(state: Self::State, dy: FlexTensor, need: [bool; N]) -> [Option<FlexTensor>; N];
}

/// A parent of any rank, on any backend.
#[derive(Clone, Debug)]
pub(crate) struct Input {
    tensor: DispatchTensor,
    dtype: DType,
}

impl<const D: usize> From<&Tensor<D>> for Input {
    fn from(t: &Tensor<D>) -> Self {
        // A clone shares storage and graph node.
        Input {
            dtype: t.dtype(),
            tensor: t.clone().into_dispatch(),
        }
    }
}

/// Whether the fast path may run: switched on, every parent f32.
fn eligible(inputs: &[Input]) -> bool {
    is_fast() && inputs.iter().all(|i| i.dtype == DType::F32)
}

/// The parents as primitives of backend `B`, or `None` if one does not live there.
fn primitives<B: Backend, const N: usize>(
    inputs: &[Input; N],
) -> Option<[B::FloatTensorPrimitive; N]>
where
    DispatchTensor: DispatchKindConversion<B>,
{
    let mut out = Vec::with_capacity(N);
    for input in inputs {
        let t =
            <DispatchTensor as DispatchKindConversion<B>>::try_into_backend(input.tensor.clone())
                .ok()?;
        out.push(<Float as BackendPrimitive<B>>::try_into_primitive(t).ok()?);
    }
    out.try_into().ok()
}

/// The backward node of op `K`.
struct Node<K, const N: usize>(PhantomData<fn() -> K>);

impl<K, const N: usize> std::fmt::Debug for Node<K, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node<{}, {N}>", std::any::type_name::<K>())
    }
}

impl<K: FlexOp<N>, const N: usize> Backward<Flex, N> for Node<K, N> {
    type State = K::State;

    fn backward(self, ops: Ops<K::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let dy = grads.consume::<Flex>(&ops.node);
        let need = ops.parents.each_ref().map(Option::is_some);
        let parts = K::backward(ops.state, dy, need);
        for (node, grad) in ops.parents.into_iter().zip(parts) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

/// Op `K` on `Autodiff<Flex, C>`, or `None` when the parents do not all live there.
fn on_autodiff<K, C, const N: usize, const D: usize>(
    op: &mut K,
    inputs: &[Input; N],
) -> Option<Tensor<D>>
where
    K: FlexOp<N>,
    C: CheckpointStrategy,
    DispatchTensor: DispatchKindConversion<Autodiff<Flex, C>>,
{
    let tensors = primitives::<Autodiff<Flex, C>, N>(inputs)?;
    let (values, nodes): (Vec<FlexTensor>, Vec<NodeGuard>) =
        tensors.into_iter().map(|t| t.into_parts()).unzip();
    let values: [FlexTensor; N] = values.try_into().ok()?;
    let nodes: [NodeGuard; N] = nodes.try_into().ok()?;
    record();
    let out = match Node::<K, N>(PhantomData)
        .prepare::<C>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (y, state) = op.forward_keep(values);
            prep.finish(state, y)
        }
        OpsKind::UnTracked(prep) => prep.finish(op.forward(values)),
    };
    Some(Tensor::from_primitive::<Autodiff<Flex, C>>(out))
}

/// Op `K` with its hand-written backward wherever the parents live on flex (module docs); `None`
/// elsewhere, where the caller runs burn's op.
pub(crate) fn differentiable<K: FlexOp<N>, const N: usize, const D: usize>(
    op: &mut K,
    inputs: [Input; N],
) -> Option<Tensor<D>> {
    if !eligible(&inputs) {
        return None;
    }
    if let Some(y) = on_autodiff::<K, NoCheckpointing, N, D>(op, &inputs) {
        return Some(y);
    }
    if let Some(y) = on_autodiff::<K, BalancedCheckpointing, N, D>(op, &inputs) {
        return Some(y);
    }
    forward_only(op, inputs)
}

/// Op `K`'s forward on plain flex tensors (inference), or `None` elsewhere — an autodiff tensor
/// included, since `K` has no backward.
pub(crate) fn forward_only<K: Forward<N>, const N: usize, const D: usize>(
    op: &mut K,
    inputs: [Input; N],
) -> Option<Tensor<D>> {
    if !eligible(&inputs) {
        return None;
    }
    let values = primitives::<Flex, N>(&inputs)?;
    record();
    Some(Tensor::from_primitive::<Flex>(op.forward(values)))
}
