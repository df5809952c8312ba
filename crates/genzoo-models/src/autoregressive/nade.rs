//! Neural autoregressive distribution estimator (Larochelle & Murray 2011).
//!
//! In ordering o, with shared weights `W [H, n]`, `c [H]`, `V [n, H]`, `b [n]`:
//! ```text
//! a_1 = c,   a_{i+1} = a_i + W[:, o_i] x_{o_i}          (running sum: O(nH) for all i)
//! h_i = σ(a_i),   p(x_{o_i} = 1 | x_{o_<i}) = σ(b_{o_i} + V[o_i, :] · h_i)
//! ```
//! `W` is stored transposed, `w [n, H]` (row d feeds dimension d's value into the running sum).
//! Evaluation computes every a_i at once as an exclusive cumulative sum over positions
//! (`[B, n, H]`); training uses the hand-written O(nH) gradient of [`super::nade_grad`];
//! sampling runs the recurrence one dimension at a time.

use burn::module::Param;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Distribution, Int, TensorData};
use genzoo_nn::noise::uniform;
use rand_chacha::ChaCha8Rng;

use super::nade_grad::{NadeParams, nade_nll_grad};
use super::{NadeConfig, Ordering, check_binary, check_width, log_prob_from_logits, nll_metrics};
use crate::family::Optimizers;
use crate::{Batch, DataSpec, ExactLikelihood, Family, Metrics, ModelError, Sample, StepCx};

/// Half-width of the uniform initialisation of W and V, scaled by 1/√fan-in.
const INIT_SCALE: f64 = 1.0;

/// A tensor's values on the host.
fn host_values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, ModelError> {
    Ok(genzoo_nn::host::to_vec(t, "NADE parameters")?)
}

/// A built NADE.
#[derive(Module, Debug)]
pub struct Nade {
    /// `[n, H]`: Wᵀ.
    w: Param<Tensor<2>>,
    c: Param<Tensor<1>>,
    v: Param<Tensor<2>>,
    b: Param<Tensor<1>>,
    #[module(skip)]
    ordering: Ordering,
}

impl NadeConfig {
    /// Build a NADE for `data` (binary vectors).
    pub fn init(&self, data: &DataSpec, device: &Device) -> Result<Nade, ModelError> {
        self.validate()?;
        let n = check_binary(data, "NADE")?;
        let h = self.hidden;
        let uni = |fan_in: usize| {
            Distribution::Uniform(
                -INIT_SCALE / (fan_in as f64).sqrt(),
                INIT_SCALE / (fan_in as f64).sqrt(),
            )
        };
        Ok(Nade {
            w: Param::from_tensor(Tensor::random([n, h], uni(n), device)),
            c: Param::from_tensor(Tensor::zeros([h], device)),
            v: Param::from_tensor(Tensor::random([n, h], uni(h), device)),
            b: Param::from_tensor(Tensor::zeros([n], device)),
            ordering: Ordering::of_kind(self.order, n, self.order_seed, 0),
        })
    }
}

impl Nade {
    /// Parameters on the host, rows per input dimension: `[w, v, b, c]`.
    pub fn host_params(&self) -> Result<[Vec<f32>; 4], ModelError> {
        Ok([
            host_values(self.w.val())?,
            host_values(self.v.val())?,
            host_values(self.b.val())?,
            host_values(self.c.val())?,
        ])
    }

    /// Ids of `[w, v, b, c]`, to find their gradients.
    pub fn param_ids(&self) -> [burn::module::ParamId; 4] {
        [self.w.id, self.v.id, self.b.id, self.c.id]
    }

    fn order_index(&self, device: &Device) -> Tensor<1, Int> {
        let o: Vec<i64> = self.ordering.order().iter().map(|&d| d as i64).collect();
        Tensor::from_data(TensorData::new(o, [self.ordering.len()]), device)
    }

