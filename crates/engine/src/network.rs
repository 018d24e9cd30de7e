//! A fully connected network: parameters, the backward pass, and mini-batch training over a
//! resident `Dataset`, all on float32 with the SIMD kernels (the forward pass and evaluation
//! in chunks are in `evaluation`).
//!
//! Parameters live in one flat vector (W1, b1, W2, b2, …; W row-major fan_in x fan_out), and
//! so do their gradients and Adam's moments, so every optimizer is a single pass.
//! Buffers for activations, deltas and packing grow to the largest batch once and are then
//! reused: training allocates nothing per batch.
//!
//! Every matrix product of training is split over `threads` threads (see `parallel`; 0 = the
//! whole pool) by units of C (a column panel of a row block; see `gemm`), and the element-wise
//! passes by aligned ranges, so results are the same bit for bit whatever the thread count. Plain
//! gradient descent without regularisation is fused: the weight-gradient product's epilogue
//! writes w − η·g straight into a second parameter vector (probing g for NaN/infinity on the
//! way), which replaces the first only when every gradient was finite; the gradients
//! themselves are not stored in that path.

use core::arch::wasm32::*;

use crate::activations::{backprop_through, Act};
use crate::buffer::{ensure_len, zeroed};
use crate::dataset::Dataset;
use crate::error::{Error, Result, Status};
use crate::evaluation::{self, Lane, Model, EVAL_ROWS};
use crate::gemm::{gemm_products, BOperand, Epilogue, Product, Strided};
use crate::init::{init_layer, InitKind};
use crate::loss::{fused_softmax_ce, output_gradient, LossKind, Regularization};
use crate::optim::{adam, gradient_descent, Hyper, Moments, MomentsOut, OptimizerKind};
use crate::parallel;
use crate::rng::Rng;
use crate::sparse;
use crate::simd::{all_finite, copy_floats, flush_below, map_inplace, splat, zip_inplace, TINY};

#[derive(Clone, Debug)]
pub struct Config {
    /// Layer widths: inputs, hidden…, outputs.
    pub sizes: Vec<usize>,
    pub hidden: Act,
    pub output: Act,
    pub loss: LossKind,
    pub reg: Regularization,
    pub optimizer: OptimizerKind,
    pub hyper: Hyper,
}

#[derive(Clone, Copy, Debug)]
pub struct Layer {
    pub fan_in: usize,
    pub fan_out: usize,
    /// Offsets of W and b in the flat parameter vector.
    pub w: usize,
    pub b: usize,
}

impl Layer {
    fn w_len(&self) -> usize {
        self.fan_in * self.fan_out
    }
}

#[derive(Default)]
struct Workspace {
    rows: usize,
    /// Layer outputs (`rows` rows) and products' scratch of the forward pass.
    lane: Lane,
    /// Two delta buffers used in turn while walking back through the layers.
    delta: [Vec<f32>; 2],
    /// The gathered mini-batch.
    xb: Vec<f32>,
    yb: Vec<f32>,
    /// Buffers of evaluation's other threads.
    eval: evaluation::Space,
    /// The first layer's sparse weight gradient's scratch: the column sums of its dZ when
    /// the input's background is not 0.
    sparse_scratch: Vec<f32>,
}

pub struct Network {
    pub cfg: Config,
    pub layers: Vec<Layer>,
    /// Private so that every change passes `params_mut` or `take_next_params`, which forget
    /// evaluation's packed copy of the weights.
    params: Vec<f32>,
    pub grads: Vec<f32>,
    pub adam_m: Vec<f32>,
    pub adam_v: Vec<f32>,
    /// Adam's step counter.
    pub t: u32,
    pub rng: Rng,
    /// The current epoch's order of the training rows.
    pub perm: Vec<u32>,
    /// Threads for this network's work (0 = every thread of the pool).
    pub threads: usize,
    /// The next parameters (and Adam moments) of a step, written beside the current ones and
    /// swapped in only when all are finite, so a failed step changes nothing (allocated on
    /// first use).
    params_next: Vec<f32>,
    adam_m_next: Vec<f32>,
    adam_v_next: Vec<f32>,
    ws: Workspace,
}

