//! Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019) with state keyed by parameter path.
//!
//! For each parameter θ with gradient g at update t (1-based):
//! ```text
//! g ← g·min(1, c/‖g_all‖)            (optional clipping by the global norm c)
//! g ← g + λθ                         (Adam: L2 penalty through the gradient)
//! m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//! θ ← θ − lr·λθ                      (AdamW: decoupled decay instead of the line above)
//! θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
//! ```
//! burn ships Adam, but keys its state by `ParamId`, which is random per process: a restarted run
//! cannot match its saved moments to its parameters. Keying by path makes the state a plain set of
//! named tensors that a checkpoint stores beside the weights, so resume is bit-exact.
//!
//! On the CPU backend (flex) each parameter is updated in one pass over host memory, in
//! parallel chunks: flex runs each of the ~14 elementwise tensor ops above on one thread and
//! allocates a result for most, which on NICE's 19M parameters was a large share of the
//! training step. Other backends take the tensor ops. Both compute the same f32 expressions in
//! the same order, except that the host pass flushes gradients below 1e-16 and moments below
//! 1e-30 to zero (subnormal floats are ~100× slower on x86; see `MIN_GRAD`).

use std::collections::BTreeMap;

use burn::backend::Flex;
use burn::module::{ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::{DType, TensorData};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::params::PathStack;
use crate::{NamedTensor, NnError};

/// Hyper-parameters of [`Adam`] (the learning rate comes from the schedule at each step).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamConfig {
    /// Decay of the first moment.
    pub beta1: f64,
    /// Decay of the second moment.
    pub beta2: f64,
    /// Added to √v̂ for numerical safety.
    pub eps: f64,
    /// Weight decay λ (0 disables it).
    pub weight_decay: f64,
    /// `true`: AdamW's decoupled decay; `false`: L2 penalty added to the gradient.
    pub decoupled: bool,
    /// Clip the global gradient norm to this value (`None`: no clipping).
    pub grad_clip: Option<f64>,
}

impl Default for AdamConfig {
    /// PyTorch's defaults.
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            grad_clip: None,
        }
    }
}

impl AdamConfig {
    /// Refuse values that would make the update meaningless.
    // `!(x > 0.0)` is deliberate: it also refuses NaN, which `x <= 0.0` would let through.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub fn validate(&self) -> Result<(), NnError> {
        let in_unit = |b: f64| (0.0..1.0).contains(&b);
        if !in_unit(self.beta1) || !in_unit(self.beta2) {
            return Err(NnError::InvalidConfig(format!(
                "Adam betas must lie in [0, 1), got ({}, {})",
                self.beta1, self.beta2
            )));
        }
        if !(self.eps > 0.0) {
            return Err(NnError::InvalidConfig(format!(
                "Adam eps must be > 0, got {}",
                self.eps
            )));
        }
        if !(self.weight_decay >= 0.0) {
            return Err(NnError::InvalidConfig(format!(
                "weight_decay must be >= 0, got {}",
                self.weight_decay
            )));
        }
        if let Some(c) = self.grad_clip
            && !(c > 0.0)
        {
            return Err(NnError::InvalidConfig(format!(
                "grad_clip must be > 0, got {c}"
            )));
        }
        Ok(())
    }
}

/// First and second moments of one parameter, flattened.
struct Moments {
    m: Tensor<1>,
    v: Tensor<1>,
}

/// The optimiser: configuration, step count and moments by path.
pub struct Adam {
    config: AdamConfig,
    /// Number of updates applied so far (t in the bias corrections).
    steps: u64,
    moments: BTreeMap<String, Moments>,
}

/// What one update measured.
#[derive(Clone, Copy, Debug)]
pub struct StepReport {
    /// Global L2 norm of the gradient before clipping.
    pub grad_norm: f64,
}

impl Adam {
    /// A fresh optimiser.
    pub fn new(config: AdamConfig) -> Self {
        Self {
            config,
            steps: 0,
            moments: BTreeMap::new(),
        }
    }

    /// Updates applied so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Apply one update with learning rate `lr` to every parameter of `module` that has a
    /// gradient in `grads`; parameters without one are left as they are.
    pub fn step<M: Module>(
        &mut self,
        module: M,
        mut grads: GradientsParams,
        lr: f64,
    ) -> (M, StepReport) {
        let mut norm = GradNorm {
            grads: &grads,
            sum_sq: 0.0,
        };
        module.visit(&mut norm);
        let grad_norm = norm.sum_sq.sqrt();
        let scale = match self.config.grad_clip {
            Some(c) if grad_norm > c => c / grad_norm,
            _ => 1.0,
        };
        self.steps += 1;
        let t = self.steps as i32;
        let mut updater = Updater {
            path: PathStack::default(),
            grads: &mut grads,
            config: &self.config,
            moments: &mut self.moments,
            lr,
            scale,
            bias1: 1.0 - self.config.beta1.powi(t),
            bias2: 1.0 - self.config.beta2.powi(t),
        };
        let module = module.map(&mut updater);
        (module, StepReport { grad_norm })
    }

