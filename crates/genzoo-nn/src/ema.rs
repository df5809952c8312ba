//! Exponential moving average of weights (Polyak averaging).
//!
//! `θ̄ ← d_t·θ̄ + (1 − d_t)·θ` after every update, with the warm-up `d_t = min(d, (1+t)/(10+t))`
//! of TensorFlow's `ExponentialMovingAverage(num_updates=t)`, so early averages are not
//! dominated by the random initialisation. Sampling and evaluation use θ̄ where a run keeps it.
//! The shadow is a set of named tensors, stored in checkpoints as `ema.safetensors`.

use std::collections::BTreeMap;

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;

use crate::NnError;
use crate::params::{NamedTensor, PathStack, load_named};

/// Warm-up offset in `(1+t)/(WARMUP_OFFSET+t)`.
const WARMUP_OFFSET: f64 = 10.0;

/// The running average of a module's float parameters.
pub struct Ema {
    decay: f64,
    updates: u64,
    shadow: BTreeMap<String, Tensor<1>>,
}

impl Ema {
    /// An average with target decay `decay` in (0, 1).
    pub fn new(decay: f64) -> Result<Self, NnError> {
        if !(decay > 0.0 && decay < 1.0) {
            return Err(NnError::InvalidConfig(format!(
                "EMA decay must lie in (0, 1), got {decay}"
            )));
        }
        Ok(Self {
            decay,
            updates: 0,
            shadow: BTreeMap::new(),
        })
    }

    /// Number of updates folded in.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The decay used at the next update.
    fn current_decay(&self) -> f64 {
        let t = self.updates as f64;
        self.decay.min((1.0 + t) / (WARMUP_OFFSET + t))
    }

    /// Fold the module's current weights into the average.
    pub fn update<M: Module>(&mut self, module: &M) {
        let d = self.current_decay();
        let mut folder = Folder {
            path: PathStack::default(),
            shadow: &mut self.shadow,
            decay: d,
        };
        module.visit(&mut folder);
        self.updates += 1;
    }

    /// The averaged weights as named tensors in the module's shapes.
    pub fn state(&self, like: &impl Module) -> Result<Vec<NamedTensor>, NnError> {
        let shapes: BTreeMap<String, Vec<usize>> = crate::named_params(like)?
            .into_iter()
            .map(|t| (t.name, t.shape))
            .collect();
        let mut out = Vec::with_capacity(self.shadow.len());
        for (name, t) in &self.shadow {
            let values = crate::host::to_vec(t.clone(), name)?;
            let shape = shapes
                .get(name)
                .cloned()
                .ok_or_else(|| NnError::MissingParam(name.clone()))?;
            out.push(NamedTensor {
                name: name.clone(),
                shape,
                values,
            });
        }
        Ok(out)
    }

    /// Restore a shadow saved by [`Ema::state`].
    pub fn load_state(&mut self, updates: u64, state: &[NamedTensor], device: &Device) {
        self.shadow = state
            .iter()
            .map(|t| {
                let data = burn::tensor::TensorData::new(t.values.clone(), [t.values.len()]);
                (t.name.clone(), Tensor::from_data(data, device))
            })
            .collect();
        self.updates = updates;
    }

    /// A copy of `module` carrying the averaged weights.
    pub fn apply<M: Module>(&self, module: M) -> Result<M, NnError> {
        let state = self.state(&module)?;
        load_named(module, &state)
    }
}

struct Folder<'a> {
    path: PathStack,
    shadow: &'a mut BTreeMap<String, Tensor<1>>,
    decay: f64,
}

impl ModuleVisitor for Folder<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val().inner();
        let n: usize = value.dims().iter().product();
        let flat = value.reshape([n]); // [N]
        let path = self.path.current();
        let next = match self.shadow.remove(&path) {
            Some(old) => old.mul_scalar(self.decay) + flat.mul_scalar(1.0 - self.decay),
            None => flat,
        };
        self.shadow.insert(path, next);
    }
}
