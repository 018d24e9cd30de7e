//! One level of Strassen's algorithm for the large forward products of evaluation: seven
//! half-size products instead of eight, so 12.5% fewer flops where the kernel already runs
//! near the SIMD128 ceiling.
//!
//! With A (m x k) and B (k x n) cut into quadrants, Strassen (1969):
//!
//! ```text
//! M1 = (A11 + A22)(B11 + B22)    M5 = (A11 + A12) B22
//! M2 = (A21 + A22) B11           M6 = (A21 − A11)(B11 + B12)
//! M3 = A11 (B12 − B22)           M7 = (A12 − A22)(B21 + B22)
//! M4 = A22 (B21 − B11)
//! C11 = M1 + M4 − M5 + M7    C12 = M3 + M5    C21 = M2 + M4    C22 = M1 − M2 + M3 + M6
//! ```
//!
//! As in Huang, Smith, Henry and van de Geijn's "Strassen's algorithm reloaded" (SC16), the
//! B sums are formed while B is packed (`BOperand::Matrix`; evaluation packs them once for
//! all, `pack_operands`) and every product lands on its one or two quadrants of C through the
//! kernel's epilogue (`Epilogue::Land`: stored, or added with a sign). What takes a pass of
//! its own: the A sums (A is otherwise read in place) and the bias + activation. Landing M4
//! and M5 through a scratch matrix, and M1-M3's second landing in passes, had inferred 0.3-0.6%
//! slower, with the same bits (2-core Xeon, 2026-12-03). On the same host (one thread) the
//! 128x392 · 392x250 halves of the first layer's 256-row chunks ran at 38.7 GFLOP/s against
//! 39.2 for the whole; with the passes, a 256x784 · 784x500 product took 4% less time, not 12.5%, and inference at
//! batch 1000 ran 4.1-4.3% faster (in-process A/B). Split over two threads it gained nothing
//! (0.994x: 7 forks instead of 1, plus the passes'); since two threads evaluate whole chunks
//! each on its own (see `evaluation`), it gains there as on one (1.044x). It is used at every
//! thread count, so evaluation gives the same bits whatever the count. Applying the bias and
//! activation with each quadrant's last contribution instead of in a final pass was no faster
//! (0.984x; 0.993x again once evaluation packed its weights once).
//!
//! Only evaluation uses it (`evaluation::evaluate`): training's products keep the
//! plain kernel, so a training run is bit for bit what it was. Strassen's rounding differs
//! from the plain product's by a few float32 ulps of the largest terms (its sums mix them),
//! well inside what the tests allow against the float64 reference.

use crate::activations::Act;
use crate::buffer::ensure_len;
use crate::error::Result;
use crate::gemm::{self, gemm_operand_threads, BOperand, Epilogue, Landing, Strided};
use crate::parallel;
use crate::simd::{load, load_partial, splat, store, store_partial};
use core::arch::wasm32::*;
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// The smallest half of each dimension worth it: below, the half products' padding and
/// packing eat the saved flops (a 256x250 · 250x100 product ran as fast plain as in seven
/// 128x125 · 125x50 halves).
pub const MIN_HALF: usize = 100;

/// Element-wise passes smaller than this stay on one thread.
const PARALLEL_ELEMENTS: usize = 1 << 14;

/// Off only in A/B measurements (`mlp_test_set_strassen`).
pub static ENABLED: AtomicBool = AtomicBool::new(true);

/// Whether `forward` can multiply A (m x k) by B (k x n): every dimension even, with halves
/// of at least `MIN_HALF`.
pub fn fits(m: usize, n: usize, k: usize) -> bool {
    [m, n, k].iter().all(|&d| d % 2 == 0 && d / 2 >= MIN_HALF)
}

/// Whether evaluation multiplies this way (`fits`, unless switched off).
pub fn applies(m: usize, n: usize, k: usize) -> bool {
    ENABLED.load(Relaxed) && fits(m, n, k)
}

/// Scratch for the A sums, grown once to the largest product's halves.
#[derive(Default)]
pub struct Scratch {
    /// An A sum (m/2 x k/2).
    a_sum: Vec<f32>,
}

impl Scratch {
    /// Grows the scratch for a product of A (m x k) as `fits` says.
    pub fn reserve(&mut self, m: usize, k: usize) -> Result<()> {
        ensure_len(&mut self.a_sum, (m / 2) * (k / 2), "Strassen sums")
    }
}