/// Copies the rows `order` of the data set into `xb` and `yb`, one after another. The rows lie
/// anywhere in a data set far larger than the caches, so the copy waits on memory; split over
/// the threads, the waits overlap (a training batch of 64 rows of the reference network: 200 KB;
/// on a 2-core Xeon, 2026-12-03, two threads trained 0.7-1.7% faster in in-process A/B runs).
fn gather(threads: usize, data: &Dataset, order: &[u32], xb: &mut [f32], yb: &mut [f32]) {
    const PARALLEL_FLOATS: usize = 1 << 14;
    let (d, k, rows) = (data.d, data.k, order.len());
    assert!(xb.len() >= rows * d && yb.len() >= rows * k && order.iter().all(|&s| (s as usize) < data.n));
    let (xp, yp) = (xb.as_mut_ptr() as usize, yb.as_mut_ptr() as usize);
    let copy = |r0: usize, r1: usize| {
        for (r, &src) in order.iter().enumerate().take(r1).skip(r0) {
            let s = src as usize;
            // SAFETY: rows r0..r1 of xb and yb are this share's alone, and in bounds (asserted).
            unsafe {
                copy_floats(data.x.as_ptr().add(s * d), (xp as *mut f32).add(r * d), d);
                copy_floats(data.y.as_ptr().add(s * k), (yp as *mut f32).add(r * k), k);
            }
        }
    };
    let threads = if rows * d < PARALLEL_FLOATS { 1 } else { parallel::clamp(threads).min(rows) };
    parallel::run(threads, &|t, count| copy(rows * t / count, rows * (t + 1) / count));
}

/// A step that would leave a NaN or an infinity in the weights (a gradient that was one, or
/// an update that overflowed float32) is refused whole.
fn diverged() -> Error {
    Error::new(Status::Diverged, "a gradient or an updated weight is NaN or infinite; the weights were left unchanged")
}

/// Layer offsets for the given widths and the total parameter count.
pub fn layout(sizes: &[usize]) -> Result<(Vec<Layer>, usize)> {
    let mut layers = Vec::new();
    layers.try_reserve_exact(sizes.len().saturating_sub(1)).map_err(|_| Error::oom("layers", sizes.len() * core::mem::size_of::<Layer>()))?;
    let mut at = 0usize;
    for pair in sizes.windows(2) {
        let (fan_in, fan_out) = (pair[0], pair[1]);
        let w_len = fan_in.checked_mul(fan_out).ok_or_else(|| Error::oom("weights", usize::MAX))?;
        let w = at;
        let b = w.checked_add(w_len).ok_or_else(|| Error::oom("weights", usize::MAX))?;
        at = b.checked_add(fan_out).ok_or_else(|| Error::oom("weights", usize::MAX))?;
        layers.push(Layer { fan_in, fan_out, w, b });
    }
    Ok((layers, at))
}

/// Draws every layer's initial parameters from `rng` into the flat vector.
pub fn initialize(kind: InitKind, rng: &mut Rng, layers: &[Layer], params: &mut [f32]) {
    for l in layers {
        let (w, rest) = params[l.w..].split_at_mut(l.w_len());
        init_layer(kind, rng, l.fan_in, l.fan_out, w, &mut rest[..l.fan_out]);
    }
}