    /// The moments as named tensors (`{path}.m`, `{path}.v`) for a checkpoint.
    pub fn state(&self) -> Result<Vec<NamedTensor>, NnError> {
        let mut out = Vec::with_capacity(2 * self.moments.len());
        for (path, mo) in &self.moments {
            for (suffix, t) in [("m", &mo.m), ("v", &mo.v)] {
                let name = format!("{path}.{suffix}");
                let values = crate::host::to_vec(t.clone(), &name)?;
                out.push(NamedTensor {
                    name,
                    shape: vec![values.len()],
                    values,
                });
            }
        }
        Ok(out)
    }

    /// Restore moments and step count saved by [`Adam::state`] and [`Adam::steps`].
    pub fn load_state(
        &mut self,
        steps: u64,
        state: &[NamedTensor],
        device: &Device,
    ) -> Result<(), NnError> {
        let mut by_name: BTreeMap<&str, &NamedTensor> =
            state.iter().map(|t| (t.name.as_str(), t)).collect();
        let paths: Vec<String> = state
            .iter()
            .filter_map(|t| t.name.strip_suffix(".m").map(str::to_string))
            .collect();
        let mut moments = BTreeMap::new();
        for path in paths {
            let mut take = |suffix: &str| -> Result<Tensor<1>, NnError> {
                let name = format!("{path}.{suffix}");
                let t = by_name
                    .remove(name.as_str())
                    .ok_or_else(|| NnError::MissingParam(name.clone()))?;
                Ok(Tensor::from_data(
                    TensorData::new(t.values.clone(), [t.values.len()]),
                    device,
                ))
            };
            let m = take("m")?;
            let v = take("v")?;
            moments.insert(path, Moments { m, v });
        }
        if !by_name.is_empty() {
            return Err(NnError::UnusedParams(
                by_name.keys().map(|k| k.to_string()).collect(),
            ));
        }
        self.moments = moments;
        self.steps = steps;
        Ok(())
    }
}

struct GradNorm<'a> {
    grads: &'a GradientsParams,
    sum_sq: f64,
}

impl ModuleVisitor for GradNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            self.sum_sq += g.square().sum().into_scalar::<f32>() as f64;
        }
    }
}

struct Updater<'a> {
    path: PathStack,
    grads: &'a mut GradientsParams,
    config: &'a AdamConfig,
    moments: &'a mut BTreeMap<String, Moments>,
    lr: f64,
    scale: f64,
    bias1: f64,
    bias2: f64,
}

impl Updater<'_> {
    fn update<const D: usize>(&mut self, id: ParamId, param: Tensor<D>) -> Tensor<D> {
        let Some(grad) = self.grads.remove::<D>(id) else {
            return param;
        };
        let c = self.config;
        let dims = param.dims();
        let n: usize = dims.iter().product();
        let require_grad = param.is_require_grad();
        let mut theta = param.inner().reshape([n]); // [N]
        let mut g = grad.reshape([n]); // [N]
        let path = self.path.current();
        let previous = self.moments.remove(&path);
        let on_host = on_host(&theta, n)
            && on_host(&g, n)
            && previous
                .as_ref()
                .is_none_or(|mo| on_host(&mo.m, n) && on_host(&mo.v, n));
        if on_host {
            // θ and the moments are moved in, so their storage has one owner and is written
            // in place (a borrowed tensor would be copied by `storage_mut`'s copy-on-write).
            if let Some((theta, mo)) = self.update_host(theta, g, previous) {
                self.moments.insert(path, mo);
                let theta = Tensor::from_inner(theta.reshape(dims)); // back to the parameter's shape
                return if require_grad {
                    theta.require_grad()
                } else {
                    theta
                };
            }
            unreachable!("flex tensors checked by `on_host` convert to flex primitives");
        }
        if self.scale != 1.0 {
            g = g.mul_scalar(self.scale);
        }
        if c.weight_decay > 0.0 && !c.decoupled {
            g = g + theta.clone().mul_scalar(c.weight_decay);
        }
        let (m, v) = match previous {
            Some(mo) => (
                mo.m.mul_scalar(c.beta1) + g.clone().mul_scalar(1.0 - c.beta1),
                mo.v.mul_scalar(c.beta2) + g.square().mul_scalar(1.0 - c.beta2),
            ),
            None => (
                g.clone().mul_scalar(1.0 - c.beta1),
                g.square().mul_scalar(1.0 - c.beta2),
            ),
        };
        if c.weight_decay > 0.0 && c.decoupled {
            theta = theta.mul_scalar(1.0 - self.lr * c.weight_decay);
        }
        let denom = v.clone().div_scalar(self.bias2).sqrt().add_scalar(c.eps);
        let delta = m.clone().div(denom).mul_scalar(self.lr / self.bias1);
        let theta = (theta - delta).reshape(dims); // back to the parameter's shape
        self.moments.insert(path, Moments { m, v });
        let theta = Tensor::from_inner(theta);
        if require_grad {
            theta.require_grad()
        } else {
            theta
        }
    }
}