/// The B operands of M1..M7, in the order `forward` takes them: quadrant (row, column) of B,
/// plus s times another when given.
type Quadrant = (usize, usize);
const OPERANDS: [(Quadrant, Option<(Quadrant, f32)>); 7] = [
    ((0, 0), Some(((1, 1), 1.0))),  // M1: B11 + B22
    ((0, 0), None),                 // M2: B11
    ((0, 1), Some(((1, 1), -1.0))), // M3: B12 − B22
    ((1, 0), Some(((0, 0), -1.0))), // M4: B21 − B11
    ((1, 1), None),                 // M5: B22
    ((0, 0), Some(((0, 1), 1.0))),  // M6: B11 + B12
    ((1, 0), Some(((1, 1), 1.0))),  // M7: B21 + B22
];

/// B operand i (of M_{i+1}) of a row-major B (k x n): a quadrant, plus s times another.
fn operand(b: &[f32], n: usize, k: usize, i: usize) -> (Strided, Option<(Strided, f32)>) {
    let (w, d) = (n / 2, k / 2);
    let q = |(i, j): Quadrant| Strided { data: &b[i * d * n + j * w..], rs: n, cs: 1 };
    let (x, y) = OPERANDS[i];
    (q(x), y.map(|(y, s)| (q(y), s)))
}

/// Floats of B's seven operands packed (`pack_operands`), 16-byte alignment aside.
pub fn packed_operands_len(n: usize, k: usize) -> Option<usize> {
    gemm::packed_b_len(k / 2, n / 2)?.checked_mul(OPERANDS.len())
}

/// Packs the seven B operands of a product by B (k x n, row-major, as `fits` says) into
/// `dst` (16-byte aligned, `packed_operands_len` floats), for `forward` to take instead of B:
/// weights that many products read unchanged are then packed once.
pub fn pack_operands(n: usize, k: usize, b: &[f32], dst: &mut [f32]) {
    assert!(n % 2 == 0 && k % 2 == 0 && b.len() >= k * n);
    let len = gemm::packed_b_len(k / 2, n / 2).unwrap();
    for (i, dst) in dst.chunks_exact_mut(len).take(OPERANDS.len()).enumerate() {
        let (x, y) = operand(b, n, k, i);
        gemm::pack_b(x, y, k / 2, n / 2, dst);
    }
}

/// The length of `pack` that `forward` needs on one thread (see `gemm::pack_len_one_thread`).
pub fn pack_len_one_thread(m: usize, n: usize, k: usize) -> Option<usize> {
    gemm::pack_len_one_thread(m / 2, n / 2, k / 2)
}

