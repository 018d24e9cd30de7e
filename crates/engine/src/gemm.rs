//! Matrix products for dense layers: C = A·B with 4x8 register tiles of f32x4.
//!
//! One routine serves all three products of a layer because A and B are read through
//! strides (forward X·W, weight gradient Xᵀ·dZ, and dZ·Wᵀ):
//! - A in micro-panels of `MR` = 4 rows covering all of K. A row-major A (X, dZ) is read in
//!   place, the kernel broadcasting from 4 rows at once; any other (Xᵀ) is packed into
//!   micro-panels of 4 floats per k step, 16-byte aligned (see `APack`);
//! - B is packed into panels of `NR` = 8 columns, `kc x 8` contiguous and zero-padded past
//!   column n; or it comes packed so beforehand (`BOperand::Packed`: evaluation's weights,
//!   packed once for many products).
//!
//! C is computed in units of one column panel by one row block of `MC` = 64 micro-panels
//! (256 rows): the kernel walks down the row block's micro-panels with the B panel's K slice
//! (at most 25.6 KB) in L1, while the row block's A (800 KB for a 784-deep product) stays in
//! L2. When A is small (at most one 800-deep row block: training batches, evaluation chunks,
//! the weight gradients of a batch), each thread packs each B panel just before using it,
//! into a buffer of its own, so the panel comes from L1 (and a transposed A, all of it for
//! itself). With a larger A, B is packed up front and shared by the threads, since every row
//! block uses every panel (and so is a transposed A). Without row blocks a 1000-row product
//! streamed all of its packed A (3.1 MB) from L3 once per column panel: on a 2-core Xeon
//! host (2 MB L2), row blocks ran 1000x784 · 784x500 at 35.6 GFLOP/s instead of 28.7 (one
//! thread, 2026-12-02). Packing B up front for a small A was 5% slower there (the panel then
//! comes from L2), and blocks of 32 micro-panels were no faster than 64 for large products.
//!
//! Why 4x8: V8 maps v128 to xmm registers and keeps xmm15 as scratch, so 15 are usable, and
//! TurboFan schedules every load of a loop body ahead of its arithmetic, so all the values a
//! k step loads are live together with the accumulators. 4x8 needs 8 accumulators + 2 B
//! vectors + 4 broadcast A values + 1 product temporary = 15: no spills. 6x8 tiles
//! (12 accumulators) spill every step however they are written (measured on an earlier
//! host: ≈ 24 GFLOP/s, against ≈ 57 for this kernel). Eight accumulators are enough chains
//! because only the add is on the chain (SIMD128 has no FMA; the mul is independent): 2 add
//! pipes x 3 cycles of latency need 6. So the kernel is not bound by the latency of its 8
//! chains: on a 2-core Xeon (2026-12-02) the forward products ran at 91-98% of the 12-chain
//! ceiling, well above the 8-chain one (whose mul is on the chain too).
//!
//! K is cut into nearly equal blocks of at most `KC` = 800 steps so a B panel's K slice
//! (25.6 KB) stays in a 32 KB L1. Blocks this deep keep the 784-input layer in one block:
//! each tile of C is then written once. On a 2-core EPYC host, 800 against 256 ran inference
//! at batch 1000 13-22% faster and training at batch 64 within 5% (in-process A/B,
//! 2026-12-02). The epilogue (bias + activation, the activation's derivative in backprop, or
//! the gradient-descent update of the weights) is applied to each tile straight from the
//! registers after the last K block; `Land` instead stores or sums the tile onto one or two
//! quadrants of C at every K block (Strassen's products, see `strassen`), whose B may be the
//! sum of two matrices formed while it is packed.
//!
//! Threads (see `parallel`) first pack: a shared A and B in chunks of panels claimed from
//! atomic counters (`pack_a_range`, `pack_b_range`), then wait until all is packed; what is
//! private each on its own. Then they compute units of C (`compute_units`) from home ranges
//! with stealing (`parallel::Split`); on several threads a batch-sized A's unit is half a row
//! block (see `row_parts`). Independent products can share one fork (`gemm_products`:
//! backprop's two products of a layer), each thread going on to the next product when it
//! has no more units of the one before. Every element of C is computed by the same sequence of
//! operations whoever computes it, so results depend neither on the thread count nor on
//! timing.

use core::arch::wasm32::*;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

use crate::activations::Act;
use crate::buffer::ensure_len;
use crate::error::{Error, Result};
use crate::parallel::{self, Claim, Split};
use crate::simd::{flush_below, load, load_partial, nonfinite_probe, splat, store, store_partial, TINY};

pub const MR: usize = 4;
pub const NR: usize = 8;
/// Floats per k step in a packed A micro-panel.
pub const AW: usize = MR;
pub const KC: usize = 800;
/// Micro-panels of A per row block (see the module notes).
pub const MC: usize = 64;
/// An A of up to this many floats (packed: one 800-deep row block) is small: B is packed
/// panel by panel by each thread, and a transposed A by each thread for itself (see
/// `Plan::shared_b`).
pub const PRIVATE_A: usize = MC * MR * KC;
/// Floats reserved per thread for its B panel when B is packed panel by panel (KC x NR, plus
/// room to align it).
pub const BPACK_STRIDE: usize = KC * NR + 16;
/// Products smaller than this many flops run on one thread: forking costs more. The tests
/// lower it (`mlp_test_set_parallel_flops`) to split even tiny products.
pub static PARALLEL_FLOPS: AtomicUsize = AtomicUsize::new(1 << 18);

/// A read-only strided matrix: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> Strided<'a> {
    pub fn row_major(data: &'a [f32], cols: usize) -> Self {
        Strided { data, rs: cols, cs: 1 }
    }
    /// The transpose of a row-major `rows x cols` matrix.
    pub fn transposed(data: &'a [f32], cols: usize) -> Self {
        Strided { data, rs: 1, cs: cols }
    }
    fn covers(&self, rows: usize, cols: usize) -> bool {
        rows == 0 || cols == 0 || span(rows, self.rs, cols, self.cs).map_or(false, |end| end < self.data.len())
    }
}

