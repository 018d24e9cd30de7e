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
//! computed the same way whoever computes it. The compression is split over the threads too:
//! parts of the rows (counting each column's nonzeros on the way), then, for the weight
//! gradient, parts of the columns transposed from those rows. For a batch of 64 standardised
//! MNIST images with its transpose that took 20 µs on one thread and 14 on two (2-core EPYC,
//! 2026-12-04; compressing and then transposing on one thread took 11 + 19 µs before).

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
/// sparse rows): row r's are at `begins[r]..ends[r]` of `index` (their columns, increasing)
/// and `values`. Rows compressed by different threads lie in different regions, so a row's
/// nonzeros need not follow the row before's.
#[derive(Default)]
pub struct Sparse {
    pub rows: usize,
    pub cols: usize,
    /// c: 0, or the value most of a standardised input holds.
    pub background: f32,
    nonzeros: usize,
    begins: Vec<u32>,
    ends: Vec<u32>,
    index: Vec<u32>,
    values: Vec<f32>,
    /// In a transpose: each row part's count of nonzeros per column of A (`COUNTS_ALIGN`
    /// apart), which the compression forms on the way.
    col_counts: Vec<u32>,
}

/// Counts of different parts lie this many columns apart at least (a cache line).
const COUNTS_ALIGN: usize = 16;

/// `cols` rounded up to `COUNTS_ALIGN`.
fn counts_stride(cols: usize) -> usize {
    (cols + COUNTS_ALIGN - 1) / COUNTS_ALIGN * COUNTS_ALIGN
}

/// The most nonzeros a `rows x cols` A may have to be taken this way.
fn max_nonzeros(rows: usize, cols: usize) -> usize {
    rows.saturating_mul(cols) / DENSITY_DEN * DENSITY_NUM
}

/// Rows r0..r1 of `rows` in part p of `parts`.
fn row_part(rows: usize, parts: usize, p: usize) -> (usize, usize) {
    (rows * p / parts, rows * (p + 1) / parts)
}

/// Columns of part p of `parts`: boundaries on `COUNTS_ALIGN` columns (a cache line of
/// `ends`), so that parts on different threads write no line in common.
fn col_part(cols: usize, parts: usize, p: usize) -> (usize, usize) {
    let edge = |p: usize| if p == parts { cols } else { counts_stride(cols * p / parts).min(cols) };
    (edge(p), edge(p + 1))
}

/// Entries a part of `part_rows` rows may write: its nonzeros up to one row past the bound
/// (it stops there), and 4 more (a vector's lanes are written before they are counted).
fn part_capacity(part_rows: usize, cols: usize, bound: usize) -> usize {
    part_rows.saturating_mul(cols).min(bound.saturating_add(cols)).saturating_add(4)
}

/// Entries a compression of `rows x cols` into `parts` parts may write (saturating).
fn capacity(rows: usize, cols: usize, parts: usize) -> usize {
    let bound = max_nonzeros(rows, cols);
    (0..parts).map(|p| row_part(rows, parts, p)).fold(0usize, |sum, (r0, r1)| sum.saturating_add(part_capacity(r1 - r0, cols, bound)))
}

/// Threads a compression of `rows x cols` splits over, of `threads`: one below about as much
/// work as a forked product.
fn parts_for(threads: usize, rows: usize, cols: usize) -> usize {
    if rows.saturating_mul(cols).saturating_mul(16) < PARALLEL_FLOPS.load(Relaxed) {
        1
    } else {
        parallel::clamp(threads).min(rows)
    }
}

impl Sparse {
    /// Sizes the buffers for compressing any `rows x cols` matrix on one thread, so that
    /// doing so allocates nothing (evaluation's chunks on threads of their own).
    pub fn reserve(&mut self, rows: usize, cols: usize) -> Result<()> {
        self.reserve_parts(rows, cols, 1)
    }

    fn reserve_parts(&mut self, rows: usize, cols: usize, parts: usize) -> Result<()> {
        self.reserve_lines(rows, capacity(rows, cols, parts))
    }

    /// Room for `lines` rows and `entries` nonzeros; entries are addressed by u32.
    fn reserve_lines(&mut self, lines: usize, entries: usize) -> Result<()> {
        if entries > u32::MAX as usize {
            return Err(Error::oom("sparse rows", entries));
        }
        ensure_len(&mut self.begins, lines, "sparse rows")?;
        ensure_len(&mut self.ends, lines, "sparse rows")?;
        ensure_len(&mut self.index, entries, "sparse rows")?;
        ensure_len(&mut self.values, entries, "sparse rows")
    }