/// Gradients smaller than this are taken as 0, and moments smaller than [`MIN_MOMENT`] too, so
/// that no product in the update is a subnormal float: x86 computes those through microcode
/// assists ~100× slower, and on NICE with data-initialised scales (dead ReLU units whose
/// moments decay geometrically, clipped gradients) they made the update most of the step and
/// the training several times slower (docs/history/speed.md, "Adam's update in one host pass;
/// subnormal floats (2026-12-03, host not stated)" and "Figures formerly quoted in code
/// comments (moved 2026-12-05)"). The change to θ is below lr·1e-16/ε per step: nothing in f32.
const MIN_GRAD: f32 = 1e-16;
/// See [`MIN_GRAD`]: with |g| ≥ 1e-16, g²·(1 − β₂) ≥ 1e-35 stays normal, and so does
/// β·m for a stored |m| ≥ 1e-30.
const MIN_MOMENT: f32 = 1e-30;

/// `x`, or 0 when `|x| < floor` (a select, so the loop still vectorises).
#[inline(always)]
fn flush(x: f32, floor: f32) -> f32 {
    if x.abs() < floor { 0.0 } else { x }
}

/// Whether `t` lives on the CPU backend as a contiguous f32 vector of `n` values from offset 0,
/// the layout [`Updater::update_host`] walks. (The clone shares storage and is dropped here,
/// before any write.)
fn on_host(t: &Tensor<1>, n: usize) -> bool {
    t.clone()
        .try_into_primitive::<Flex>()
        .is_ok_and(|p| p.dtype() == DType::F32 && p.layout().contiguous_offsets() == Some((0, n)))
}

/// Elements per parallel chunk of [`Updater::update_host`]: large enough that the scheduling
/// cost is nothing against the pass, small enough that both threads get work on small layers.
const HOST_CHUNK: usize = 1 << 14;

impl Updater<'_> {
    /// The update of one flattened parameter as one pass over host memory (module docs):
    /// `(θ, moments)`, or `None` when the tensors do not live on the CPU backend.
    ///
    /// # Shapes
    /// `theta, g: [N]`, moments `[N]` → `[N]`.
    fn update_host(
        &self,
        theta: Tensor<1>,
        g: Tensor<1>,
        previous: Option<Moments>,
    ) -> Option<(Tensor<1>, Moments)> {
        let n = theta.dims()[0];
        let zeros = || Tensor::<1>::zeros([n], &theta.device());
        let previous = previous.unwrap_or_else(|| Moments {
            m: zeros(),
            v: zeros(),
        });
        let flex = |t: Tensor<1>| t.try_into_primitive::<Flex>().ok();
        let mut th = flex(theta)?;
        let grad = flex(g)?;
        let (mut m, mut v) = (flex(previous.m)?, flex(previous.v)?);
        let c = self.config;
        // The scalars as the tensor path rounds them (flex applies an f64 scalar as f32). The
        // options become neutral factors (×1, +0·θ) so the loop has no branches and
        // vectorises; with m = v = 0 on the first update the general recurrence gives exactly
        // the first-update values.
        let f = |x: f64| x as f32;
        let scale = f(self.scale);
        let l2 = if c.decoupled { 0.0 } else { f(c.weight_decay) };
        let shrink = if c.decoupled {
            f(1.0 - self.lr * c.weight_decay)
        } else {
            1.0
        };
        let (b1, one_b1, b2, one_b2) = (f(c.beta1), f(1.0 - c.beta1), f(c.beta2), f(1.0 - c.beta2));
        let (bias2, eps, step) = (f(self.bias2), f(c.eps), f(self.lr / self.bias1));
        let grad: &[f32] = grad.storage();
        th.storage_mut::<f32>()
            .par_chunks_mut(HOST_CHUNK)
            .zip(m.storage_mut::<f32>().par_chunks_mut(HOST_CHUNK))
            .zip(v.storage_mut::<f32>().par_chunks_mut(HOST_CHUNK))
            .zip(grad.par_chunks(HOST_CHUNK))
            .for_each(|(((th, m), v), grad)| {
                let lanes = th.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(grad);
                for (((th, m), v), &g) in lanes {
                    let g = flush(g * scale + *th * l2, MIN_GRAD);
                    *m = flush(*m * b1 + g * one_b1, MIN_MOMENT);
                    *v = flush(*v * b2 + (g * g) * one_b2, MIN_MOMENT);
                    let denom = (*v / bias2).sqrt() + eps;
                    *th = *th * shrink - (*m / denom) * step;
                }
            });
        let tensor = Tensor::<1>::from_primitive::<Flex>;
        Some((
            tensor(th),
            Moments {
                m: tensor(m),
                v: tensor(v),
            },
        ))
    }
}

impl ModuleMapper for Updater<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let tensor = self.update(id, tensor);
        Param::from_mapped_value(id, tensor, mapper)
    }
}
