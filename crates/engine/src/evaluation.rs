//! The forward pass, and evaluation (`predict_proba`, `loss`) of many rows in chunks.
//!
//! Evaluation runs in chunks of `EVAL_ROWS` rows, so each layer's output stays in L2 for the
//! next layer. Chunks are computed one by one with every product split over the threads, or,
//! when there are enough of them, several at once: each thread takes whole chunks and runs
//! them alone in a `Lane` (buffers of its own, sized beforehand, since workers must not
//! allocate). That takes one fork per call instead of one per product and per Strassen pass,
//! and each chunk stays in its own core's cache. A chunk is computed by the same operations
//! whichever way it runs and whoever runs it (the kernels promise as much for their units),
//! so the results do not depend on the thread count, and loss totals are added in chunk order.
//! On a 2-core Xeon (2026-12-03, in-process A/B, bit-identical outputs) two threads inferred
//! 7.1-7.4% faster at batch 1000 and 10,000 with whole chunks than with split products.

use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

use crate::activations::{apply_rows, Act};
use crate::buffer::{ensure_len, FROZEN};
use crate::error::{Error, Result, Status};
use crate::gemm::{self, gemm_operand_threads, BOperand, Epilogue, Strided};
use crate::loss::{fused_softmax_ce, loss_sum, softmax_cross_entropy_rows};
use crate::network::{Config, Layer};
use crate::parallel::{self, Claim, MAX_THREADS};
use crate::sparse::{self, Sparse};
use crate::strassen;

/// Rows per chunk when evaluating large inputs. Small chunks keep each layer's output in
/// L2 for the next layer; every chunk reads all the weights again, which costs less. On a
/// 2-core Xeon (2 MB L2), inference at batch 1000 ran fastest with 256 (in-process A/B,
/// 2026-12-02, each chunk packing the weights: 128 -0.6%, 512 -2%, 1024 -5% with the row
/// blocks of `gemm`, -20% without them; 2026-12-03, with `PackedWeights`: 128 -5%, 512
/// -1.3%); on an earlier EPYC host (512 KB L2) 1024 had beaten 256, without row blocks.
pub const EVAL_ROWS: usize = 256;

/// The chunks of an n-row evaluation: how many have `EVAL_ROWS` rows, and the rows of the
/// shorter last one (0 when there is none).
fn chunks_of(n: usize) -> (usize, usize) {
    (n / EVAL_ROWS, n % EVAL_ROWS)
}

/// Off only in A/B measurements and tests (`mlp_test_set_whole_chunks`).
pub static WHOLE_CHUNKS: AtomicBool = AtomicBool::new(true);

/// On only in tests (`mlp_test_set_unsized_lanes`): the other threads' lanes get their layer
/// outputs but not their products' buffers, so that their first chunk meets the allocation
/// guard (`buffer::FROZEN`).
pub static UNSIZED_LANES: AtomicBool = AtomicBool::new(false);

/// Off only in A/B measurements and tests (`mlp_test_set_prepacked`).
pub static PREPACKED: AtomicBool = AtomicBool::new(true);

/// Buffers of one forward pass: each layer's outputs and its products' scratch.
#[derive(Default)]
pub struct Lane {
    /// Outputs of layer l (1-based) at index l − 1, at least `rows x sizes[l]` each.
    pub acts: Vec<Vec<f32>>,
    pub pack: Vec<f32>,
    pub strassen: strassen::Scratch,
    /// The input as the last forward pass compressed it, when it took the first layer's
    /// product that way (`rows` = its row count; else 0; see `sparse`).
    pub sparse: Sparse,
    /// Its transpose, when a training pass compressed it (for the first layer's weight
    /// gradient).
    pub sparse_t: Sparse,
    /// Scratch of the first layer's sparse product (`sparse::scratch_len`).
    pub sparse_scratch: Vec<f32>,
}

impl Lane {
    /// Grows the layer outputs to `rows` rows (only ever grows).
    pub fn reserve_rows(&mut self, sizes: &[usize], rows: usize) -> Result<()> {
        let layers = sizes.len() - 1;
        let more = layers.saturating_sub(self.acts.len());
        self.acts.try_reserve_exact(more).map_err(|_| Error::oom("activations", more * 12))?;
        self.acts.resize_with(layers.max(self.acts.len()), Vec::new);
        for (l, buf) in self.acts.iter_mut().take(layers).enumerate() {
            ensure_len(buf, rows.saturating_mul(sizes[l + 1]), "activations")?;
        }
        Ok(())
    }