/// What happens to each finished tile of A·B on its way into C.
#[derive(Clone, Copy)]
pub enum Epilogue<'a> {
    /// C = A·B
    Store,
    /// C = act(A·B + bias) as a layer stores it (values below `TINY` are 0; see
    /// `Act::apply_stored_v`); `bias` has one value per column. Softmax is not element-wise
    /// and is applied by the caller afterwards (pass `Act::Linear` here).
    BiasAct { bias: &'a [f32], act: Act },
    /// C = (A·B) ⊙ act'(a), `a` being the layer's activation outputs laid out like C; values
    /// below `TINY` (of A·B, and of the result) count as 0.
    MulActDeriv { a: &'a [f32], act: Act },
    /// C = w − eta·(A·B), `w` laid out like C: a gradient-descent step fused with the weight
    /// gradient. The new weights are probed for NaN/infinity (see `gemm_threads`).
    Descend { w: &'a [f32], eta: f32 },
    /// Strassen's landings (see `strassen`): M = A·B lands on C as `here` says and, when
    /// `there` is given, also on the matrix that many floats further into C (laid out like C,
    /// disjoint from it), so no product needs a scratch matrix and a pass to reach a second
    /// quadrant. Applied at every K block (the ones after the first add onto what is there).
    Land { here: Landing, there: Option<(usize, Landing)> },
}

/// How a Strassen product M lands on a matrix (see `Epilogue::Land`).
#[derive(Clone, Copy)]
pub enum Landing {
    /// M, overwriting what is there.
    Store,
    /// What is there + s·M (s = ±1, so s·M is exact).
    Add(f32),
}

impl<'a> Epilogue<'a> {
    /// Asserts that what the epilogue reads (and a second landing writes) lies within its
    /// operands for a C of m x n (row stride ldc) in `c_len` floats.
    pub(crate) fn check(&self, m: usize, n: usize, ldc: usize, c_len: usize) {
        match *self {
            Epilogue::Store | Epilogue::Land { there: None, .. } => {}
            Epilogue::Land { there: Some((at, _)), .. } => {
                let end = span(m, ldc, n, 1).unwrap();
                let disjoint = at > end || (at % ldc >= n && at % ldc + n <= ldc);
                assert!(disjoint && end.checked_add(at).map_or(false, |e| e < c_len), "gemm second landing overlaps C or lies outside");
            }
            Epilogue::BiasAct { bias, .. } => assert!(bias.len() >= n, "gemm bias too short"),
            Epilogue::MulActDeriv { a: o, .. } | Epilogue::Descend { w: o, .. } => assert!(o.len() >= (m - 1) * ldc + n, "gemm epilogue operand too short"),
        }
    }

    /// Applies the epilogue to `width` (1..=4) values of row `row` starting at column `col`.
    #[inline(always)]
    pub(crate) fn apply(&self, v: v128, row: usize, col: usize, ldc: usize, width: usize, probe: &mut v128) -> v128 {
        match *self {
            Epilogue::Store | Epilogue::Land { .. } => v,
            Epilogue::BiasAct { bias, act } => {
                let b = if width == 4 { unsafe { load(bias.as_ptr().add(col)) } } else { load_partial(&bias[col..col + width], 0.0) };
                // Output layers too: a flag for hidden ones only, branching in every tile's
                // store, cost inference 1% (in-process A/B, 2026-12-03).
                act.apply_stored_v(f32x4_add(v, b))
            }
            Epilogue::MulActDeriv { a, act } => {
                let at = row * ldc + col;
                let av = if width == 4 { unsafe { load(a.as_ptr().add(at)) } } else { load_partial(&a[at..at + width], 0.0) };
                let tiny = splat(TINY);
                flush_below(f32x4_mul(flush_below(v, tiny), act.derivative_from_output_v(av)), tiny)
            }
            Epilogue::Descend { w, eta } => {
                let at = row * ldc + col;
                let wv = if width == 4 { unsafe { load(w.as_ptr().add(at)) } } else { load_partial(&w[at..at + width], 0.0) };
                // The new weight, not only the gradient: a finite step can still overflow.
                let next = f32x4_sub(wv, f32x4_mul(splat(eta), v));
                *probe = f32x4_add(*probe, nonfinite_probe(next));
                next
            }
        }
    }
}

/// Everything one product needs, shared read-only by the threads that compute it. C and
/// the packed A are raw pointers because threads write disjoint parts of them.
#[derive(Clone, Copy)]
pub struct Plan<'a> {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: Strided<'a>,
    pub b: Strided<'a>,
    /// B is B + s·B2 when given (s = ±1; see `BOperand::Matrix`).
    pub b2: Option<(Strided<'a>, f32)>,
    pub c: *mut f32,
    pub ldc: usize,
    pub epi: Epilogue<'a>,
    /// Packed A, 16-byte aligned, as `a_mode` says (see `Plan::packed_panel`).
    pub apack: *mut f32,
    /// Packed B, 16-byte aligned: if `b_ready`, one panel of `k * NR` floats per 8 columns;
    /// else `BPACK_STRIDE` floats per thread for the panel it is computing.
    pub bpack: *mut f32,
    pub a_mode: APack,
    /// A large A (more than `PRIVATE_A` floats packed): B is packed up front and shared, since
    /// every row block reads all of it. With a small one each thread packs each B panel just
    /// before using it (see `gemm_threads`).
    pub shared_b: bool,
    /// B came packed (`BOperand::Packed`): `bpack` holds it, and nothing packs B.
    pub prepacked: bool,
    /// Row parts per row block in a unit (see `row_parts`).
    pub parts: usize,
}

/// How the kernel reads A.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum APack {
    /// Row-major A is read in place, 4 rows at a time, so nothing is copied but a partial
    /// last micro-panel (m not a multiple of `MR`), which each thread packs for itself.
    InPlace,
    /// Packed once by all the threads together, and shared (a large A).
    Shared,
    /// Packed by each thread for itself (a small A).
    PerThread,
}

// Threads only write disjoint tiles of C, disjoint micro-panels of a shared packed A or B,
// and their own private buffers.
unsafe impl Sync for Plan<'_> {}

impl<'a> Plan<'a> {
    pub fn m_panels(&self) -> usize {
        (self.m + MR - 1) / MR
    }
    /// Row blocks of `MC` micro-panels: the unit of A that stays in L2.
    pub fn m_blocks(&self) -> usize {
        row_blocks(self.m)
    }
    /// Floats of packed A.
    pub fn apack_len(m: usize, k: usize) -> Option<usize> {
        ((m + MR - 1) / MR).checked_mul(k)?.checked_mul(AW)
    }
    /// Column panels of C (and of packed B).
    fn panels(&self) -> usize {
        (self.n + NR - 1) / NR
    }
    /// Units of C: row blocks x row parts x column panels.
    fn units(&self) -> usize {
        self.m_blocks() * self.parts * self.panels()
    }
    /// Unit u as (micro-panels first..end, column panel). With a large A, the panels of one
    /// row block in turn (that block's A stays in L2); with a small one (all of it in L2),
    /// the row blocks (and parts) of one panel in turn, so the units a thread owns are whole
    /// columns of C and its consecutive units share their B panel.
    fn unit(&self, u: usize) -> (usize, usize, usize) {
        let (rows, panels) = (self.m_blocks() * self.parts, self.panels());
        let (bp, jp) = if self.shared_b { (u / panels, u % panels) } else { (u % rows, u / rows) };
        let (mb, part) = (bp / self.parts, bp % self.parts);
        let (lo, hi) = (mb * MC, (mb * MC + MC).min(self.m_panels()));
        (lo + (hi - lo) * part / self.parts, lo + (hi - lo) * (part + 1) / self.parts, jp)
    }
    /// Floats of one copy of packed A.
    fn a_copy_len(&self) -> usize {
        a_copy_len(self.a_mode, self.m, self.k)
    }
    /// Where thread `t` finds packed micro-panel `ir` (in place: the partial last one).
    fn packed_panel(&self, t: usize, ir: usize) -> *mut f32 {
        let at = match self.a_mode {
            APack::InPlace => t * self.a_copy_len(),
            APack::Shared => ir * self.k * AW,
            APack::PerThread => t * self.a_copy_len() + ir * self.k * AW,
        };
        unsafe { self.apack.add(at) }
    }
    /// Packs what thread `t` packs of A for itself (nothing of a shared A).
    unsafe fn pack_own_a(&self, t: usize) {
        let mp = self.m_panels();
        match self.a_mode {
            APack::InPlace if self.m % MR != 0 => pack_a_panel(self, mp - 1, self.packed_panel(t, mp - 1)),
            APack::PerThread => pack_a_range(self, t, 0, mp),
            _ => {}
        }
    }
    /// Whether `bpack` holds all of B before any unit is computed.
    fn b_ready(&self) -> bool {
        self.shared_b || self.prepacked
    }
    /// Thread `t`'s own B panel buffer (when not `b_ready`).
    fn thread_b(&self, t: usize) -> *mut f32 {
        unsafe { self.bpack.add(t * BPACK_STRIDE) }
    }
}

/// The B of a product.
#[derive(Clone, Copy)]
pub enum BOperand<'a> {
    /// B, or B + s·B2 when given (s = ±1, both row-major; Strassen's B operands), packed by
    /// the product as it goes: the sum then costs no pass of its own.
    Matrix(Strided<'a>, Option<(Strided<'a>, f32)>),
    /// B packed beforehand by `pack_b` (`packed_b_len` floats, 16-byte aligned): weights that
    /// many products read unchanged (evaluation's; see `evaluation::PackedWeights`).
    Packed(&'a [f32]),
}