    /// Compresses the `rows x cols` row-major `a` on up to `threads` threads, its background
    /// being the value that more than half of its first row holds, if any, else 0; and with
    /// `transposed`, makes that A's transpose compressed (its columns as rows, each column's
    /// nonzeros in increasing row order, so that sums over them go in the dense kernel's
    /// order: for the weight gradient Aᵀ·dZ). Returns false (and leaves both holding nothing
    /// usable) when this way is off or more of `a` than the bound differs from the
    /// background. The threads compress parts of the rows and transpose parts of the columns,
    /// each part read from `a`; whichever thread does a part, it writes the same entries.
    pub fn compress(&mut self, threads: usize, a: &[f32], rows: usize, cols: usize, mut transposed: Option<&mut Sparse>) -> Result<bool> {
        self.rows = 0;
        if let Some(t) = transposed.as_deref_mut() {
            t.rows = 0;
        }
        if !ENABLED.load(Relaxed) || rows == 0 || cols == 0 {
            return Ok(false);
        }
        assert!(a.len() >= rows * cols, "sparse input too short");
        // A first row past the bound turns a dense input away at once, rather than after a
        // third of it has been compressed for nothing.
        let c = match first_row_background(&a[..cols]) {
            Some(c) => c,
            None => return Ok(false),
        };
        let parts = parts_for(threads, rows, cols);
        // Entries are addressed by u32: a larger A takes the dense kernels.
        if capacity(rows, cols, parts) > u32::MAX as usize {
            return Ok(false);
        }
        self.reserve_parts(rows, cols, parts)?;
        if let Some(t) = transposed.as_deref_mut() {
            t.reserve_lines(cols, max_nonzeros(rows, cols))?;
            ensure_len(&mut t.col_counts, parts * counts_stride(cols), "sparse rows")?;
        }
        let bound = max_nonzeros(rows, cols);
        let mut counts = [0usize; MAX_THREADS];
        let col_counts = transposed.as_deref_mut().map(|t| t.col_counts.as_mut_ptr());
        let job = Compression { a: a.as_ptr(), rows, cols, c, bound, parts, rows_out: Lines::of(self), cols_out: transposed.as_deref_mut().map(Lines::of), counts: counts.as_mut_ptr(), col_counts };
        let (compressing, transposing) = (Claim::new(parts), Claim::new(if job.cols_out.is_some() { parts } else { 0 }));
        // SAFETY: the parts write disjoint rows, columns, regions of entries and counts, within
        // what the reservations above sized; the transposing parts read the rows only once
        // all of them are compressed, and only when they are within the bound.
        parallel::run(parts, &|_, _| unsafe {
            compressing.each(|p| job.rows_part(p));
            compressing.wait_done();
            if job.total() <= bound {
                transposing.each(|p| job.cols_part(p));
            }
        });
        let total = job.total();
        if total > bound {
            return Ok(false);
        }
        for (s, shape) in [(Some(self), (rows, cols)), (transposed, (cols, rows))] {
            if let Some(s) = s {
                (s.rows, s.cols) = shape;
                s.background = c;
                s.nonzeros = total;
            }
        }
        Ok(true)
    }

    /// Nonzeros of row r: (columns, values).
    fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let (lo, hi) = (self.begins[r] as usize, self.ends[r] as usize);
        (&self.index[lo..hi], &self.values[lo..hi])
    }

    fn nonzeros(&self) -> usize {
        self.nonzeros
    }
}

/// Where one `Sparse`'s rows are written, shared by the threads of a compression.
struct Lines {
    begins: *mut u32,
    ends: *mut u32,
    index: *mut u32,
    values: *mut f32,
}

impl Lines {
    fn of(s: &mut Sparse) -> Lines {
        Lines { begins: s.begins.as_mut_ptr(), ends: s.ends.as_mut_ptr(), index: s.index.as_mut_ptr(), values: s.values.as_mut_ptr() }
    }
}

/// One compression as its threads share it: parts of the rows compressed, then (with a
/// transpose) parts of the columns transposed from them.
struct Compression {
    a: *const f32,
    rows: usize,
    cols: usize,
    c: f32,
    bound: usize,
    parts: usize,
    rows_out: Lines,
    cols_out: Option<Lines>,
    /// Nonzeros of each row part (past the bound when it stopped early).
    counts: *mut usize,
    /// With a transpose: each row part's nonzeros per column (`counts_stride` apart).
    col_counts: Option<*mut u32>,
}

unsafe impl Sync for Compression {}

impl Compression {
    /// Nonzeros of all the row parts (past the bound when one stopped early), once every
    /// part is done (the claim's `wait_done`, or the fork's end, orders their writes first).
    fn total(&self) -> usize {
        // SAFETY: `counts` holds `parts` counts.
        (0..self.parts).map(|p| unsafe { *self.counts.add(p) }).sum()
    }