    /// Sizes everything a one-thread evaluation of a `rows`-row chunk uses, so that running
    /// it allocates nothing.
    fn reserve_chunk(&mut self, sizes: &[usize], rows: usize) -> Result<()> {
        self.reserve_rows(sizes, rows)?;
        self.sparse.reserve(rows, sizes[0])?;
        let scratch = sparse::scratch_len(rows, sizes[1], sizes[0]).ok_or_else(|| Error::oom("sparse product scratch", usize::MAX))?;
        ensure_len(&mut self.sparse_scratch, scratch, "sparse product scratch")?;
        let oom = || Error::oom("packed matrix panels", usize::MAX);
        for pair in sizes.windows(2) {
            let (k, n) = (pair[0], pair[1]);
            let pack = if strassen::applies(rows, n, k) {
                self.strassen.reserve(rows, k)?;
                strassen::pack_len_one_thread(rows, n, k)
            } else {
                gemm::pack_len_one_thread(rows, n, k)
            };
            ensure_len(&mut self.pack, pack.ok_or_else(oom)?, "packed matrix panels")?;
        }
        Ok(())
    }
}

/// Evaluation's weights packed as the kernels read them, kept until the parameters change
/// (`Network::params_mut` and every optimiser step forget them). A product packs its B as it
/// goes, so evaluation's chunks packed every weight matrix again for each chunk (Strassen's
/// seven operands of it for the large ones); packed once, they are only read, and the kernels
/// touch the next panel's lines ahead of use (see `gemm::compute_units`). On a 2-core Xeon
/// (2026-12-03, in-process A/B, outputs bit-identical) inference at batch 1000 ran 1.3%
/// faster from the packing alone, the weights then being read from memory as they were
/// before, and 4.9% with the touching ahead. A one-row predict takes about 170 µs instead of
/// 215.
/// It costs memory: each layer's weights once more, or 7/4 of them for Strassen's operands
/// (both for a layer whose last chunk is too short for Strassen's way), and for a first layer
/// that takes the sparse way its tiles and column sums instead (`sparse::prepare_b`; the
/// chunks then skip forming them: standardised MNIST at batch 1000 inferred 5% faster,
/// 2-core EPYC, 2026-12-04, in-process A/B both ways). Where that does not
/// fit, evaluation frees the copy and packs in every product as before.
#[derive(Default)]
pub struct PackedWeights {
    layers: Vec<PackedLayer>,
}

/// One layer's packed weights: for plain products (`gemm::pack_b`) and Strassen's
/// (`strassen::pack_operands`), each with where its 16-byte aligned part starts, or `None`
/// when it does not hold the current weights.
#[derive(Default)]
struct PackedLayer {
    plain: Vec<f32>,
    plain_at: Option<usize>,
    strassen: Vec<f32>,
    strassen_at: Option<usize>,
    /// The first layer's weights as its sparse products read them (`sparse::prepare_b`).
    sparse: Vec<f32>,
    sparse_at: Option<usize>,
}

impl PackedWeights {
    /// Forgets what is packed: the network calls this whenever its parameters change.
    pub fn invalidate(&mut self) {
        for l in &mut self.layers {
            l.plain_at = None;
            l.strassen_at = None;
            l.sparse_at = None;
        }
    }

    /// Frees the packed copy.
    fn release(&mut self) {
        self.layers = Vec::new();
    }

    /// Packs what evaluating n rows of x reads (for the row counts of its chunks), unless
    /// packed already: each kind once, as the call's first chunks of each kind packed it
    /// before. When x's first row would let the first layer take the sparse way, its weights
    /// are prepared for that way instead of packed for the dense kernels (a chunk that goes
    /// dense after all packs them as it goes).
    fn prepare(&mut self, model: &Model, x: &[f32], n: usize) -> Result<()> {
        if self.layers.len() != model.layers.len() {
            self.layers.clear();
            self.layers.try_reserve_exact(model.layers.len()).map_err(|_| Error::oom("packed weights", model.layers.len() * 64))?;
            self.layers.resize_with(model.layers.len(), PackedLayer::default);
        }
        let (full, rest) = chunks_of(n);
        let rows = [if full > 0 { EVAL_ROWS } else { 0 }, rest];
        let oom = || Error::oom("packed weights", usize::MAX);
        for (l, (layer, packed)) in model.layers.iter().zip(self.layers.iter_mut()).enumerate() {
            let (k, m) = (layer.fan_in, layer.fan_out);
            let w = &model.params[layer.w..layer.w + k * m];
            let b = &model.params[layer.w..];
            if l == 0 && n > 0 && sparse::b_fits(b, k, m, m) && sparse::may_take(&x[..k]) {
                if packed.sparse_at.is_none() {
                    let len = sparse::prepared_len(m, k).ok_or_else(oom)?;
                    packed.sparse_at = Some(aligned_part(&mut packed.sparse, len, |dst| sparse::prepare_b(b, k, m, m, dst))?);
                }
                continue;
            }
            for &r in rows.iter().filter(|&&r| r > 0) {
                if strassen::applies(r, m, k) {
                    if packed.strassen_at.is_none() {
                        let len = strassen::packed_operands_len(m, k).ok_or_else(oom)?;
                        packed.strassen_at = Some(aligned_part(&mut packed.strassen, len, |dst| strassen::pack_operands(m, k, w, dst))?);
                    }
                } else if packed.plain_at.is_none() {
                    let len = gemm::packed_b_len(k, m).ok_or_else(oom)?;
                    packed.plain_at = Some(aligned_part(&mut packed.plain, len, |dst| gemm::pack_b(Strided::row_major(w, m), None, k, m, dst))?);
                }
            }
        }
        Ok(())
    }

