//! Products whose A is mostly zeros: the first layer's, whose A is the input (an image's
//! background pixels are zeros: MNIST's inputs are 81% zeros), in the forward pass (X·W) and
//! for the weight gradient (Xᵀ·dZ).
//!
//! Standardised inputs have no zeros, but the background is still one value c (an image's
//! 0 pixels all map to it): then A = c + S, S being mostly zeros, and A·B = S·B + c·(1ᵀB),
//! Aᵀ·B = Sᵀ·B + c·(1ᵀB) too (1ᵀB: the column sums of B, added to each row of C). So a
//! product skips A's c's instead (`Sparse::background`) and adds c times B's column sums
//! to every row (formed by `product` itself). That rounds differently from the dense
//! kernel (its terms are summed in another order), within float32 tolerance, and the same
//! way whoever computes it.
//!
//! A is compressed into its nonzeros row by row (`Sparse`, built once per batch or chunk),
//! and each row of C is the sum, over the row's nonzeros a_q, of a_q times row q of a
//! row-major B: a tile of `TILE` vectors (24 columns) of C sits in registers while the row's
//! nonzeros go by. Skipping a zero of A skips a term that is ±0 when B is finite, and adding
//! ±0 onto the kernel's running sum (which starts at +0) never changes it, so taking the
//! nonzeros in order gives the dense kernel's sums to the bit: which way a product goes
//! changes no result. (With a NaN or an infinity in B the dense kernel makes 0·∞ = NaN; this
//! way does not. Training refuses any step that would leave one in the weights.)
//!
//! Why 6 vectors: TurboFan loads all of a step's B values before its arithmetic (see
//! `gemm`), so 6 accumulators + 6 B vectors + the broadcast A value take 13 of the 15 usable
//! xmm registers. The 6 add chains are what 2 add pipes with 3 cycles of latency need. Tiles
//! of 4 vectors ran as fast, of 8 (17 live values for 15 registers) 10-18% slower (2-core
//! EPYC, 2026-12-04).
//!
//! Threads: a product first forms B's column sums (and copies B's tiles to be contiguous, see
//! `packs`) tile by tile, claimed by the threads, then computes units of C (a tile of columns
//! by a part of the rows) from home ranges with stealing, as `gemm` does; each element of C is
//! computed the same way whoever computes it. The compression and its transpose run on the
//! calling thread (about 11 and 19 µs for a batch of 64 MNIST images).

use core::arch::wasm32::*;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use crate::buffer::ensure_len;
use crate::error::{Error, Result};
use crate::gemm::{Epilogue, PARALLEL_FLOPS};
use crate::parallel::{self, Claim, Split, MAX_THREADS};
use crate::simd::{load, splat, store, store_partial};

/// Vectors of 4 columns in a tile of C.
pub const TILE: usize = 6;

/// A is taken this way when at most this fraction of it differs from its background (as
/// DENSITY_NUM / DENSITY_DEN, so the bound is exact in integers). Inputs of the reference
/// network with nonzeros scattered at random (2-core EPYC, 2026-12-04, in-process A/B):
/// at 30% this way inferred 1.13x and trained 1.20x as fast as the dense kernels, at 40%
/// 0.93x and 1.06x, at 50% 0.88x and 1.05x. MNIST's pixels (19% nonzero, in strokes): 1.6x
/// both.
const DENSITY_NUM: usize = 1;
const DENSITY_DEN: usize = 3;

/// Off only in A/B measurements and tests (`mlp_test_set_sparse`).
pub static ENABLED: AtomicBool = AtomicBool::new(true);

/// Products taken this way so far, so the tests can tell that theirs were
/// (`mlp_test_sparse_products`).
pub static PRODUCTS: AtomicUsize = AtomicUsize::new(0);

/// A matrix A less its background c, S = A − c, by S's nonzeros row by row (compressed
/// sparse rows): row r's are at `starts[r]..starts[r + 1]` of `index` (their columns,
/// increasing) and `values`.
#[derive(Default)]
pub struct Sparse {
    pub rows: usize,
    pub cols: usize,
    /// c: 0, or the value most of a standardised input holds.
    pub background: f32,
    starts: Vec<u32>,
    index: Vec<u32>,
    values: Vec<f32>,
}

/// The most nonzeros a `rows x cols` A may have to be taken this way.
fn max_nonzeros(rows: usize, cols: usize) -> usize {
    rows.saturating_mul(cols) / DENSITY_DEN * DENSITY_NUM
}