impl Network {
    pub fn new(cfg: Config, init: InitKind, seed: u64) -> Result<Network> {
        if cfg.sizes.len() < 2 || cfg.sizes.iter().any(|&s| s == 0) {
            return Err(Error::invalid("layer sizes must be at least [inputs, outputs], all positive"));
        }
        let (layers, count) = layout(&cfg.sizes)?;
        let mut params = zeroed(count, "parameters")?;
        let grads = zeroed(count, "gradients")?;
        let (adam_m, adam_v) = if cfg.optimizer == OptimizerKind::Adam {
            (zeroed(count, "Adam moments")?, zeroed(count, "Adam moments")?)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut rng = Rng::new(seed);
        initialize(init, &mut rng, &layers, &mut params);
        Ok(Network { cfg, layers, params, grads, adam_m, adam_v, t: 0, rng, perm: Vec::new(), threads: 0, params_next: Vec::new(), adam_m_next: Vec::new(), adam_v_next: Vec::new(), ws: Workspace::default() })
    }

    pub fn inputs(&self) -> usize {
        self.cfg.sizes[0]
    }

    pub fn outputs(&self) -> usize {
        *self.cfg.sizes.last().unwrap()
    }

    /// Grows the workspace to hold `rows` rows (only ever grows).
    fn reserve_rows(&mut self, rows: usize) -> Result<()> {
        if rows <= self.ws.rows && self.ws.lane.acts.len() == self.layers.len() {
            return Ok(());
        }
        let rows = rows.max(self.ws.rows);
        let sizes = &self.cfg.sizes;
        let outputs = sizes[sizes.len() - 1];
        self.ws.lane.reserve_rows(sizes, rows)?;
        let widest = sizes[1..].iter().copied().max().unwrap_or(1);
        for d in self.ws.delta.iter_mut() {
            // 3 floats more: the sparse weight gradient reads whole vectors (`sparse::b_fits`).
            ensure_len(d, rows.saturating_mul(widest).saturating_add(3), "deltas")?;
        }
        ensure_len(&mut self.ws.xb, rows.saturating_mul(sizes[0]), "batch inputs")?;
        ensure_len(&mut self.ws.yb, rows.saturating_mul(outputs), "batch targets")?;
        self.ws.rows = rows;
        Ok(())
    }

    /// Makes sure Adam's moments exist (a network created for GD may still call `adam()`).
    fn ensure_adam_state(&mut self) -> Result<()> {
        if self.adam_m.len() != self.params.len() {
            self.adam_m = zeroed(self.params.len(), "Adam moments")?;
            self.adam_v = zeroed(self.params.len(), "Adam moments")?;
        }
        Ok(())
    }

    /// Forward pass of n rows of x into the workspace, as training needs it (plain products;
    /// see `Model::forward`).
    fn forward_layers(&mut self, x: &[f32], n: usize) -> Result<()> {
        let model = Model { cfg: &self.cfg, layers: &self.layers, params: &self.params, packed: None };
        model.forward(&mut self.ws.lane, self.threads, x, n, false)
    }

    /// Completes the output layer (see `Model::finish_output`).
    fn finish_output(&mut self, y: Option<&[f32]>, n: usize) -> f64 {
        let model = Model { cfg: &self.cfg, layers: &self.layers, params: &self.params, packed: None };
        model.finish_output(&mut self.ws.lane, y, n)
    }

    /// The regularisation penalty over every weight matrix.
    pub fn penalty(&self) -> f64 {
        match self.cfg.reg {
            Regularization::None => 0.0,
            reg => self.layers.iter().map(|l| reg.value(&self.params[l.w..l.w + l.w_len()])).sum(),
        }
    }

    /// Backward pass for the rows last sent forward. Fills `grads` (data + penalty terms),
    /// or with `descend = Some(eta)` writes w − η·g into `params_next` instead (no penalty:
    /// the caller checks). Returns false when some gradient was NaN or infinite (only
    /// checked when descending).
    fn backward(&mut self, x: &[f32], y: &[f32], n: usize, descend: Option<f32>) -> Result<bool> {
        let k = self.outputs();
        let last = self.layers.len() - 1;
        let threads = self.threads;
        let p = &self.ws.lane.acts[last][..n * k];
        let (d0, d1) = self.ws.delta.split_at_mut(1);
        let mut cur: &mut Vec<f32> = &mut d0[0];
        let mut other: &mut Vec<f32> = &mut d1[0];
        {
            let dz = &mut cur[..n * k];
            if fused_softmax_ce(self.cfg.output, self.cfg.loss) {
                let inv_n = splat(1.0 / n as f32);
                dz.copy_from_slice(p);
                zip_inplace(dz, y, |p, y| f32x4_mul(f32x4_sub(p, y), inv_n));
            } else {
                output_gradient(self.cfg.loss, p, y, n, k, dz);
                backprop_through(self.cfg.output, p, dz, k);
            }
            // As the deltas below it (see `simd::TINY`).
            map_inplace(dz, |v| flush_below(v, splat(TINY)));
        }
        let mut finite = true;
        for l in (0..=last).rev() {
            let layer = self.layers[l];
            let dz = &cur[..n * layer.fan_out];
            let input: &[f32] = if l == 0 { x } else { &self.ws.lane.acts[l - 1][..n * layer.fan_in] };
            let w = &self.params[layer.w..layer.w + layer.w_len()];
            let (epi, gw, gb) = match descend {
                Some(eta) => {
                    let (nw, nb) = self.params_next[layer.w..layer.b + layer.fan_out].split_at_mut(layer.w_len());
                    (Epilogue::Descend { w, eta }, nw, nb)
                }
                None => {
                    let (gw, gb) = self.grads[layer.w..layer.b + layer.fan_out].split_at_mut(layer.w_len());
                    (Epilogue::Store, gw, gb)
                }
            };
            // dW = inputᵀ · dZ (or w − η·dW); a mostly-zero input as the forward pass
            // compressed it (see `sparse`), which changes no bit of the result (a
            // standardised one, less its background: rounded differently).
            let pack = &mut self.ws.lane.pack;
            let transposed = &self.ws.lane.sparse_t;
            if l == 0 && transposed.rows == layer.fan_in && transposed.cols == n && sparse::b_fits(&cur[..], n, layer.fan_out, layer.fan_out) {
                finite &= sparse::product(threads, transposed, layer.fan_out, &cur[..], layer.fan_out, None, &mut self.ws.sparse_scratch, gw, layer.fan_out, epi)?;
            } else {
            let weight_grad = Product {
                m: layer.fan_in,
                n: layer.fan_out,
                k: n,
                a: Strided::transposed(input, layer.fan_in),
                b: BOperand::Matrix(Strided::row_major(dz, layer.fan_out), None),
                c: gw,
                ldc: layer.fan_out,
                epi,
            };
            finite &= if l > 0 {
                // dZ of the layer below = (dZ · Wᵀ) ⊙ f'(its output), in the same fork as dW:
                // the two only read what they share.
                let below = &self.ws.lane.acts[l - 1][..n * layer.fan_in];
                let delta = Product {
                    m: n,
                    n: layer.fan_in,
                    k: layer.fan_out,
                    a: Strided::row_major(dz, layer.fan_out),
                    b: BOperand::Matrix(Strided::transposed(w, layer.fan_out), None),
                    c: &mut other[..n * layer.fan_in],
                    ldc: layer.fan_in,
                    epi: Epilogue::MulActDeriv { a: below, act: self.cfg.hidden },
                };
                gemm_products(threads, [delta, weight_grad], pack)?[1]
            } else {
                gemm_products(threads, [weight_grad], pack)?[0]
            };
            }
            // db = column sums of dZ (or b − η·db)
            gb.fill(0.0);
            for row in dz.chunks_exact(layer.fan_out) {
                zip_inplace(gb, row, |a, b| f32x4_add(a, b));
            }
            match descend {
                Some(eta) => {
                    let b = &self.params[layer.b..layer.b + layer.fan_out];
                    let e = splat(eta);
                    zip_inplace(gb, b, |g, b| f32x4_sub(b, f32x4_mul(e, g)));
                    finite &= all_finite(gb);
                }
                None => self.cfg.reg.add_gradient(w, gw),
            }
            if l > 0 {
                core::mem::swap(&mut cur, &mut other);
            }
        }
        Ok(finite)
    }

    /// Output probabilities for n rows of x into `out` (n x outputs), in chunks.
    pub fn predict_proba(&mut self, x: &[f32], n: usize, out: &mut [f32]) -> Result<()> {
        self.reserve_rows(EVAL_ROWS.min(n.max(1)))?;
        let model = Model { cfg: &self.cfg, layers: &self.layers, params: &self.params, packed: None };
        evaluation::evaluate(model, &mut self.ws.lane, &mut self.ws.eval, self.threads, x, None, n, Some(out)).map(|_| ())
    }

    /// Mean loss (data + penalty) over n rows, in chunks.
    pub fn loss(&mut self, x: &[f32], y: &[f32], n: usize) -> Result<f64> {
        self.reserve_rows(EVAL_ROWS.min(n.max(1)))?;
        let model = Model { cfg: &self.cfg, layers: &self.layers, params: &self.params, packed: None };
        let total = evaluation::evaluate(model, &mut self.ws.lane, &mut self.ws.eval, self.threads, x, Some(y), n, None)?;
        Ok(total / n.max(1) as f64 + self.penalty())
    }

    /// Forward and backward on one batch; keeps the gradients and returns the mean loss. With
    /// `expected` (the caller's belief of the output; n x outputs), the output is compared
    /// with it first: on the first value that differs beyond float rounding, returns its index
    /// and the network's value without computing gradients, so the kept ones stay as they were.
    pub fn compute_gradients(&mut self, x: &[f32], y: &[f32], n: usize, expected: Option<&[f32]>) -> Result<(f64, Option<(usize, f32)>)> {
        self.reserve_rows(n)?;
        self.forward_layers(x, n)?;
        let loss = self.finish_output(Some(y), n) / n as f64 + self.penalty();
        if let Some(expected) = expected {
            let out = &self.ws.lane.acts[self.layers.len() - 1][..n * self.outputs()];
            let same = |v: f32, o: f32| v.to_bits() == o.to_bits() || (v - o).abs() <= 1e-6 + 1e-4 * o.abs();
            if let Some(at) = expected.iter().zip(out).position(|(&v, &o)| !same(v, o)) {
                return Ok((loss, Some((at, out[at]))));
            }
        }
        self.backward(x, y, n, None)?;
        Ok((loss, None))
    }

    /// Applies the kept gradients with the given optimizer, unless a gradient or a new weight
    /// (or Adam moment) is not finite: then nothing changes and the caller reports divergence.
    /// A NaN or infinite gradient makes its new weight NaN or infinite too, so checking the new
    /// values (while they are written) covers both.
    pub fn apply_gradients(&mut self, kind: OptimizerKind) -> Result<()> {
        let len = self.params.len();
        ensure_len(&mut self.params_next, len, "parameters")?;
        let (params, grads, next) = (self.params.as_ptr() as usize, self.grads.as_ptr() as usize, self.params_next.as_mut_ptr() as usize);
        let part = move |p: usize, b: usize, e: usize| unsafe { core::slice::from_raw_parts((p as *const f32).add(b), e - b) };
        let part_mut = move |p: usize, b: usize, e: usize| unsafe { core::slice::from_raw_parts_mut((p as *mut f32).add(b), e - b) };
        let bad = core::sync::atomic::AtomicBool::new(false);
        let flag = |ok: bool| {
            if !ok {
                bad.store(true, core::sync::atomic::Ordering::Relaxed);
            }
        };
        match kind {
            OptimizerKind::GradientDescent => {
                let eta = self.cfg.hyper.eta;
                parallel::for_ranges(self.threads, len, &|b, e| flag(gradient_descent(part(params, b, e), part(grads, b, e), eta, part_mut(next, b, e))));
            }
            OptimizerKind::Adam => {
                self.ensure_adam_state()?;
                ensure_len(&mut self.adam_m_next, len, "Adam moments")?;
                ensure_len(&mut self.adam_v_next, len, "Adam moments")?;
                let t = self.t.saturating_add(1);
                let (m, v, hyper) = (self.adam_m.as_ptr() as usize, self.adam_v.as_ptr() as usize, self.cfg.hyper);
                let (m_next, v_next) = (self.adam_m_next.as_mut_ptr() as usize, self.adam_v_next.as_mut_ptr() as usize);
                parallel::for_ranges(self.threads, len, &|b, e| {
                    let state = Moments { m: part(m, b, e), v: part(v, b, e) };
                    let out = MomentsOut { w: part_mut(next, b, e), m: part_mut(m_next, b, e), v: part_mut(v_next, b, e) };
                    flag(adam(part(params, b, e), part(grads, b, e), state, hyper, t, out));
                });
                if !bad.load(core::sync::atomic::Ordering::Relaxed) {
                    self.t = t;
                    core::mem::swap(&mut self.adam_m, &mut self.adam_m_next);
                    core::mem::swap(&mut self.adam_v, &mut self.adam_v_next);
                }
            }
        }
        if bad.into_inner() {
            return Err(diverged());
        }
        self.take_next_params();
        Ok(())
    }

    pub fn params(&self) -> &[f32] {
        &self.params
    }

    /// The parameters to change in place.
    pub fn params_mut(&mut self) -> &mut Vec<f32> {
        self.ws.eval.packed.invalidate();
        &mut self.params
    }

    /// Makes the step's new parameters (`params_next`) the current ones.
    fn take_next_params(&mut self) {
        self.ws.eval.packed.invalidate();
        core::mem::swap(&mut self.params, &mut self.params_next);
    }

    /// One optimisation step on one batch: the loss is checked before anything is updated.
    fn step(&mut self, x: &[f32], y: &[f32], n: usize) -> Result<f64> {
        self.forward_layers(x, n)?;
        let loss = self.finish_output(Some(y), n) / n as f64 + self.penalty();
        if !loss.is_finite() {
            return Err(Error::new(Status::Diverged, format!("the training loss became {}; the weights were left unchanged", loss)));
        }
        if self.cfg.optimizer == OptimizerKind::GradientDescent && self.cfg.reg == Regularization::None {
            ensure_len(&mut self.params_next, self.params.len(), "parameters")?;
            if !self.backward(x, y, n, Some(self.cfg.hyper.eta))? {
                return Err(diverged());
            }
            self.take_next_params();
        } else {
            self.backward(x, y, n, None)?;
            self.apply_gradients(self.cfg.optimizer)?;
        }
        Ok(loss)
    }

    /// A new random order of n training rows for the next epoch.
    pub fn shuffle(&mut self, n: usize) -> Result<()> {
        if self.perm.len() != n {
            self.perm = zeroed(n, "shuffle order")?;
        }
        for (i, p) in self.perm.iter_mut().enumerate() {
            *p = i as u32;
        }
        self.rng.shuffle(&mut self.perm);
        Ok(())
    }

    /// Trains batches first..first+count of the current epoch order (the last batch may be
    /// partial). Returns the sum of the batch losses; on divergence `done` tells how many
    /// batches completed before the failing one.
    pub fn train_batches(&mut self, data: &Dataset, batch: usize, first: usize, count: usize, done: &mut usize) -> Result<f64> {
        *done = 0;
        let (d, k) = (self.inputs(), self.outputs());
        if data.d != d || data.k != k {
            return Err(Error::shape(format!("dataset is {}→{} but the network is {}→{}", data.d, data.k, d, k)));
        }
        if self.perm.len() != data.n {
            return Err(Error::invalid("the epoch order does not match the dataset: call shuffle first"));
        }
        if batch == 0 {
            return Err(Error::invalid("batch size must be at least 1"));
        }
        // A batch wider than the data never holds more than all of it.
        self.reserve_rows(batch.min(data.n.max(1)))?;
        let mut xb = core::mem::take(&mut self.ws.xb);
        let mut yb = core::mem::take(&mut self.ws.yb);
        let mut total = 0.0;
        let mut result = Ok(());
        for bi in first..first + count {
            let start = bi * batch;
            if start >= data.n {
                break;
            }
            let rows = batch.min(data.n - start);
            gather(self.threads, data, &self.perm[start..start + rows], &mut xb, &mut yb);
            match self.step(&xb[..rows * d], &yb[..rows * k], rows) {
                Ok(loss) => {
                    total += loss;
                    *done += 1;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.ws.xb = xb;
        self.ws.yb = yb;
        result.map(|_| total)
    }
}