    fn plain(&self, l: usize) -> Option<&[f32]> {
        let p = self.layers.get(l)?;
        p.plain_at.map(|at| &p.plain[at..])
    }

    fn sparse(&self, l: usize) -> Option<&[f32]> {
        let p = self.layers.get(l)?;
        p.sparse_at.map(|at| &p.sparse[at..])
    }

    fn strassen(&self, l: usize) -> Option<&[f32]> {
        let p = self.layers.get(l)?;
        p.strassen_at.map(|at| &p.strassen[at..])
    }
}

/// Grows `buf` to hold `len` floats from a 16-byte boundary, fills them with `fill`, and
/// returns where they start.
fn aligned_part(buf: &mut Vec<f32>, len: usize, fill: impl FnOnce(&mut [f32])) -> Result<usize> {
    ensure_len(buf, len.checked_add(gemm::PACK_ALIGN_SLACK).ok_or_else(|| Error::oom("packed weights", usize::MAX))?, "packed weights")?;
    let at = buf.len() - gemm::aligned16(buf).len();
    fill(&mut buf[at..at + len]);
    Ok(at)
}

/// The network as a forward pass reads it.
#[derive(Clone, Copy)]
pub struct Model<'a> {
    pub cfg: &'a Config,
    pub layers: &'a [Layer],
    pub params: &'a [f32],
    /// The weights packed for evaluation, when they are (see `PackedWeights`).
    pub packed: Option<&'a PackedWeights>,
}