/// C (m x n, row stride `ldc`) = epilogue(A·B), A being m x k and B k x n, split over up to
/// `threads` threads by units of C (see `parallel`; 1 for one thread). `pack` is scratch
/// space for the packed A and B: it grows once to its largest size and is then reused.
/// Returns false when a `Descend` step gave a NaN or an infinity.
#[allow(clippy::too_many_arguments)]
pub fn gemm_threads(threads: usize, m: usize, n: usize, k: usize, a: Strided, b: Strided, c: &mut [f32], ldc: usize, epi: Epilogue, pack: &mut Vec<f32>) -> Result<bool> {
    gemm_operand_threads(threads, m, n, k, a, BOperand::Matrix(b, None), c, ldc, epi, pack)
}

/// `gemm_threads` with B given as `BOperand` says.
#[allow(clippy::too_many_arguments)]
pub fn gemm_operand_threads(threads: usize, m: usize, n: usize, k: usize, a: Strided, b: BOperand, c: &mut [f32], ldc: usize, epi: Epilogue, pack: &mut Vec<f32>) -> Result<bool> {
    let [finite] = gemm_products(threads, [Product { m, n, k, a, b, c, ldc, epi }], pack)?;
    Ok(finite)
}

/// One product for `gemm_products`: C (m x n, row stride `ldc`) = epilogue(A·B).
pub struct Product<'a> {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a: Strided<'a>,
    pub b: BOperand<'a>,
    pub c: &'a mut [f32],
    pub ldc: usize,
    pub epi: Epilogue<'a>,
}