    /// Compresses the rows of part p into the part's region of entries, stopping once the
    /// part alone holds more nonzeros than the bound.
    unsafe fn rows_part(&self, p: usize) {
        let (cols, c, out) = (self.cols, self.c, &self.rows_out);
        let cv = splat(c);
        let (r0, r1) = row_part(self.rows, self.parts, p);
        let start: usize = (0..p).map(|q| row_part(self.rows, self.parts, q)).map(|(a, b)| part_capacity(b - a, cols, self.bound)).sum();
        let (index, values) = (out.index.add(start), out.values.add(start));
        let col_counts = self.col_counts.map(|counts| counts.add(p * counts_stride(cols)));
        if let Some(counts) = col_counts {
            core::ptr::write_bytes(counts, 0, cols);
        }
        let mut count = 0usize;
        for r in r0..r1 {
            let row = self.a.add(r * cols);
            *out.begins.add(r) = (start + count) as u32;
            let mut j = 0;
            // `part_capacity` leaves room for cols + 4 entries past the bound, and count
            // exceeds the bound by less than one row before the check below.
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
                    if let Some(counts) = col_counts {
                        // Lanes that differ are −1: subtracting them counts them.
                        let at = counts.add(j) as *mut v128;
                        at.write_unaligned(i32x4_sub(at.read_unaligned(), f32x4_ne(v, cv)));
                    }
                }
                j += 4;
            }
            while j < cols {
                let x = *row.add(j);
                *index.add(count) = j as u32;
                *values.add(count) = x - c;
                count += (x != c) as usize;
                if let Some(counts) = col_counts {
                    *counts.add(j) += (x != c) as u32;
                }
                j += 1;
            }
            *out.ends.add(r) = (start + count) as u32;
            if count > self.bound {
                break;
            }
        }
        *self.counts.add(p) = count;
    }

    /// The entries of row r with columns in q0..q1 (a row's columns increase).
    unsafe fn row_within(&self, r: usize, q0: usize, q1: usize) -> (usize, usize) {
        let out = &self.rows_out;
        let (lo, hi) = (*out.begins.add(r) as usize, *out.ends.add(r) as usize);
        let index = core::slice::from_raw_parts(out.index.add(lo), hi - lo);
        let first = index.partition_point(|&q| (q as usize) < q0);
        let end = first + index[first..].partition_point(|&q| (q as usize) < q1);
        (lo + first, lo + end)
    }

    /// Transposes the columns of part p from the compressed rows: column q's nonzeros in
    /// row order, the part's columns one after another from where the columns before q0 end
    /// (so the transpose is laid out as if one thread had made it).
    unsafe fn cols_part(&self, p: usize) {
        let (out, col_counts) = match (&self.cols_out, self.col_counts) {
            (Some(out), Some(counts)) => (out, counts),
            _ => return,
        };
        let (rows, cols, src) = (self.rows, self.cols, &self.rows_out);
        let stride = counts_stride(cols);
        let column = |q: usize| (0..self.parts).map(|part| *col_counts.add(part * stride + q) as usize).sum::<usize>();
        let (q0, q1) = col_part(cols, self.parts, p);
        // Begins from the counts, and `ends` as the cursors.
        let mut next: usize = (0..q0).map(column).sum();
        for q in q0..q1 {
            *out.begins.add(q) = next as u32;
            *out.ends.add(q) = next as u32;
            next += column(q);
        }
        for r in 0..rows {
            let (lo, hi) = self.row_within(r, q0, q1);
            for e in lo..hi {
                let cursor = out.ends.add(*src.index.add(e) as usize);
                let at = *cursor as usize;
                *out.index.add(at) = r as u32;
                *out.values.add(at) = *src.values.add(e);
                *cursor = at as u32 + 1;
            }
        }
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
    let (c, others) = match majority(first) {
        Some((c, count)) if c.is_finite() => (c, first.len() - count),
        _ => (0.0, first.iter().filter(|&&x| x != 0.0).count()),
    };
    (others <= max_nonzeros(1, first.len())).then(|| c)
}

/// Whether an input whose first row is `first` may take this way (the rest decides).
pub fn may_take(first: &[f32]) -> bool {
    ENABLED.load(Relaxed) && !first.is_empty() && first_row_background(first).is_some()
}

/// The value more than half of `x` holds and how many hold it, if one does (Boyer and
/// Moore's vote, then a count; −0 counts as 0).
fn majority(x: &[f32]) -> Option<(f32, usize)> {
    let (mut pick, mut lead) = (0.0f32, 0usize);
    for &v in x {
        if lead == 0 {
            pick = v;
        }
        lead = if v == pick { lead + 1 } else { lead - 1 };
    }
    let count = x.iter().filter(|&&v| v == pick).count();
    (count * 2 > x.len()).then(|| (pick, count))
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