impl Model<'_> {
    fn inputs(&self) -> usize {
        self.cfg.sizes[0]
    }

    fn outputs(&self) -> usize {
        *self.cfg.sizes.last().unwrap()
    }

    /// Forward pass of n rows of x on `threads` threads. Each layer's output lands in the
    /// lane; the output layer is left *before* softmax (its logits) for `finish_output` to
    /// complete. With `eval` (no backward pass follows), the large products take Strassen's way.
    /// Activations below `simd::TINY` are stored as 0 (see there).
    pub fn forward(&self, lane: &mut Lane, threads: usize, x: &[f32], n: usize, eval: bool) -> Result<()> {
        let last = self.layers.len() - 1;
        lane.sparse.rows = 0;
        lane.sparse_t.rows = 0;
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = lane.acts.split_at_mut(l);
            let input: &[f32] = if l == 0 { x } else { &before[l - 1][..n * layer.fan_in] };
            let act = if l == last { self.cfg.output } else { self.cfg.hidden };
            let act = if act.is_elementwise() { act } else { Act::Linear };
            let w = &self.params[layer.w..layer.w + layer.fan_in * layer.fan_out];
            let bias = &self.params[layer.b..layer.b + layer.fan_out];
            let out = &mut after[0][..n * layer.fan_out];
            let packed = self.packed.filter(|_| eval);
            // A mostly-zero input (image pixels) skips its zeros, giving the plain product's
            // bits (see `sparse`; Strassen's way rounds differently); a standardised one its
            // background.
            let b = &self.params[layer.w..];
            let transposed = if eval { None } else { Some(&mut lane.sparse_t) };
            if l == 0 && sparse::b_fits(b, layer.fan_in, layer.fan_out, layer.fan_out) && lane.sparse.compress(threads, input, n, layer.fan_in, transposed)? {
                let prepared = packed.and_then(|p| p.sparse(0));
                sparse::product(threads, &lane.sparse, layer.fan_out, b, layer.fan_out, prepared, &mut lane.sparse_scratch, out, layer.fan_out, Epilogue::BiasAct { bias, act })?;
                continue;
            }
            if eval && strassen::applies(n, layer.fan_out, layer.fan_in) {
                let ops = packed.and_then(|p| p.strassen(l));
                strassen::forward(threads, n, layer.fan_out, layer.fan_in, input, w, ops, out, bias, act, &mut lane.strassen, &mut lane.pack)?;
                continue;
            }
            let a = Strided::row_major(input, layer.fan_in);
            let b = match packed.and_then(|p| p.plain(l)) {
                Some(p) => BOperand::Packed(p),
                None => BOperand::Matrix(Strided::row_major(w, layer.fan_out), None),
            };
            gemm_operand_threads(threads, n, layer.fan_out, layer.fan_in, a, b, out, layer.fan_out, Epilogue::BiasAct { bias, act }, &mut lane.pack)?;
        }
        Ok(())
    }

    /// Completes the output layer (softmax) and returns Σ of the data loss over the rows
    /// when targets are given. Softmax + cross-entropy is computed from the logits.
    pub fn finish_output(&self, lane: &mut Lane, y: Option<&[f32]>, n: usize) -> f64 {
        let k = self.outputs();
        let out = &mut lane.acts[self.layers.len() - 1][..n * k];
        match y {
            Some(y) if fused_softmax_ce(self.cfg.output, self.cfg.loss) => softmax_cross_entropy_rows(out, y, k),
            _ => {
                if self.cfg.output == Act::Softmax {
                    apply_rows(Act::Softmax, out, k);
                }
                y.map_or(0.0, |y| loss_sum(self.cfg.loss, out, y, k))
            }
        }
    }

    /// One chunk of rows r0..r0 + rows: its Σ loss (with targets y for all n rows), its
    /// outputs copied to `out` (n x outputs) when given.
    fn chunk(&self, lane: &mut Lane, threads: usize, x: &[f32], y: Option<&[f32]>, out: Option<*mut f32>, r0: usize, rows: usize) -> Result<f64> {
        let (d, k) = (self.inputs(), self.outputs());
        self.forward(lane, threads, &x[r0 * d..(r0 + rows) * d], rows, true)?;
        let total = self.finish_output(lane, y.map(|y| &y[r0 * k..(r0 + rows) * k]), rows);
        if let Some(out) = out {
            let src = &lane.acts[self.layers.len() - 1][..rows * k];
            // SAFETY: the caller's `out` holds n x k floats and chunks are disjoint row ranges.
            unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), out.add(r0 * k), rows * k) };
        }
        Ok(total)
    }
}

/// Where evaluation keeps its buffers between calls.
#[derive(Default)]
pub struct Space {
    /// Lanes of threads 1.. when chunks run on threads of their own (thread 0 uses the
    /// network's own lane).
    lanes: Vec<Lane>,
    /// Σ loss of each chunk run that way, added in chunk order afterwards.
    totals: Vec<f64>,
    /// The weights as the products read them.
    pub packed: PackedWeights,
}

/// How many of the first chunks of an n-row evaluation run whole on threads of their own:
/// rounds of one chunk per thread, as long as every chunk of a round has at least half of
/// `EVAL_ROWS` rows (a round with a short chunk would leave a thread idle for most of it;
/// splitting its products wastes less). The other chunks split their products.
pub fn chunks_on_own_threads(n: usize, threads: usize) -> usize {
    if threads <= 1 || !WHOLE_CHUNKS.load(Relaxed) {
        return 0;
    }
    let rows_of = |c: usize| EVAL_ROWS.min(n - c * EVAL_ROWS);
    let chunks = (n + EVAL_ROWS - 1) / EVAL_ROWS;
    let mut rounds = chunks / threads;
    if rounds > 0 && rows_of(rounds * threads - 1) < EVAL_ROWS / 2 {
        rounds -= 1;
    }
    rounds * threads
}

/// The flops (two per multiply-add) of the products that evaluating n rows of a network of
/// these layer widths does, in chunks as `evaluate` runs them: 7/8 of a plain product's for a
/// chunk's product taken in Strassen's way. The benchmark reports speed against it.
pub fn product_flops(sizes: &[usize], n: usize) -> f64 {
    let chunk = |rows: usize| -> f64 {
        let plain = |pair: &[usize]| 2.0 * rows as f64 * pair[0] as f64 * pair[1] as f64;
        sizes.windows(2).map(|p| if strassen::applies(rows, p[1], p[0]) { plain(p) * 7.0 / 8.0 } else { plain(p) }).sum()
    };
    let (full, rest) = chunks_of(n);
    full as f64 * chunk(EVAL_ROWS) + chunk(rest)
}

