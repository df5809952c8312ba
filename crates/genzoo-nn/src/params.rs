//! A module's float parameters by construction path.
//!
//! The path is the chain of field names from the root (`encoder.layers.0.weight`), as
//! candle-nn's VarBuilder does it: the keys fall out of the code, stay stable while the code
//! does, and make checkpoints readable by any safetensors tool. burn's own `ParamId`s are random
//! per process, so they cannot key anything that must survive a restart.

use std::collections::BTreeMap;

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::NnError;

/// One parameter: its path, shape and values (f32, row-major).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    /// Construction path, dot-separated.
    pub name: String,
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values in row-major order.
    pub values: Vec<f32>,
}

/// Tracks the path while burn walks a module.
#[derive(Default)]
pub(crate) struct PathStack(Vec<String>);

impl PathStack {
    pub(crate) fn push(&mut self, name: &str) {
        self.0.push(name.to_string());
    }
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }
    /// Path of the leaf currently visited. burn reports the leaf's own field name through
    /// `enter_module` as well, so the stack already ends with it.
    pub(crate) fn current(&self) -> String {
        self.0.join(".")
    }
}

struct Collector {
    path: PathStack,
    out: Vec<NamedTensor>,
    errors: Vec<NnError>,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let name = self.path.current();
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        match crate::host::to_vec(tensor, &name) {
            Ok(values) => self.out.push(NamedTensor {
                name,
                shape,
                values,
            }),
            Err(e) => self.errors.push(e),
        }
    }
}

/// Every float parameter of `module`, in visiting order.
pub fn named_params<M: Module>(module: &M) -> Result<Vec<NamedTensor>, NnError> {
    let mut collector = Collector {
        path: PathStack::default(),
        out: Vec::new(),
        errors: Vec::new(),
    };
    module.visit(&mut collector);
    match collector.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(collector.out),
    }
}

struct Loader<'a> {
    path: PathStack,
    stored: &'a BTreeMap<String, NamedTensor>,
    used: Vec<String>,
    errors: Vec<NnError>,
}

impl ModuleMapper for Loader<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name);
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let name = self.path.current();
        let (id, tensor, mapper) = param.consume();
        let expected = tensor.dims().to_vec();
        let Some(stored) = self.stored.get(&name) else {
            self.errors.push(NnError::MissingParam(name));
            return Param::from_mapped_value(id, tensor, mapper);
        };
        if stored.shape != expected {
            self.errors.push(NnError::ShapeMismatch {
                name,
                stored: stored.shape.clone(),
                expected,
            });
            return Param::from_mapped_value(id, tensor, mapper);
        }
        self.used.push(name);
        let device = tensor.device();
        let require_grad = tensor.is_require_grad();
        let data = TensorData::new(stored.values.clone(), stored.shape.clone());
        let mut loaded = Tensor::<D>::from_data(data, &device);
        if require_grad {
            loaded = loaded.require_grad();
        }
        Param::from_mapped_value(id, loaded, mapper)
    }
}

/// Replace every float parameter of `module` by the stored tensor of the same path.
///
/// Fails when a parameter is missing, has another shape, or when stored tensors are left over:
/// a checkpoint either fits the architecture exactly or is refused.
pub fn load_named<M: Module>(module: M, stored: &[NamedTensor]) -> Result<M, NnError> {
    let map: BTreeMap<String, NamedTensor> =
        stored.iter().map(|t| (t.name.clone(), t.clone())).collect();
    let mut loader = Loader {
        path: PathStack::default(),
        stored: &map,
        used: Vec::new(),
        errors: Vec::new(),
    };
    let module = module.map(&mut loader);
    if let Some(e) = loader.errors.into_iter().next() {
        return Err(e);
    }
    let unused: Vec<String> = map
        .keys()
        .filter(|k| !loader.used.contains(k))
        .cloned()
        .collect();
    if !unused.is_empty() {
        return Err(NnError::UnusedParams(unused));
    }
    Ok(module)
}

struct Toucher;

impl ModuleVisitor for Toucher {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        // Reading the value runs a pending lazy initialiser.
        let _ = param.val();
    }
}

/// Run burn's lazy parameter initialisers now, in construction order.
///
/// burn draws a parameter's initial value from the backend's global generator on first use;
/// materialising right after seeding makes the seed alone decide every initial weight, whatever
/// the model touches first.
pub fn materialize<M: Module>(module: &M) {
    module.visit(&mut Toucher);
}

/// Every parameter redrawn from `N(0, scale²)`, drawn from `rng` in construction-path order:
/// weights far from any structured initialisation (zero-initialised coupling layers, identity
/// starts), so a test of an exact identity cannot pass because some weights are zero.
pub fn normal_init<M: Module>(
    module: M,
    rng: &mut impl rand::Rng,
    scale: f32,
) -> Result<M, NnError> {
    let mut params = named_params(&module)?;
    for t in &mut params {
        t.values
            .iter_mut()
            .for_each(|v| *v = scale * rng.sample::<f32, _>(rand_distr::StandardNormal));
    }
    load_named(module, &params)
}

/// Replace every float parameter by `U(−b, b)` draws from `rng_seed` alone, with
/// `b = 1/√fan_in` (fan-in: the first axis of a burn `Linear` weight `[in, out]`, the product of
/// the trailing axes of a conv weight `[out, in, k, k]`, the length of a bias).
///
/// burn draws initial weights from one process-wide generator, so models built at the same
/// time on several threads (parallel tests) get interleaved draws; this gives every parameter
/// values that depend only on the seed and the parameter's path and shape.
pub fn deterministic_init<M: Module>(module: M, rng_seed: u64) -> Result<M, NnError> {
    use rand::{Rng, SeedableRng};
    let mut params = named_params(&module)?;
    for (i, t) in params.iter_mut().enumerate() {
        let fan_in = match t.shape.as_slice() {
            [n] => *n,
            [fan_in, _] => *fan_in,
            [_, rest @ ..] => rest.iter().product(),
            [] => 1,
        };
        let bound = 1.0 / (fan_in.max(1) as f32).sqrt();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
            rng_seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        t.values
            .iter_mut()
            .for_each(|v| *v = rng.random_range(-bound..bound));
    }
    load_named(module, &params)
}