/// Products that are independent of each other (none reads what another writes) as
/// `gemm_threads` computes them, in one fork: each thread goes on to its share of the next
/// product as soon as it is done with (and has stolen what it could of) the one before, so
/// only the last product's tail is waited for, and one join serves them all (backprop's two
/// products of a layer). Whether they run on several threads depends on their flops together.
/// Returns, per product, false when a `Descend` step gave a NaN or an infinity.
pub fn gemm_products<const N: usize>(threads: usize, products: [Product; N], pack: &mut Vec<f32>) -> Result<[bool; N]> {
    let oom = || Error::oom("packed matrix panels", usize::MAX);
    let mut plans: [Option<Plan>; N] = [None; N];
    let mut flops = 0usize;
    for (slot, product) in plans.iter_mut().zip(products) {
        if let Some(p) = plan(product)? {
            flops = flops.saturating_add(p.m.saturating_mul(p.n).saturating_mul(p.k).saturating_mul(2));
            *slot = Some(p);
        }
    }
    let threads = if flops < PARALLEL_FLOPS.load(Relaxed) { 1 } else { parallel::clamp(threads) };
    for p in plans.iter_mut().flatten() {
        p.parts = row_parts(p.m, threads, p.shared_b);
    }
    // No more threads than the largest product has units.
    let threads = threads.min(plans.iter().flatten().map(Plan::units).max().unwrap_or(1));
    // Each product's packed A and B, one after the other in `pack`, each 16-byte aligned.
    let mut lens = [(0usize, 0usize); N];
    let mut total = 0usize;
    for (len, p) in lens.iter_mut().zip(plans.iter().flatten()) {
        let (alen, blen) = pack_floats(p.m, p.n, p.k, p.a_mode, p.shared_b, threads).ok_or_else(oom)?;
        *len = (alen, if p.prepacked { 0 } else { blen });
        total = total.checked_add(len.0).and_then(|x| x.checked_add(len.1)).and_then(|x| x.checked_add(PACK_ALIGN_SLACK)).ok_or_else(oom)?;
    }
    ensure_len(pack, total, "packed matrix panels")?;
    let mut at = 0;
    for (&(alen, blen), p) in lens.iter().zip(plans.iter_mut().flatten()) {
        let base = aligned16(&mut pack[at..]).as_mut_ptr();
        p.apack = base;
        if !p.prepacked {
            p.bpack = unsafe { base.add(alen) };
        }
        at += alen + blen + PACK_ALIGN_SLACK;
    }
    let plans = plans;
    let mut finite = [[true; parallel::MAX_THREADS]; N];
    if threads == 1 {
        for (p, f) in plans.iter().zip(finite.iter_mut()) {
            if let Some(p) = p {
                unsafe {
                    if p.a_mode == APack::Shared {
                        pack_a_range(p, 0, 0, p.m_panels());
                    }
                    p.pack_own_a(0);
                    if p.shared_b && !p.prepacked {
                        pack_b_range(p, 0, p.panels());
                    }
                    f[0] = compute_units(p, 0, 0, p.units(), &mut None);
                }
            }
        }
    } else {
        // One fork: pack (shared operands in chunks of panels, then a wait until all are
        // packed; private ones alone), then claim units of C (each computed the same way
        // whoever takes it). Private copies of a small packed A cost little and save the wait
        // and the reads of what the other core wrote: on a 2-core Xeon (2026-12-02), two threads
        // ran the batch-64 products 1.8x one thread instead of 1.65-1.75x (250-wide ones
        // 1.7x instead of 1.2x), and training 3% faster.
        const A_CHUNK: usize = 8;
        const B_CHUNK: usize = 4;
        let chunks = |p: &Option<Plan>, a: bool| match p {
            Some(p) if a && p.a_mode == APack::Shared => (p.m_panels() + A_CHUNK - 1) / A_CHUNK,
            Some(p) if !a && p.shared_b && !p.prepacked => (p.panels() + B_CHUNK - 1) / B_CHUNK,
            _ => 0,
        };
        let a_claims: [Claim; N] = core::array::from_fn(|i| Claim::new(chunks(&plans[i], true)));
        let b_claims: [Claim; N] = core::array::from_fn(|i| Claim::new(chunks(&plans[i], false)));
        // Home ranges of units, stolen from at the end: thread t computes the same units of
        // every product of the same shape, so it finds the columns of a weight matrix it
        // wrote (weight-gradient step) or read (forward) last time in its own cache. Against
        // guided claims, two threads trained 3-4% faster on a 2-core Xeon (2026-12-02).
        let splits: [Split; N] = core::array::from_fn(|i| Split::new(plans[i].as_ref().map_or(0, Plan::units), threads));
        let finite_ptr = finite.as_mut_ptr() as usize;
        parallel::run(threads, &|t, _| {
            for (i, p) in plans.iter().enumerate() {
                if let Some(p) = p {
                    unsafe { p.pack_own_a(t) };
                    let (mp, panels) = (p.m_panels(), p.panels());
                    a_claims[i].each(|c| unsafe { pack_a_range(p, t, c * A_CHUNK, (c * A_CHUNK + A_CHUNK).min(mp)) });
                    b_claims[i].each(|c| unsafe { pack_b_range(p, c * B_CHUNK, (c * B_CHUNK + B_CHUNK).min(panels)) });
                }
            }
            for (i, p) in plans.iter().enumerate() {
                if let Some(p) = p {
                    a_claims[i].wait_done();
                    b_claims[i].wait_done();
                    let (mut ok, mut held) = (true, None);
                    splits[i].each(t, |u| ok &= unsafe { compute_units(p, t, u, u + 1, &mut held) });
                    unsafe { *(finite_ptr as *mut [bool; parallel::MAX_THREADS]).add(i).cast::<bool>().add(t) = ok };
                }
            }
        });
    }
    Ok(core::array::from_fn(|i| finite[i][..threads].iter().all(|&f| f)))
}