impl Sparse {
    /// Sizes the buffers for compressing any `rows x cols` matrix (and its transpose), so
    /// that doing so allocates nothing.
    pub fn reserve(&mut self, rows: usize, cols: usize) -> Result<()> {
        let lines = rows.max(cols).checked_add(1).ok_or_else(|| Error::oom("sparse rows", usize::MAX))?;
        // A row may write up to 4 entries past the bound before it is checked.
        let entries = max_nonzeros(rows, cols).checked_add(cols + 4).ok_or_else(|| Error::oom("sparse rows", usize::MAX))?;
        ensure_len(&mut self.starts, lines, "sparse rows")?;
        ensure_len(&mut self.index, entries, "sparse rows")?;
        ensure_len(&mut self.values, entries, "sparse rows")
    }

    /// Compresses the `rows x cols` row-major `a`, its background being the value that more
    /// than half of its first row holds, if any, else 0. Returns false (and
    /// leaves self holding nothing usable) when this way is off or more of `a` than the bound
    /// differs from the background.
    pub fn compress(&mut self, a: &[f32], rows: usize, cols: usize) -> Result<bool> {
        self.rows = 0;
        if !ENABLED.load(Relaxed) || rows == 0 || cols == 0 {
            return Ok(false);
        }
        assert!(a.len() >= rows * cols, "sparse input too short");
        self.reserve(rows, cols)?;
        // A first row past the bound turns a dense input away at once, rather than after a
        // third of it has been compressed for nothing.
        let c = match first_row_background(&a[..cols]) {
            Some(c) => c,
            None => return Ok(false),
        };
        self.background = c;
        let cv = splat(c);
        let bound = max_nonzeros(rows, cols);
        let (index, values) = (self.index.as_mut_ptr(), self.values.as_mut_ptr());
        let mut count = 0usize;
        self.starts[0] = 0;
        for r in 0..rows {
            let row = a[r * cols..(r + 1) * cols].as_ptr();
            let mut j = 0;
            // SAFETY: `reserve` leaves room for cols + 4 entries past the bound, and count
            // exceeds the bound by less than one row before the check below.
            unsafe {
                while j + 4 <= cols {
                    let v = load(row.add(j));
                    let nonzero = i32x4_bitmask(f32x4_ne(v, cv));
                    if nonzero != 0 {
                        // Each lane written, and kept (count advanced) only when nonzero.
                        let s = f32x4_sub(v, cv);
                        let lanes = [f32x4_extract_lane::<0>(s), f32x4_extract_lane::<1>(s), f32x4_extract_lane::<2>(s), f32x4_extract_lane::<3>(s)];
                        for (lane, &x) in lanes.iter().enumerate() {
                            *index.add(count) = (j + lane) as u32;
                            *values.add(count) = x;
                            count += (nonzero >> lane) as usize & 1;
                        }
                    }
                    j += 4;
                }
                while j < cols {
                    let x = *row.add(j);
                    *index.add(count) = j as u32;
                    *values.add(count) = x - c;
                    count += (x != c) as usize;
                    j += 1;
                }
            }
            if count > bound {
                return Ok(false);
            }
            self.starts[r + 1] = count as u32;
        }
        self.rows = rows;
        self.cols = cols;
        Ok(true)
    }

    /// Makes self the transpose of `a` (its columns as rows, each column's nonzeros in
    /// increasing row order, so sums over them go in the dense kernel's order).
    pub fn transpose_of(&mut self, a: &Sparse) -> Result<()> {
        let (rows, cols) = (a.cols, a.rows);
        self.reserve(rows, cols)?;
        let nnz = a.starts[a.rows] as usize;
        // Count per column of a, then turn the counts into starts.
        self.starts[..rows + 1].fill(0);
        for &q in &a.index[..nnz] {
            self.starts[q as usize + 1] += 1;
        }
        for r in 0..rows {
            self.starts[r + 1] += self.starts[r];
        }
        // Place each entry, using starts[q] as column q's cursor, then shift the cursors back.
        for i in 0..a.rows {
            for e in a.starts[i] as usize..a.starts[i + 1] as usize {
                let q = a.index[e] as usize;
                let at = self.starts[q] as usize;
                self.index[at] = i as u32;
                self.values[at] = a.values[e];
                self.starts[q] += 1;
            }
        }
        for r in (0..rows).rev() {
            self.starts[r + 1] = self.starts[r];
        }
        self.starts[0] = 0;
        self.background = a.background;
        self.rows = rows;
        self.cols = cols;
        Ok(())
    }