/// Σ of the data loss over n rows of x against targets y (when given), and the output
/// probabilities in `out` (n x outputs, when given), on `threads` threads. `main` must
/// hold `EVAL_ROWS.min(n)` rows.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(model: Model, main: &mut Lane, space: &mut Space, threads: usize, x: &[f32], y: Option<&[f32]>, n: usize, out: Option<&mut [f32]>) -> Result<f64> {
    let out = out.map(|o| {
        assert!(o.len() >= n * model.outputs());
        o.as_mut_ptr()
    });
    let Space { lanes, totals, packed } = space;
    // Without room for the packed copy, evaluate as before, packing in every product.
    let model = if PREPACKED.load(Relaxed) && packed.prepare(&model, x, n).is_ok() {
        Model { packed: Some(&*packed), ..model }
    } else {
        packed.release();
        Model { packed: None, ..model }
    };
    let count = parallel::clamp(threads);
    let whole = chunks_on_own_threads(n, count);
    let mut total = 0.0;
    if whole > 0 {
        run_whole_chunks(model, main, lanes, totals, count, x, y, n, out, whole)?;
        for t in &totals[..whole] {
            total += t;
        }
    }
    let mut r0 = whole * EVAL_ROWS;
    while r0 < n {
        let rows = EVAL_ROWS.min(n - r0);
        total += model.chunk(main, threads, x, y, out, r0, rows)?;
        r0 += rows;
    }
    Ok(total)
}

/// Chunks 0..whole on `count` threads, each thread running the chunks it claims alone.
#[allow(clippy::too_many_arguments)]
fn run_whole_chunks(model: Model, main: &mut Lane, others: &mut Vec<Lane>, chunk_totals: &mut Vec<f64>, count: usize, x: &[f32], y: Option<&[f32]>, n: usize, out: Option<*mut f32>, whole: usize) -> Result<()> {
    let sizes = &model.cfg.sizes;
    if others.len() < count - 1 {
        others.try_reserve_exact(count - 1 - others.len()).map_err(|_| Error::oom("evaluation lanes", count * 64))?;
        others.resize_with(count - 1, Lane::default);
    }
    // The chunks' row counts: all EVAL_ROWS but perhaps the last.
    let last_rows = EVAL_ROWS.min(n - (whole - 1) * EVAL_ROWS);
    let leave_unsized = UNSIZED_LANES.load(Relaxed);
    for (t, lane) in core::iter::once(&mut *main).chain(others.iter_mut().take(count - 1)).enumerate() {
        if leave_unsized && t > 0 {
            lane.reserve_rows(sizes, EVAL_ROWS)?;
            continue;
        }
        lane.reserve_chunk(sizes, EVAL_ROWS)?;
        lane.reserve_chunk(sizes, last_rows)?;
    }
    ensure_len(chunk_totals, whole, "chunk losses")?;

    let mut lanes = [0usize; MAX_THREADS];
    lanes[0] = main as *mut Lane as usize;
    for (t, lane) in others.iter_mut().take(count - 1).enumerate() {
        lanes[t + 1] = lane as *mut Lane as usize;
    }
    let totals = chunk_totals.as_mut_ptr() as usize;
    let out = out.map(|p| p as usize);
    let claim = Claim::new(whole);
    let failed = AtomicBool::new(false);
    FROZEN.store(true, Relaxed);
    parallel::run(count, &|t, _| {
        // SAFETY: thread t alone uses lane t; chunks write disjoint rows of `out`, and
        // `totals` has a slot per chunk.
        let lane = unsafe { &mut *(lanes[t] as *mut Lane) };
        claim.each(|c| match model.chunk(lane, 1, x, y, out.map(|p| p as *mut f32), c * EVAL_ROWS, EVAL_ROWS.min(n - c * EVAL_ROWS)) {
            Ok(total) => unsafe { *(totals as *mut f64).add(c) = total },
            Err(_) => failed.store(true, Relaxed),
        });
    });
    FROZEN.store(false, Relaxed);
    if failed.load(Relaxed) {
        // Only a buffer that `reserve_chunk` did not size can fail here.
        return Err(Error::new(Status::OutOfMemory, "internal: an evaluation chunk needed a buffer that was not sized for it"));
    }
    Ok(())
}