/// The plan of one product (its packed buffers not yet placed, one row part), after checking
/// its operands; None when C is empty.
fn plan(pr: Product) -> Result<Option<Plan>> {
    let Product { m, n, k, a, b, c, ldc, epi } = pr;
    if m == 0 || n == 0 {
        return Ok(None);
    }
    assert!(a.covers(m, k), "gemm operand too small");
    let (b, b2, prepacked) = match b {
        BOperand::Matrix(b, b2) => {
            assert!(b.covers(k, n), "gemm operand too small");
            if let Some((b2, _)) = b2 {
                assert!(b.cs == 1 && b2.cs == 1 && b2.covers(k, n), "gemm B2 not row-major or too small");
            }
            (b, b2, None)
        }
        BOperand::Packed(panels) => {
            assert!(packed_b_len(k, n).map_or(false, |len| panels.len() >= len) && panels.as_ptr() as usize % 16 == 0, "gemm packed B too small or unaligned");
            (Strided { data: &[], rs: 0, cs: 1 }, None, Some(panels.as_ptr() as *mut f32))
        }
    };
    assert!(ldc >= n && span(m, ldc, n, 1).map_or(false, |end| end < c.len()), "gemm output too small");
    epi.check(m, n, ldc, c.len());
    let (a_mode, shared_b) = operand_layout(m, k, a.cs == 1).ok_or_else(|| Error::oom("packed matrix panels", usize::MAX))?;
    let bpack = prepacked.unwrap_or(core::ptr::null_mut());
    Ok(Some(Plan { m, n, k, a, b, b2, c: c.as_mut_ptr(), ldc, epi, apack: core::ptr::null_mut(), bpack, a_mode, shared_b, prepacked: prepacked.is_some(), parts: 1 }))
}

/// How a product reads A, and whether B is packed up front and shared (see `Plan`).
fn operand_layout(m: usize, k: usize, a_row_major: bool) -> Option<(APack, bool)> {
    let shared_b = Plan::apack_len(m, k)? > PRIVATE_A;
    // Reading a row-major A in place saves copying it: on a 2-core Xeon (2026-12-02, in-process
    // A/B, one thread) inference at batch 1000 ran 1.6-2.6% faster, the products of a training
    // step 1.1% (the whole step 0.2-1.2% slower, near the noise). A transposed one is packed:
    // its k steps lie a row of X apart, and read in place the weight gradients ran 2-3% slower.
    let a_mode = if a_row_major {
        APack::InPlace
    } else if shared_b {
        APack::Shared
    } else {
        APack::PerThread
    };
    Some((a_mode, shared_b))
}

/// Floats of one copy of packed A (m x k) read as `a_mode` says.
fn a_copy_len(a_mode: APack, m: usize, k: usize) -> usize {
    match a_mode {
        APack::InPlace if m % MR == 0 => 0,
        APack::InPlace => k * AW,
        APack::Shared | APack::PerThread => (m + MR - 1) / MR * k * AW,
    }
}

/// Floats of packed A and of packed B that a product on `threads` threads lays out in `pack`
/// (16-byte alignment aside).
fn pack_floats(m: usize, n: usize, k: usize, a_mode: APack, shared_b: bool, threads: usize) -> Option<(usize, usize)> {
    let copies = if a_mode == APack::Shared { 1 } else { threads };
    let alen = a_copy_len(a_mode, m, k).checked_mul(copies)?;
    let panels = (n + NR - 1) / NR;
    let blen = if shared_b { panels.checked_mul(k)?.checked_mul(NR)? } else { threads.checked_mul(BPACK_STRIDE)? };
    Some((alen, blen))
}

/// The length of `pack` that `gemm_threads` needs for a one-thread product of a row-major A
/// (m x k) by B (k x n). Work that runs where nothing may allocate (threads evaluating
/// chunks of their own; see `evaluation`) sizes its buffers with this beforehand.
pub fn pack_len_one_thread(m: usize, n: usize, k: usize) -> Option<usize> {
    let (a_mode, shared_b) = operand_layout(m, k, true)?;
    let (alen, blen) = pack_floats(m, n, k, a_mode, shared_b, 1)?;
    alen.checked_add(blen)?.checked_add(PACK_ALIGN_SLACK)
}

/// Row parts per unit: on several threads, a batch-sized A (one row block of at least 8
/// micro-panels) is cut in two, so that units are half as long and the threads finish a
/// product closer together (the last unit decides when it ends: 63 units of a 500-wide
/// product on two threads take 32 unit times, 126 half units 63 half ones, and a 100-wide
/// one's 13 take 7 instead of 6.5). A thread that takes both halves of a panel in turn packs
/// its B once (see `compute_units`). Which rows a unit covers never changes what any element
/// of C is.
fn row_parts(m: usize, threads: usize, shared_b: bool) -> usize {
    if threads > 1 && !shared_b && row_blocks(m) == 1 && (m + MR - 1) / MR >= 8 {
        2
    } else {
        1
    }
}

/// Row blocks of an m-row A.
fn row_blocks(m: usize) -> usize {
    ((m + MR - 1) / MR + MC - 1) / MC
}

/// The offset of element (rows − 1, cols − 1) of a strided matrix, if it fits in usize.
fn span(rows: usize, rs: usize, cols: usize, cs: usize) -> Option<usize> {
    (rows - 1).checked_mul(rs)?.checked_add((cols - 1).checked_mul(cs)?)
}

/// Floats reserved past what a packed buffer holds, so that it can start 16-byte aligned.
pub const PACK_ALIGN_SLACK: usize = 4;

/// The part of `buf` that starts at a 16-byte boundary (the kernel relies on packed A being
/// aligned); callers reserve `PACK_ALIGN_SLACK` floats more than they need.
pub fn aligned16(buf: &mut [f32]) -> &mut [f32] {
    let skip = (16 - (buf.as_ptr() as usize & 15)) % 16 / 4;
    &mut buf[skip..]
}

/// Packs A micro-panels `first..end` of the plan where thread `t` reads them.
///
/// # Safety
/// The plan's `apack` must be laid out as `Plan::packed_panel` says; threads must pack
/// disjoint ranges of a shared one.
pub unsafe fn pack_a_range(p: &Plan, t: usize, first: usize, end: usize) {
    for ir in first..end {
        pack_a_panel(p, ir, p.packed_panel(t, ir));
    }
}