/// C = act(A·B + bias) for row-major A (m x k, row stride k), B (k x n) and C (m x n), the
/// dimensions being as `fits` says; `packed`, when given, holds B's operands as
/// `pack_operands` made them (B itself is then not read). Softmax is left to the caller (pass
/// `Act::Linear`). Values below `TINY` are stored as 0 (as `Epilogue::BiasAct`).
#[allow(clippy::too_many_arguments)]
pub fn forward(threads: usize, m: usize, n: usize, k: usize, a: &[f32], b: &[f32], packed: Option<&[f32]>, c: &mut [f32], bias: &[f32], act: Act, scratch: &mut Scratch, pack: &mut Vec<f32>) -> Result<()> {
    assert!(fits(m, n, k) && a.len() >= m * k && b.len() >= k * n && c.len() >= m * n && bias.len() >= n);
    assert!(packed.map_or(true, |p| packed_operands_len(n, k).map_or(false, |len| p.len() >= len)));
    let (h, w, d) = (m / 2, n / 2, k / 2);
    scratch.reserve(m, k)?;
    // Quadrants (row, column) of A and C.
    let (q11, q12, q21, q22): (Quadrant, Quadrant, Quadrant, Quadrant) = ((0, 0), (0, 1), (1, 0), (1, 1));
    let a_q = |q: Quadrant| Strided { data: &a[q.0 * h * k + q.1 * d..], rs: k, cs: 1 };
    let op_len = gemm::packed_b_len(d, w).unwrap();
    let b_op = |i: usize| match packed {
        Some(p) => BOperand::Packed(&p[i * op_len..(i + 1) * op_len]),
        None => {
            let (x, y) = operand(b, n, k, i);
            BOperand::Matrix(x, y)
        }
    };
    let (cp, c_at) = (c.as_mut_ptr(), |q: Quadrant| q.0 * h * n + q.1 * w);
    let sum_ptr = scratch.a_sum.as_mut_ptr();
    // A fresh view per product: the sums are rewritten between products.
    let sum = || Strided::row_major(unsafe { core::slice::from_raw_parts(sum_ptr, h * d) }, d);
    // SAFETY (both closures): every view is of a quadrant inside a, c or the scratch, which
    // `ensure_len` and the assertion above sized; `sum_quadrants` reads and writes them row
    // by row, and a product writes only the h x w quadrants its landings name.
    let a_sum = |x: Quadrant, y: Quadrant, s: f32| unsafe {
        sum_quadrants(threads, h, d, sum_ptr, a_q(x).data.as_ptr(), a_q(y).data.as_ptr(), k, s);
    };
    // M lands on quadrant `here` and, when given, also on `there` (a later quadrant).
    let mut product = |a: Strided, op: usize, here: (Quadrant, Landing), there: Option<(Quadrant, Landing)>| -> Result<()> {
        let at = c_at(here.0);
        let out = unsafe { core::slice::from_raw_parts_mut(cp.add(at), m * n - at) };
        let there = there.map(|(q, how)| (c_at(q) - at, how));
        gemm_operand_threads(threads, h, w, d, a, b_op(op), out, n, Epilogue::Land { here: here.1, there }, pack).map(|_| ())
    };

    use Landing::{Add, Store};
    // M1 = (A11 + A22)(B11 + B22): C11 = C22 = M1.
    a_sum(q11, q22, 1.0);
    product(sum(), 0, (q11, Store), Some((q22, Store)))?;
    // M2 = (A21 + A22) B11: C21 = M2, C22 −= M2.
    a_sum(q21, q22, 1.0);
    product(sum(), 1, (q21, Store), Some((q22, Add(-1.0))))?;
    // M3 = A11 (B12 − B22): C12 = M3, C22 += M3.
    product(a_q(q11), 2, (q12, Store), Some((q22, Add(1.0))))?;
    // M6 = (A21 − A11)(B11 + B12): C22 += M6.
    a_sum(q21, q11, -1.0);
    product(sum(), 5, (q22, Add(1.0)), None)?;
    // M4 = A22 (B21 − B11): C11 += M4, C21 += M4.
    product(a_q(q22), 3, (q11, Add(1.0)), Some((q21, Add(1.0))))?;
    // M5 = (A11 + A12) B22: C11 −= M5, C12 += M5.
    a_sum(q11, q12, 1.0);
    product(sum(), 4, (q11, Add(-1.0)), Some((q12, Add(1.0))))?;
    // M7 = (A12 − A22)(B21 + B22): C11 += M7.
    a_sum(q12, q22, -1.0);
    product(sum(), 6, (q11, Add(1.0)), None)?;

    // The plain kernel's epilogue, as one pass: act(C + bias).
    let cu = cp as usize;
    rows_on_threads(threads, m, n, &|r0, r1| {
        for r in r0..r1 {
            let row = unsafe { core::slice::from_raw_parts_mut((cu as *mut f32).add(r * n), n) };
            crate::simd::zip_inplace(row, bias, |v, b| act.apply_stored_v(f32x4_add(v, b)));
        }
    });
    Ok(())
}

/// dst = x + s·y (s = ±1) for `rows x cols` quadrants x and y of A (row stride `ld`), dst
/// being contiguous; split by rows over up to `threads` threads.
///
/// # Safety
/// x and y must be valid for `rows` rows of stride `ld`, dst for rows·cols floats apart from
/// them.
#[allow(clippy::too_many_arguments)]
unsafe fn sum_quadrants(threads: usize, rows: usize, cols: usize, dst: *mut f32, x: *const f32, y: *const f32, ld: usize, s: f32) {
    let (dst, x, y) = (dst as usize, x as usize, y as usize);
    rows_on_threads(threads, rows, cols, &|r0, r1| {
        for r in r0..r1 {
            add_row((dst as *mut f32).add(r * cols), (x as *const f32).add(r * ld), (y as *const f32).add(r * ld), s, cols);
        }
    });
}

/// d[j] = x[j] + s·y[j] for j < cols.
#[inline(always)]
unsafe fn add_row(d: *mut f32, x: *const f32, y: *const f32, s: f32, cols: usize) {
    let sv = splat(s);
    let full = cols & !3;
    let mut j = 0;
    while j < full {
        store(d.add(j), f32x4_add(load(x.add(j)), f32x4_mul(sv, load(y.add(j)))));
        j += 4;
    }
    if full < cols {
        let rest = cols - full;
        let xs = core::slice::from_raw_parts(x.add(full), rest);
        let ys = core::slice::from_raw_parts(y.add(full), rest);
        let v = f32x4_add(load_partial(xs, 0.0), f32x4_mul(sv, load_partial(ys, 0.0)));
        store_partial(core::slice::from_raw_parts_mut(d.add(full), rest), v);
    }
}

/// Runs `f(r0, r1)` over rows 0..rows in one even share per thread; each row is computed the
/// same way whoever takes it.
fn rows_on_threads(threads: usize, rows: usize, cols: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    let threads = if rows * cols < PARALLEL_ELEMENTS { 1 } else { parallel::clamp(threads).min(rows) };
    parallel::run(threads, &|t, count| f(rows * t / count, rows * (t + 1) / count));
}