    /// All n logits, computed with the running sums in one pass (the fast O(nH) form).
    ///
    /// # Shapes
    /// `x: [B, n]` → `[B, n]` in data order.
    pub fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let idx = self.order_index(&device);
        let x_o = x.select(1, idx.clone()); // [B, n] in generation order
        let w_o = self.w.val().select(0, idx.clone()); // [n, H]
        let v_o = self.v.val().select(0, idx.clone()); // [n, H]
        let b_o = self.b.val().select(0, idx.clone()); // [n]
        let contrib = x_o.unsqueeze_dim::<3>(2) * w_o.unsqueeze_dim::<3>(0); // [B, n, H]
        let a = contrib.clone().cumsum(1) - contrib; // exclusive prefix sums, [B, n, H]
        let h = sigmoid(a + self.c.val().unsqueeze_dims::<3>(&[0, 1])); // [B, n, H]
        let logits_o = (h * v_o.unsqueeze_dim::<3>(0))
            .sum_dim(2)
            .squeeze_dim::<2>(2)
            + b_o.unsqueeze_dim(0); // [B, n]
        // Back to data order: position p holds dimension o_p, so gather by positions.
        let pos: Vec<i64> = self.ordering.position().iter().map(|&p| p as i64).collect();
        let pos = Tensor::<1, Int>::from_data(TensorData::new(pos, [self.ordering.len()]), &device);
        logits_o.select(1, pos)
    }

    /// The same logits by the definition, one conditional at a time (O(n²H)); for tests.
    pub fn logits_naive(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, n] = x.dims();
        let device = x.device();
        let mut cols = vec![Tensor::<2>::zeros([batch, 1], &device); n];
        for (i, &d) in self.ordering.order().iter().enumerate() {
            let mut a = self.c.val().unsqueeze_dim::<2>(0).repeat_dim(0, batch); // [B, H]
            for &j in &self.ordering.order()[..i] {
                let wj = self.w.val().narrow(0, j, 1); // [1, H]
                a = a + x.clone().narrow(1, j, 1).matmul(wj); // [B, H]
            }
            let vd = self.v.val().narrow(0, d, 1).transpose(); // [H, 1]
            cols[d] = sigmoid(a).matmul(vd) + self.b.val().narrow(0, d, 1).unsqueeze_dim(0); // [B, 1]
        }
        Tensor::cat(cols, 1)
    }

    /// The model's ordering.
    pub fn ordering(&self) -> &Ordering {
        &self.ordering
    }
}

impl Family for Nade {
    const GROUPS: &'static [&'static str] = &["model"];
    const NAME: &'static str = "nade";

    fn train_step(
        self,
        batch: &Batch,
        optim: &mut Optimizers,
        _cx: &mut StepCx,
    ) -> Result<(Self, Metrics), ModelError> {
        check_width(&batch.x, self.ordering.len(), "NADE")?;
        let [rows, n] = batch.x.dims();
        let [w, v, b, c] = self.host_params()?;
        let x = host_values(batch.x.clone())?;
        let h = c.len();
        let params = NadeParams {
            w: &w,
            v: &v,
            b: &b,
            c: &c,
        };
        let g = nade_nll_grad(&params, self.ordering.order(), &x, h);
        // The loss is the mean over the batch.
        let scale = 1.0 / rows as f32;
        let device = batch.x.device().without_autodiff();
        let t2 = |g: Vec<f32>, shape: [usize; 2]| {
            Tensor::<2>::from_data(TensorData::new(g, shape), &device).mul_scalar(scale)
        };
        let t1 = |g: Vec<f32>| {
            let len = g.len();
            Tensor::<1>::from_data(TensorData::new(g, [len]), &device).mul_scalar(scale)
        };
        let mut grads = GradientsParams::new();
        grads.register(self.w.id, t2(g.w, [n, h]));
        grads.register(self.v.id, t2(g.v, [n, h]));
        grads.register(self.b.id, t1(g.b));
        grads.register(self.c.id, t1(g.c));
        let loss = g.nll / rows as f64;
        let (model, report) = optim.groups[0].step(self, grads);
        Ok((
            model,
            vec![
                ("loss", loss),
                ("nll", loss),
                ("grad_norm", report.grad_norm),
            ],
        ))
    }

    fn eval_step(&self, batch: &Batch, _cx: &mut StepCx) -> Result<Metrics, ModelError> {
        Ok(nll_metrics(self.log_prob(batch.x.clone())?))
    }
}

impl ExactLikelihood for Nade {
    fn log_prob(&self, x: Tensor<2>) -> Result<Tensor<1>, ModelError> {
        check_width(&x, self.ordering.len(), "NADE")?;
        Ok(log_prob_from_logits(x.clone(), self.logits(x)))
    }
}

impl Sample for Nade {
    /// The recurrence: O(nH) per sample.
    fn sample(
        &self,
        count: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> Result<Tensor<2>, ModelError> {
        let n = self.ordering.len();
        let mut a = self.c.val().unsqueeze_dim::<2>(0).repeat_dim(0, count); // [B, H]
        let mut cols = vec![Tensor::<2>::zeros([count, 1], device); n];
        for &d in self.ordering.order() {
            let vd = self.v.val().narrow(0, d, 1).transpose(); // [H, 1]
            let p = sigmoid(
                sigmoid(a.clone()).matmul(vd) + self.b.val().narrow(0, d, 1).unsqueeze_dim(0),
            ); // [B, 1]
            let xd = uniform([count, 1], rng, device).lower(p).float(); // [B, 1]
            a = a + xd.clone().matmul(self.w.val().narrow(0, d, 1)); // [B, H]
            cols[d] = xd;
        }
        Ok(Tensor::cat(cols, 1))
    }
}