    /// Nonzeros of row r: (columns, values).
    fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (lo, hi) = (self.starts[r] as usize, self.starts[r + 1] as usize);
        (&self.index[lo..hi], &self.values[lo..hi])
    }

    fn nonzeros(&self) -> usize {
        self.starts[self.rows] as usize
    }
}

/// Whether `product` can read B (k x n, row stride ldb) from `b`: its last row's last tile
/// reads whole vectors, up to 3 floats past column n.
pub fn b_fits(b: &[f32], k: usize, n: usize, ldb: usize) -> bool {
    k == 0 || n == 0 || (ldb >= n && (k - 1).checked_mul(ldb).and_then(|x| x.checked_add((n + 3) & !3)).map_or(false, |end| end <= b.len()))
}

/// Floats of `product`'s scratch for A (m x k) · B (k x n): B's column sums and, when it
/// packs B (see `packs`), B's tiles.
pub fn scratch_len(m: usize, n: usize, k: usize) -> Option<usize> {
    if packs(m, k) {
        prepared_len(n, k)
    } else {
        Some(sums_len(n))
    }
}

/// Floats of B (k x n) prepared once for many products (`prepare_b`): its column sums, then
/// its tiles.
pub fn prepared_len(n: usize, k: usize) -> Option<usize> {
    tiles_of(n).checked_mul(k)?.checked_mul(4 * TILE)?.checked_add(sums_len(n))
}

/// Floats before the tiles in a scratch or a prepared B: the column sums, whole vectors, and
/// room to spare.
fn sums_len(n: usize) -> usize {
    ((n + 3) & !3) + 16
}

/// Tiles of `TILE` vectors across n columns.
fn tiles_of(n: usize) -> usize {
    (n + 4 * TILE - 1) / (4 * TILE)
}

/// Fills `dst` (`prepared_len` floats) with what `product` forms of B (k x n, row stride
/// ldb; `b_fits`) before its units, for every product that reads this B (evaluation's
/// weights): the same values, so the products are the same to the bit.
pub fn prepare_b(b: &[f32], k: usize, n: usize, ldb: usize, dst: &mut [f32]) {
    assert!(b_fits(b, k, n, ldb) && prepared_len(n, k).map_or(false, |len| dst.len() >= len), "prepare_b: operand too small");
    let sums = dst.as_mut_ptr();
    for tile in 0..tiles_of(n) {
        // SAFETY: the assertion covers every read of B and every write of dst.
        unsafe { prepare_tile(b.as_ptr(), ldb, k, n, tile, sums, Some(sums.add(sums_len(n)))) };
    }
}

/// Whether `product` copies B's tiles to be contiguous first: when a tile of B (k rows of 96
/// bytes, each a row of B apart) is larger than L1 and enough rows of A read it. Then each
/// row of a tile takes 1.5 cache lines instead of 2.5 on average, and a run of nonzeros of A
/// (the pixels of a stroke) reads rows of B that lie next to each other. On standardised
/// MNIST (2-core EPYC, 2026-12-04, in-process A/B) inference at batch 1000 (256-row chunks)
/// ran 6-9% faster, copy included; a training batch of 64 rows 5% slower (so it does not).
fn packs(m: usize, k: usize) -> bool {
    m >= 128 && k * 4 * TILE * 4 > 32 * 1024
}

