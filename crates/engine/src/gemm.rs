//! Matrix products for dense layers: C = A·B with 6x8 register tiles of f32x4.
//!
//! One routine serves all three products of a layer because A is read through strides
//! (forward X·W, weight gradient Xᵀ·dZ) and B is packed into 8-column panels first
//! (which also turns Wᵀ in dZ·Wᵀ into contiguous loads). A tile keeps 6x8 sums in twelve
//! registers: twelve independent mul+add chains hide the add latency (SIMD128 has no FMA),
//! and each k step costs 6 scalar splats and 2 vector loads for 24 vector operations.
//! K is cut into blocks of `KC` so a packed panel (KC x 8 floats = 8 KiB) stays in L1
//! while the tile walks down A. The epilogue (bias + activation, or the activation's
//! derivative in backprop) is applied as each finished tile leaves the registers.

use core::arch::wasm32::*;

use crate::activations::Act;
use crate::buffer::ensure_len;
use crate::error::Result;
use crate::simd::{load, load_partial, splat, store, store_partial};

pub const MR: usize = 6;
pub const NR: usize = 8;
pub const KC: usize = 256;

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
        rows == 0 || cols == 0 || (rows - 1) * self.rs + (cols - 1) * self.cs < self.data.len()
    }
}

/// What happens to each finished tile of A·B on its way into C.
#[derive(Clone, Copy)]
pub enum Epilogue<'a> {
    /// C = A·B
    Store,
    /// C = act(A·B + bias); `bias` has one value per column. Softmax is not element-wise
    /// and is applied by the caller afterwards (pass `Act::Linear` here).
    BiasAct { bias: &'a [f32], act: Act },
    /// C = (A·B) ⊙ act'(a), `a` being the layer's activation outputs laid out like C.
    MulActDeriv { a: &'a [f32], act: Act },
}

impl<'a> Epilogue<'a> {
    /// Applies the epilogue to `width` (1..=4) values of row `row` starting at column `col`.
    #[inline(always)]
    fn apply(&self, v: v128, row: usize, col: usize, ldc: usize, width: usize) -> v128 {
        match *self {
            Epilogue::Store => v,
            Epilogue::BiasAct { bias, act } => {
                let b = if width == 4 { unsafe { load(bias[col..col + 4].as_ptr()) } } else { load_partial(&bias[col..col + width], 0.0) };
                act.apply_v(f32x4_add(v, b))
            }
            Epilogue::MulActDeriv { a, act } => {
                let at = row * ldc + col;
                let av = if width == 4 { unsafe { load(a[at..at + 4].as_ptr()) } } else { load_partial(&a[at..at + width], 0.0) };
                f32x4_mul(v, act.derivative_from_output_v(av))
            }
        }
    }
}

/// C (m x n, row stride `ldc`) = epilogue(A·B), A being m x k and B k x n.
/// `pack` is scratch space that grows once to its largest size and is then reused.
pub fn gemm(m: usize, n: usize, k: usize, a: Strided, b: Strided, c: &mut [f32], ldc: usize, epi: Epilogue, pack: &mut Vec<f32>) -> Result<()> {
    if m == 0 || n == 0 {
        return Ok(());
    }
    assert!(a.covers(m, k) && b.covers(k, n), "gemm operand too small");
    assert!(ldc >= n && c.len() >= (m - 1) * ldc + n, "gemm output too small");
    let panels = (n + NR - 1) / NR;
    ensure_len(pack, KC.min(k.max(1)) * panels * NR, "packed matrix panels")?;
    let blocks = (k + KC - 1) / KC;
    for kb in 0..blocks.max(1) {
        let k0 = kb * KC;
        let kc = KC.min(k - k0.min(k));
        pack_b(b, k0, kc, n, pack);
        let first = kb == 0;
        let last = kb + 1 >= blocks;
        for jp in 0..panels {
            let j0 = jp * NR;
            let nr = NR.min(n - j0);
            let bp = pack[jp * kc * NR..].as_ptr();
            let mut i0 = 0;
            while i0 < m {
                let mr = MR.min(m - i0);
                let a0 = unsafe { a.data.as_ptr().add(i0 * a.rs + k0 * a.cs) };
                let acc = unsafe { run_tile(mr, kc, a0, a.rs, a.cs, bp) };
                store_tile(&acc, mr, nr, i0, j0, c, ldc, first, last, &epi);
                i0 += mr;
            }
        }
    }
    Ok(())
}

/// Runs the tile kernel for `mr` rows (1..=6): full unrolling needs the count at compile time.
#[inline(always)]
unsafe fn run_tile(mr: usize, kc: usize, a: *const f32, rs: usize, cs: usize, bp: *const f32) -> [[v128; 2]; MR] {
    let mut out = [[splat(0.0); 2]; MR];
    macro_rules! arm {
        ($m:literal) => {{
            let acc = tile::<$m>(kc, a, rs, cs, bp);
            out[..$m].copy_from_slice(&acc);
        }};
    }
    match mr {
        6 => arm!(6),
        5 => arm!(5),
        4 => arm!(4),
        3 => arm!(3),
        2 => arm!(2),
        _ => arm!(1),
    }
    out
}

/// The micro-kernel: M rows of A times one packed 8-column panel of B, over `kc` steps.
#[inline(always)]
unsafe fn tile<const M: usize>(kc: usize, a: *const f32, rs: usize, cs: usize, bp: *const f32) -> [[v128; 2]; M] {
    let mut acc = [[splat(0.0); 2]; M];
    let mut rows = [a; M];
    for (r, row) in rows.iter_mut().enumerate() {
        *row = a.add(r * rs);
    }
    let mut b = bp;
    for _ in 0..kc {
        let b0 = load(b);
        let b1 = load(b.add(4));
        for r in 0..M {
            let av = f32x4_splat(*rows[r]);
            acc[r][0] = f32x4_add(acc[r][0], f32x4_mul(av, b0));
            acc[r][1] = f32x4_add(acc[r][1], f32x4_mul(av, b1));
            rows[r] = rows[r].add(cs);
        }
        b = b.add(NR);
    }
    acc
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn store_tile(acc: &[[v128; 2]; MR], mr: usize, nr: usize, i0: usize, j0: usize, c: &mut [f32], ldc: usize, first: bool, last: bool, epi: &Epilogue) {
    for (r, sums) in acc.iter().enumerate().take(mr) {
        let row = i0 + r;
        for (h, &sum) in sums.iter().enumerate() {
            let col = j0 + h * 4;
            if h * 4 >= nr {
                break;
            }
            let width = 4.min(nr - h * 4);
            let at = row * ldc + col;
            let dst = &mut c[at..at + width];
            let mut v = sum;
            if width == 4 {
                if !first {
                    v = f32x4_add(v, unsafe { load(dst.as_ptr()) });
                }
                if last {
                    v = epi.apply(v, row, col, ldc, 4);
                }
                unsafe { store(dst.as_mut_ptr(), v) };
            } else {
                if !first {
                    v = f32x4_add(v, load_partial(dst, 0.0));
                }
                if last {
                    v = epi.apply(v, row, col, ldc, width);
                }
                store_partial(dst, v);
            }
        }
    }
}

/// Copies rows k0..k0+kc of B into panels of 8 columns, each `kc x 8` contiguous, zero-padded
/// past column n so the kernel never needs a column tail.
fn pack_b(b: Strided, k0: usize, kc: usize, n: usize, out: &mut [f32]) {
    let panels = (n + NR - 1) / NR;
    for jp in 0..panels {
        let dst = &mut out[jp * kc * NR..(jp + 1) * kc * NR];
        let j0 = jp * NR;
        let w = NR.min(n - j0);
        if b.cs == 1 {
            for p in 0..kc {
                let src = (k0 + p) * b.rs + j0;
                dst[p * NR..p * NR + w].copy_from_slice(&b.data[src..src + w]);
                dst[p * NR + w..(p + 1) * NR].fill(0.0);
            }
        } else {
            // Column-wise so the reads of a transposed B run along memory.
            for jj in 0..NR {
                if jj < w {
                    let col = (j0 + jj) * b.cs;
                    for p in 0..kc {
                        dst[p * NR + jj] = b.data[(k0 + p) * b.rs + col];
                    }
                } else {
                    for p in 0..kc {
                        dst[p * NR + jj] = 0.0;
                    }
                }
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