/// Packs A micro-panel `ir` (rows 4ir.., zero-padded past m) into `dst` (k x 4 floats).
unsafe fn pack_a_panel(p: &Plan, ir: usize, dst: *mut f32) {
    let (m, k, a) = (p.m, p.k, p.a);
    let src = a.data.as_ptr();
    let i0 = ir * MR;
    let rows = MR.min(m - i0);
    if rows == MR && a.rs == 1 {
        // Xᵀ: the 4 values of a k step are contiguous.
        for q in 0..k {
            store(dst.add(q * AW), load(src.add(q * a.cs + i0)));
        }
    } else {
        // A partial last panel, or strides the network never uses.
        for q in 0..k {
            for rr in 0..MR {
                *dst.add(q * AW + rr) = if rr < rows { *src.add((i0 + rr) * a.rs + q * a.cs) } else { 0.0 };
            }
        }
    }
}

/// The 4x4 transpose of rows (a, b, c, d).
#[inline(always)]
fn transpose4(a: v128, b: v128, c: v128, d: v128) -> (v128, v128, v128, v128) {
    let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a, b); // a0 b0 a1 b1
    let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a, b); // a2 b2 a3 b3
    let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    (
        i32x4_shuffle::<0, 1, 4, 5>(ab_lo, cd_lo),
        i32x4_shuffle::<2, 3, 6, 7>(ab_lo, cd_lo),
        i32x4_shuffle::<0, 1, 4, 5>(ab_hi, cd_hi),
        i32x4_shuffle::<2, 3, 6, 7>(ab_hi, cd_hi),
    )
}

/// K blocks: `count` nearly equal blocks of at most KC steps, each `size` long but the last.
#[inline(always)]
fn k_blocks(k: usize) -> (usize, usize) {
    let count = ((k + KC - 1) / KC).max(1);
    let size = (k + count - 1) / count;
    (count, size.max(1))
}

/// Computes units `first..end` of C on thread `t` from A (what of it is packed must be
/// packed already) and B (packed already if shared, else panel by panel into the thread's
/// buffer; `held` is the panel that buffer holds whole, if any, which is then not packed
/// again).
/// Units are numbered as `Plan::unit` says. Returns false when a `Descend` step gave a NaN
/// or an infinity.
///
/// # Safety
/// Threads must compute disjoint unit ranges.
pub unsafe fn compute_units(p: &Plan, t: usize, first: usize, end: usize, held: &mut Option<usize>) -> bool {
    let k = p.k;
    let (blocks, size) = k_blocks(k);
    let mut probe = splat(0.0);
    let mut touched = 0u32;
    for u in first..end {
        let (ir_first, ir_end, jp) = p.unit(u);
        for kb in 0..blocks {
            let k0 = (kb * size).min(k);
            let block = Block { ir_first, ir_end, jp, k0, kc: size.min(k - k0), first: kb == 0, last: kb + 1 == blocks };
            if p.b_ready() {
                // B packed up front or beforehand is read from memory (evaluation reads all
                // its weights once per chunk of rows, more than L2 holds), so the first kernel
                // of each panel would wait on it: between the kernels of this block, touch
                // the lines of the next block so that they come in ahead of use. On a 2-core
                // Xeon (2026-12-03, in-process A/B) inference at batch 1000 ran 3.5% faster
                // with prepacked weights. Touching the rows of an unpacked B (training's) the
                // same way did not help: training ran 1% slower.
                let next_k0 = if kb + 1 < blocks { (k0 + size).min(k) } else { 0 };
                let next_jp = if kb + 1 < blocks { Some(jp) } else if u + 1 < end { Some(p.unit(u + 1).2) } else { None };
                let kernels = ir_end - ir_first;
                // A block of few kernels reads B about as fast as it could touch it.
                let lines = if kernels < TOUCH_MIN_KERNELS { 0 } else { next_jp.map_or(0, |_| (size.min(k - next_k0) * NR + 15) / 16) };
                let next = p.bpack.add(next_jp.unwrap_or(0) * k * NR + next_k0 * NR) as *const u32;
                let per = (lines + kernels - 1) / kernels;
                let b = p.bpack.add(jp * k * NR + k0 * NR);
                row_block(p, t, &block, b, &mut probe, |i| {
                    for line in i * per..(i * per + per).min(lines) {
                        touched ^= core::ptr::read_volatile(next.add(line * 16));
                    }
                });
            } else {
                let b = aligned16(core::slice::from_raw_parts_mut(p.thread_b(t), BPACK_STRIDE)).as_mut_ptr();
                if blocks > 1 || *held != Some(jp) {
                    pack_b_panel(p.b, p.b2, k0, block.kc, jp * NR, NR.min(p.n - jp * NR), b);
                    *held = if blocks == 1 { Some(jp) } else { None };
                }
                row_block(p, t, &block, b, &mut probe, |_| {});
            }
        }
    }
    TOUCHED.store(touched, Relaxed);
    crate::simd::hsum(probe) == 0.0
}

/// One K block of one unit of C: micro-panels `ir_first..ir_end` (of one row block), column
/// panel `jp`, steps k0..k0 + kc.
struct Block {
    ir_first: usize,
    ir_end: usize,
    jp: usize,
    k0: usize,
    kc: usize,
    first: bool,
    last: bool,
}

/// The kernels of one block: each micro-panel of its row block times B's panel `b` (its K
/// slice, packed), `between(i)` running before the i-th. A function of its own: inlined twice
/// into `compute_units` (once per way of getting B), its kernels ran inference 2% slower, and
/// inlined once with the touching made conditional, training 1.4% slower (V8 allocates
/// registers over a whole function); on its own, training ran 1.8% faster than before.
#[inline(never)]
unsafe fn row_block(p: &Plan, t: usize, blk: &Block, b: *const f32, probe: &mut v128, mut between: impl FnMut(usize)) {
    let m = p.m;
    let j0 = blk.jp * NR;
    let nr = NR.min(p.n - j0);
    for ir in blk.ir_first..blk.ir_end {
        between(ir - blk.ir_first);
        let i0 = ir * MR;
        let acc = if p.a_mode == APack::InPlace && i0 + MR <= m {
            kernel(blk.kc, p.a.data.as_ptr().add(i0 * p.a.rs + blk.k0), 1, p.a.rs, b)
        } else {
            // Packed A is 16-byte aligned and steps by 16 bytes: saying so lets LLVM
            // address a step's broadcasts from one pointer.
            let a = p.packed_panel(t, ir).add(blk.k0 * AW);
            kernel(blk.kc, ((a as usize) & !15) as *const f32, AW, 1, b)
        };
        store_tile(&acc, MR.min(m - i0), nr, i0, j0, p.c, p.ldc, blk.first, blk.last, &p.epi, probe);
    }
}