/// C (a.rows x n, row stride ldc) = epilogue(A·B) for a compressed A (a.rows x k, k =
/// a.cols) and a row-major B (k x n, row stride ldb; `b_fits`), on up to `threads` threads
/// (units: a tile of columns by a part of the rows). `scratch` (grown to `scratch_len`)
/// receives, tile by tile and split over the threads before any unit: B's column sums when
/// the background c is not 0 (c times them is added to every row), and B's tiles when it
/// `packs` them; unless `prepared` holds both already (`prepare_b`). Returns false when a
/// `Descend` step gave a NaN or an infinity.
#[allow(clippy::too_many_arguments)]
pub fn product(threads: usize, a: &Sparse, n: usize, b: &[f32], ldb: usize, prepared: Option<&[f32]>, scratch: &mut Vec<f32>, c: &mut [f32], ldc: usize, epi: Epilogue) -> Result<bool> {
    let (m, k) = (a.rows, a.cols);
    if m == 0 || n == 0 {
        return Ok(true);
    }
    assert!(b_fits(b, k, n, ldb), "sparse product B too small");
    assert!(ldc >= n && c.len() >= (m - 1) * ldc + n, "sparse product output too small");
    epi.check(m, n, ldc, c.len());
    if let Some(p) = prepared {
        assert!(prepared_len(n, k).map_or(false, |len| p.len() >= len), "sparse product prepared B too short");
    } else {
        let len = scratch_len(m, n, k).ok_or_else(|| Error::oom("sparse product scratch", usize::MAX))?;
        ensure_len(scratch, len, "sparse product scratch")?;
    }
    PRODUCTS.fetch_add(1, Relaxed);
    let flops = a.nonzeros().saturating_mul(n).saturating_mul(2);
    let threads = if flops < PARALLEL_FLOPS.load(Relaxed) { 1 } else { parallel::clamp(threads) };
    let tiles = tiles_of(n);
    // On several threads, parts of the rows too, so that the units end close together.
    let parts = if threads == 1 { 1 } else { (m / 32).clamp(1, 8) };
    let units = tiles * parts;
    let threads = threads.min(units);
    // Prepared B is only read (`prepare_tile` never runs on it).
    let sums = prepared.map_or(scratch.as_mut_ptr(), |p| p.as_ptr() as *mut f32);
    let packed = (prepared.is_some() || packs(m, k)).then(|| unsafe { sums.add(sums_len(n)) });
    let job = Job { a, n, b: b.as_ptr(), ldb, sums, packed, c: c.as_mut_ptr(), ldc, epi, parts };
    // Column sums and packing first, a tile at a time (split over the threads: each is a pass
    // over all of B; on one thread the sums took 3% of a standardised-MNIST training step).
    let prepare = Claim::new(if prepared.is_some() || (a.background == 0.0 && packed.is_none()) { 0 } else { tiles });
    if threads == 1 {
        prepare.each(|tile| unsafe { prepare_tile(job.b, job.ldb, k, n, tile, job.sums, job.packed) });
        return Ok(unsafe { job.units(0, units) });
    }
    let split = Split::new(units, threads);
    let mut finite = [true; MAX_THREADS];
    let finite_ptr = finite.as_mut_ptr() as usize;
    parallel::run(threads, &|t, _| {
        prepare.each(|tile| unsafe { prepare_tile(job.b, job.ldb, k, n, tile, job.sums, job.packed) });
        prepare.wait_done();
        let mut ok = true;
        split.each(t, |u| ok &= unsafe { job.units(u, u + 1) });
        // SAFETY: each thread writes its own slot.
        unsafe { *(finite_ptr as *mut bool).add(t) = ok };
    });
    Ok(finite[..threads].iter().all(|&f| f))
}

/// One product as its threads share it (C written in disjoint tiles).
struct Job<'a> {
    a: &'a Sparse,
    n: usize,
    b: *const f32,
    ldb: usize,
    /// B's column sums, and B's tiles packed one after another (k rows of `4 * TILE` floats
    /// each), written by `prepare_tile` before any unit reads them.
    sums: *mut f32,
    packed: Option<*mut f32>,
    c: *mut f32,
    ldc: usize,
    epi: Epilogue<'a>,
    parts: usize,
}

unsafe impl Sync for Job<'_> {}

impl Job<'_> {
    /// Computes units first..end: unit u is tile u / parts of the columns over part u % parts
    /// of the rows (a thread's consecutive units share their tile of B).
    unsafe fn units(&self, first: usize, end: usize) -> bool {
        let mut probe = splat(0.0);
        let m = self.a.rows;
        for u in first..end {
            let (tile, part) = (u / self.parts, u % self.parts);
            let j0 = tile * 4 * TILE;
            let vectors = ((self.n - j0 + 3) / 4).min(TILE);
            for r in m * part / self.parts..m * (part + 1) / self.parts {
                let (index, values) = self.a.row(r);
                let (b, ldb) = self.tile_of_b(tile);
                match vectors {
                    6 => self.finish(r, j0, &row_tile::<6>(index, values, b, ldb), &mut probe),
                    5 => self.finish(r, j0, &row_tile::<5>(index, values, b, ldb), &mut probe),
                    4 => self.finish(r, j0, &row_tile::<4>(index, values, b, ldb), &mut probe),
                    3 => self.finish(r, j0, &row_tile::<3>(index, values, b, ldb), &mut probe),
                    2 => self.finish(r, j0, &row_tile::<2>(index, values, b, ldb), &mut probe),
                    _ => self.finish(r, j0, &row_tile::<1>(index, values, b, ldb), &mut probe),
                }
            }
        }
        crate::simd::hsum(probe) == 0.0
    }

    /// Where tile `tile` of B starts, and its row stride.
    #[inline(always)]
    unsafe fn tile_of_b(&self, tile: usize) -> (*const f32, usize) {
        match self.packed {
            Some(p) => (p.add(tile * self.a.cols * 4 * TILE), 4 * TILE),
            None => (self.b.add(tile * 4 * TILE), self.ldb),
        }
    }

    /// Applies the epilogue to a row's tile and stores it in C. Lanes past column n (read
    /// from whatever follows in B) are zeroed first, as the dense kernel's padding is.
    #[inline(always)]
    unsafe fn finish<const V: usize>(&self, r: usize, j0: usize, acc: &[v128; V], probe: &mut v128) {
        let background = self.a.background;
        for (v, &sum) in acc.iter().enumerate() {
            let col = j0 + 4 * v;
            let sum = if background == 0.0 { sum } else { f32x4_add(sum, f32x4_mul(splat(background), load(self.sums.add(col)))) };
            let width = 4.min(self.n - col);
            let dst = self.c.add(r * self.ldc + col);
            if width == 4 {
                store(dst, self.epi.apply(sum, r, col, self.ldc, 4, probe));
            } else {
                let keep = i32x4(-1, if width > 1 { -1 } else { 0 }, if width > 2 { -1 } else { 0 }, 0);
                let out = self.epi.apply(v128_and(sum, keep), r, col, self.ldc, width, probe);
                store_partial(core::slice::from_raw_parts_mut(dst, width), out);
            }
        }
    }
}

/// One row's tile: Σ over its nonzeros (columns `index`, `values`) of value × row q of B
/// (from `b`, row stride ldb), V vectors wide.
#[inline(always)]
unsafe fn row_tile<const V: usize>(index: &[u32], values: &[f32], b: *const f32, ldb: usize) -> [v128; V] {
    let mut acc = [f32x4_splat(0.0); V];
    for (&q, x) in index.iter().zip(values) {
        let x = v128_load32_splat(x as *const f32 as *const u32);
        let row = b.add(q as usize * ldb);
        for (v, sum) in acc.iter_mut().enumerate() {
            *sum = f32x4_add(*sum, f32x4_mul(x, load(row.add(4 * v))));
        }
    }
    acc
}

/// The background of an input whose first row is `first`, unless that row alone differs
/// from it in more values than the bound (then the input does not take this way).
fn first_row_background(first: &[f32]) -> Option<f32> {
    let c = majority(first).filter(|c| c.is_finite()).unwrap_or(0.0);
    (first.iter().filter(|&&x| x != c).count() <= max_nonzeros(1, first.len())).then(|| c)
}

/// Whether an input whose first row is `first` may take this way (the rest decides).
pub fn may_take(first: &[f32]) -> bool {
    ENABLED.load(Relaxed) && !first.is_empty() && first_row_background(first).is_some()
}

/// The value more than half of `x` holds, if one does (Boyer and Moore's vote, then a count;
/// −0 counts as 0).
fn majority(x: &[f32]) -> Option<f32> {
    let (mut pick, mut lead) = (0.0f32, 0usize);
    for &v in x {
        if lead == 0 {
            pick = v;
        }
        lead = if v == pick { lead + 1 } else { lead - 1 };
    }
    (x.iter().filter(|&&v| v == pick).count() * 2 > x.len()).then(|| pick)
}

/// Forms B's column sums over tile `tile`'s columns in `sums` and, when `packed` is given,
/// copies the tile there (k rows of `4 * TILE` floats per tile), whole vectors (up to 3
/// columns past n, read from whatever follows in B).
///
/// # Safety
/// B must be as `b_fits` says; `sums` and `packed` must hold what `prepared_len` counts;
/// threads must prepare different tiles.
unsafe fn prepare_tile(b: *const f32, ldb: usize, k: usize, n: usize, tile: usize, sums: *mut f32, packed: Option<*mut f32>) {
    // Summed in registers and stored once: threads summing neighbouring tiles share the
    // cache lines between them.
    let j0 = tile * 4 * TILE;
    let vectors = ((n - j0 + 3) / 4).min(TILE);
    let mut acc = [splat(0.0); TILE];
    let dst = packed.map(|p| p.add(tile * k * 4 * TILE));
    for q in 0..k {
        let row = b.add(q * ldb + j0);
        for (v, sum) in acc.iter_mut().enumerate().take(vectors) {
            let x = load(row.add(4 * v));
            *sum = f32x4_add(*sum, x);
            if let Some(d) = dst {
                store(d.add(q * 4 * TILE + 4 * v), x);
            }
        }
    }
    for (v, &sum) in acc.iter().enumerate().take(vectors) {
        store(sums.add(j0 + 4 * v), sum);
    }
}