/// Blocks of fewer kernels than this touch nothing ahead (see `compute_units`): with one
/// kernel per block, touching all of the next block took longer than the kernel, and a
/// one-row predict ran in 180-205 µs against 135-150 without the touching; with this bound,
/// 165-175 (2026-12-03; 215-220 before the weights were packed once). 32 rows and batch 1000
/// ran as fast as with touching everywhere.
const TOUCH_MIN_KERNELS: usize = 8;

/// Where `compute_units` leaves what it read to touch B ahead of use, so no optimiser drops
/// the reads.
static TOUCHED: AtomicU32 = AtomicU32::new(0);

/// Packs B panels `first..end` of the plan, each over all of K.
///
/// # Safety
/// B must be shared (`p.bpack` holding one `k * NR` panel per 8 columns); threads must pack
/// disjoint ranges.
pub unsafe fn pack_b_range(p: &Plan, first: usize, end: usize) {
    pack_b_panels(p.b, p.b2, p.k, p.n, first, end, p.bpack);
}

/// Floats of a B (k x n) packed whole: one `k x 8` panel per 8 columns.
pub fn packed_b_len(k: usize, n: usize) -> Option<usize> {
    ((n + NR - 1) / NR).checked_mul(k)?.checked_mul(NR)
}

/// Packs all of B (k x n), or of B + s·B2 (s = ±1, both row-major), into `dst` as
/// `BOperand::Packed` reads it: the same values a product packs as it goes, so the product is
/// the same to the bit.
pub fn pack_b(b: Strided, b2: Option<(Strided, f32)>, k: usize, n: usize, dst: &mut [f32]) {
    assert!(b.covers(k, n) && b2.map_or(true, |(b2, _)| b.cs == 1 && b2.cs == 1 && b2.covers(k, n)));
    assert!(packed_b_len(k, n).map_or(false, |len| dst.len() >= len), "packed B buffer too small");
    // SAFETY: the assertions bound every read of B (and B2) and every panel written.
    unsafe { pack_b_panels(b, b2, k, n, 0, (n + NR - 1) / NR, dst.as_mut_ptr()) };
}

/// Packs panels `first..end` of B (k x n), each over all of K, into `dst` (panel jp at
/// `jp * k * NR`).
unsafe fn pack_b_panels(b: Strided, b2: Option<(Strided, f32)>, k: usize, n: usize, first: usize, end: usize, dst: *mut f32) {
    for jp in first..end {
        let j0 = jp * NR;
        pack_b_panel(b, b2, 0, k, j0, NR.min(n - j0), dst.add(jp * k * NR));
    }
}

/// Copies rows k0..k0+kc of columns j0..j0+w of B (or of B + s·B2) into a `kc x 8` panel,
/// zero-padded past w.
#[inline(always)]
unsafe fn pack_b_panel(b: Strided, b2: Option<(Strided, f32)>, k0: usize, kc: usize, j0: usize, w: usize, dst: *mut f32) {
    if let Some((b2, s)) = b2 {
        return pack_b_sum_panel(b, b2, s, k0, kc, j0, w, dst);
    }
    let src = b.data.as_ptr();
    if b.cs == 1 {
        if w == NR {
            for q in 0..kc {
                let s = src.add((k0 + q) * b.rs + j0);
                store(dst.add(q * NR), load(s));
                store(dst.add(q * NR + 4), load(s.add(4)));
            }
        } else {
            for q in 0..kc {
                let s = src.add((k0 + q) * b.rs + j0);
                for jj in 0..NR {
                    *dst.add(q * NR + jj) = if jj < w { *s.add(jj) } else { 0.0 };
                }
            }
        }
    } else if b.rs == 1 && w == NR {
        // Wᵀ: column jj of the panel is contiguous in memory; transpose 4x4 blocks.
        let c: [*const f32; NR] = [
            src.add(k0 + j0 * b.cs),
            src.add(k0 + (j0 + 1) * b.cs),
            src.add(k0 + (j0 + 2) * b.cs),
            src.add(k0 + (j0 + 3) * b.cs),
            src.add(k0 + (j0 + 4) * b.cs),
            src.add(k0 + (j0 + 5) * b.cs),
            src.add(k0 + (j0 + 6) * b.cs),
            src.add(k0 + (j0 + 7) * b.cs),
        ];
        let k4 = kc & !3;
        let mut q = 0;
        while q < k4 {
            let (t0, t1, t2, t3) = transpose4(load(c[0].add(q)), load(c[1].add(q)), load(c[2].add(q)), load(c[3].add(q)));
            let (u0, u1, u2, u3) = transpose4(load(c[4].add(q)), load(c[5].add(q)), load(c[6].add(q)), load(c[7].add(q)));
            let d = dst.add(q * NR);
            store(d, t0);
            store(d.add(4), u0);
            store(d.add(8), t1);
            store(d.add(12), u1);
            store(d.add(16), t2);
            store(d.add(20), u2);
            store(d.add(24), t3);
            store(d.add(28), u3);
            q += 4;
        }
        for q in k4..kc {
            for (jj, col) in c.iter().enumerate() {
                *dst.add(q * NR + jj) = *col.add(q);
            }
        }
    } else {
        for q in 0..kc {
            for jj in 0..NR {
                *dst.add(q * NR + jj) = if jj < w { *src.add((k0 + q) * b.rs + (j0 + jj) * b.cs) } else { 0.0 };
            }
        }
    }
}

/// `pack_b_panel` of B + s·B2, both row-major.
#[allow(clippy::too_many_arguments)]
unsafe fn pack_b_sum_panel(b: Strided, b2: Strided, s: f32, k0: usize, kc: usize, j0: usize, w: usize, dst: *mut f32) {
    let (src, src2) = (b.data.as_ptr(), b2.data.as_ptr());
    let sv = splat(s);
    for q in 0..kc {
        let x = src.add((k0 + q) * b.rs + j0);
        let y = src2.add((k0 + q) * b2.rs + j0);
        let d = dst.add(q * NR);
        if w == NR {
            store(d, f32x4_add(load(x), f32x4_mul(sv, load(y))));
            store(d.add(4), f32x4_add(load(x.add(4)), f32x4_mul(sv, load(y.add(4)))));
        } else {
            for jj in 0..NR {
                *d.add(jj) = if jj < w { *x.add(jj) + s * *y.add(jj) } else { 0.0 };
            }
        }
    }
}

/// The micro-kernel: 4 rows of A times one packed B panel (8 columns) over `kc` steps, row
/// r's value at step q being `a[q * ks + r * rs]`; returns the 4x8 sums as [row r, half h]
/// at index 2r + h.
#[inline(always)]
unsafe fn kernel(kc: usize, a: *const f32, ks: usize, rs: usize, b: *const f32) -> [v128; 2 * MR] {
    let z = f32x4_splat(0.0);
    let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
    let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
    let mut a = a;
    let mut b = b;
    for _ in 0..kc {
        let b0 = v128_load(b as *const v128);
        let b1 = v128_load(b.add(4) as *const v128);
        let a0 = v128_load32_splat(a as *const u32);
        let a1 = v128_load32_splat(a.add(rs) as *const u32);
        let a2 = v128_load32_splat(a.add(2 * rs) as *const u32);
        let a3 = v128_load32_splat(a.add(3 * rs) as *const u32);
        c00 = f32x4_add(c00, f32x4_mul(a0, b0));
        c01 = f32x4_add(c01, f32x4_mul(a0, b1));
        c10 = f32x4_add(c10, f32x4_mul(a1, b0));
        c11 = f32x4_add(c11, f32x4_mul(a1, b1));
        c20 = f32x4_add(c20, f32x4_mul(a2, b0));
        c21 = f32x4_add(c21, f32x4_mul(a2, b1));
        c30 = f32x4_add(c30, f32x4_mul(a3, b0));
        c31 = f32x4_add(c31, f32x4_mul(a3, b1));
        a = a.add(ks);
        b = b.add(NR);
    }
    [c00, c01, c10, c11, c20, c21, c30, c31]
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn store_tile(acc: &[v128; 2 * MR], mr: usize, nr: usize, i0: usize, j0: usize, c: *mut f32, ldc: usize, first: bool, last: bool, epi: &Epilogue, probe: &mut v128) {
    if let Epilogue::Land { here, there } = *epi {
        let at = i0 * ldc + j0;
        land_tile(acc, mr, nr, c.add(at), ldc, first, here);
        if let Some((offset, how)) = there {
            land_tile(acc, mr, nr, c.add(offset + at), ldc, first, how);
        }
        return;
    }
    // K blocks after the first add onto what the first stored.
    let onto = !first;
    if mr == MR && nr == NR {
        for r in 0..MR {
            let row = i0 + r;
            for h in 0..2 {
                let col = j0 + 4 * h;
                let dst = c.add(row * ldc + col);
                let mut v = acc[2 * r + h];
                if onto {
                    v = f32x4_add(v, load(dst));
                }
                if last {
                    v = epi.apply(v, row, col, ldc, 4, probe);
                }
                store(dst, v);
            }
        }
        return;
    }
    for r in 0..mr {
        let row = i0 + r;
        for h in 0..2 {
            if h * 4 >= nr {
                break;
            }
            let width = 4.min(nr - h * 4);
            let col = j0 + 4 * h;
            let dst = core::slice::from_raw_parts_mut(c.add(row * ldc + col), width);
            let mut v = acc[2 * r + h];
            if onto {
                v = f32x4_add(v, load_partial(dst, 0.0));
            }
            if last {
                v = epi.apply(v, row, col, ldc, width, probe);
            }
            store_partial(dst, v);
        }
    }
}

/// An mr x nr tile of Strassen's M landing at `dst` (row stride `ldc`) as `how` says; K
/// blocks after the first add onto it.
#[inline(always)]
unsafe fn land_tile(acc: &[v128; 2 * MR], mr: usize, nr: usize, dst: *mut f32, ldc: usize, first: bool, how: Landing) {
    let (s, onto) = match how {
        Landing::Store => (1.0, !first),
        Landing::Add(s) => (s, true),
    };
    let s = splat(s);
    for r in 0..mr {
        for h in 0..2 {
            if h * 4 >= nr {
                break;
            }
            let (d, v) = (dst.add(r * ldc + 4 * h), acc[2 * r + h]);
            if nr - h * 4 >= 4 {
                store(d, if onto { f32x4_add(load(d), f32x4_mul(s, v)) } else { v });
            } else {
                let d = core::slice::from_raw_parts_mut(d, nr - h * 4);
                store_partial(d, if onto { f32x4_add(load_partial(d, 0.0), f32x4_mul(s, v)) } else { v });
            }
        }
    }
}

/// The plain triple loop, kept as the reference the tests compare the kernels against.
pub fn gemm_reference(m: usize, n: usize, k: usize, a: Strided, b: Strided, c: &mut [f32], ldc: usize) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                s += a.data[i * a.rs + p * a.cs] as f64 * b.data[p * b.rs + j * b.cs] as f64;
            }
            c[i * ldc + j] = s as f32;
        }
    }
}
