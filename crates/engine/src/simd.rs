//! SIMD128 helpers shared by the kernels: slice loops with a padded tail, and a vectorised
//! exp (Cephes-style range reduction and polynomial, ~1 ulp in range) because a scalar exp
//! per element would cost more than the matrix products of a small layer.

use core::arch::wasm32::*;

#[inline(always)]
pub fn splat(x: f32) -> v128 {
    f32x4_splat(x)
}

#[inline(always)]
pub unsafe fn load(p: *const f32) -> v128 {
    v128_load(p as *const v128)
}

#[inline(always)]
pub unsafe fn store(p: *mut f32, v: v128) {
    v128_store(p as *mut v128, v)
}

/// Loads up to four values from `s`, padding with `pad`.
#[inline(always)]
pub fn load_partial(s: &[f32], pad: f32) -> v128 {
    let mut t = [pad; 4];
    t[..s.len()].copy_from_slice(s);
    unsafe { load(t.as_ptr()) }
}

#[inline(always)]
pub fn store_partial(s: &mut [f32], v: v128) {
    let mut t = [0.0f32; 4];
    unsafe { store(t.as_mut_ptr(), v) };
    let n = s.len();
    s.copy_from_slice(&t[..n]);
}

/// Copies `n` floats from `src` to `dst` (not overlapping) with v128 loads and stores. The
/// single-thread build has no bulk memory, so `copy_nonoverlapping` there calls
/// compiler_builtins' scalar memcpy: gathering a training batch took 2.8% of a step with it
/// and 1.2% with this (V8 CPU profile, 2-core Xeon, 2026-12-03). The threads build's
/// `memory.copy` is as fast as this.
///
/// # Safety
/// Both ranges must be valid for `n` floats and must not overlap.
#[inline(always)]
pub unsafe fn copy_floats(src: *const f32, dst: *mut f32, n: usize) {
    let mut i = 0;
    while i + 16 <= n {
        let (a, b, c, d) = (load(src.add(i)), load(src.add(i + 4)), load(src.add(i + 8)), load(src.add(i + 12)));
        store(dst.add(i), a);
        store(dst.add(i + 4), b);
        store(dst.add(i + 8), c);
        store(dst.add(i + 12), d);
        i += 16;
    }
    while i + 4 <= n {
        store(dst.add(i), load(src.add(i)));
        i += 4;
    }
    while i < n {
        *dst.add(i) = *src.add(i);
        i += 1;
    }
}

/// Horizontal sum of the four lanes.
#[inline(always)]
pub fn hsum(v: v128) -> f32 {
    f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)
}

/// `x[i] = f(x[i])` four lanes at a time.
#[inline(always)]
pub fn map_inplace(x: &mut [f32], f: impl Fn(v128) -> v128) {
    let mut chunks = x.chunks_exact_mut(4);
    for c in &mut chunks {
        unsafe { store(c.as_mut_ptr(), f(load(c.as_ptr()))) };
    }
    let rest = chunks.into_remainder();
    if !rest.is_empty() {
        let v = f(load_partial(rest, 0.0));
        store_partial(rest, v);
    }
}

/// `out[i] = f(a[i], b[i])` four lanes at a time; all three have the same length.
#[inline(always)]
pub fn zip_map(out: &mut [f32], a: &[f32], b: &[f32], f: impl Fn(v128, v128) -> v128) {
    let n = out.len();
    assert!(a.len() == n && b.len() == n);
    let full = n & !3;
    let mut i = 0;
    while i < full {
        unsafe {
            let v = f(load(a.as_ptr().add(i)), load(b.as_ptr().add(i)));
            store(out.as_mut_ptr().add(i), v);
        }
        i += 4;
    }
    if full < n {
        let v = f(load_partial(&a[full..], 0.0), load_partial(&b[full..], 0.0));
        store_partial(&mut out[full..], v);
    }
}

/// `x[i] = f(x[i], a[i])` four lanes at a time; `a` is at least as long as `x`.
#[inline(always)]
pub fn zip_inplace(x: &mut [f32], a: &[f32], f: impl Fn(v128, v128) -> v128) {
    let n = x.len();
    assert!(a.len() >= n);
    let full = n & !3;
    let mut i = 0;
    while i < full {
        unsafe {
            let v = f(load(x.as_ptr().add(i)), load(a.as_ptr().add(i)));
            store(x.as_mut_ptr().add(i), v);
        }
        i += 4;
    }
    if full < n {
        let v = f(load_partial(&x[full..], 0.0), load_partial(&a[full..n], 0.0));
        store_partial(&mut x[full..], v);
    }
}

/// exp for four lanes. Inputs are clamped to [-87, 88] so the exponent arithmetic stays in
/// range; below −87 the result is 0 (the true value is a denormal or less).
///
/// n = round(x·log2 e) comes from adding 1.5·2^23 + 127: the float's low mantissa bits
/// then hold n + 127, which a shift by 23 turns into 2^n, with no float-to-int conversion
/// (V8 expands i32x4.trunc_sat_f32x4 into a long x64 sequence).
#[inline(always)]
pub fn exp_v(input: v128) -> v128 {
    let x = clamp(input, &EXP_MIN, &EXP_MAX);
    v128_and(exp_in_range(x), f32x4_ge(input, splat(-87.0)))
}

/// The bounds of the clamps, read through `opaque`.
static EXP_MIN: v128 = f32x4(-87.0, -87.0, -87.0, -87.0);
static EXP_MAX: v128 = f32x4(88.0, 88.0, 88.0, 88.0);
static MINUS_80: v128 = f32x4(-80.0, -80.0, -80.0, -80.0);
static MINUS_88: v128 = f32x4(-88.0, -88.0, -88.0, -88.0);
static MINUS_42: v128 = f32x4(-42.0, -42.0, -42.0, -42.0);

/// min(max(x, lo), hi) lane by lane; a NaN stays NaN. LLVM 14 keeps one of the two as a
/// compare and a select (4 x64 instructions instead of 1; see `sigmoid_below` for a way round
/// it), which `exp_v`, off the hot paths (softmax, losses), can afford.
#[inline(always)]
fn clamp(x: v128, lo: &'static v128, hi: &'static v128) -> v128 {
    f32x4_pmin(f32x4_pmax(x, opaque(lo)), opaque(hi))
}

/// A bound LLVM cannot see. LLVM turns `f32x4_pmax`/`pmin` against a constant into
/// `f32x4.max`/`min` (the same results when the constant is not NaN), which V8 expands into
/// 7-8 x64 instructions each to give NaN and ±0 their IEEE results, where pmax and pmin are
/// one vmaxps/vminps. A bound read by a volatile load stays opaque, so the pseudo-min/max
/// stay (scripts/build-wasm.sh refuses a module with f32x4.max or min). On a 2-core Xeon
/// (2026-12-03) the sigmoid then took 1.0 ns per element instead of 1.7, inference at batch
/// 1000 ran 1.1% faster and training 1.0%, with the same bits.
#[inline(always)]
fn opaque(c: &'static v128) -> v128 {
    unsafe { core::ptr::read_volatile(c) }
}

/// exp(x) for x in [-87, 88] (see `exp_v`).
#[inline(always)]
fn exp_in_range(x: v128) -> v128 {
    const SHIFT: f32 = 12_582_912.0 + 127.0; // 1.5·2^23 + the exponent bias
    let t = f32x4_add(f32x4_mul(x, splat(core::f32::consts::LOG2_E)), splat(SHIFT));
    let n = f32x4_sub(t, splat(SHIFT));
    // ln 2 split in two so r = x - n ln2 keeps its low bits.
    let r = f32x4_sub(f32x4_sub(x, f32x4_mul(n, splat(0.693_359_375))), f32x4_mul(n, splat(-2.121_944_4e-4)));
    let mut p = splat(1.987_569_1e-4);
    p = f32x4_add(f32x4_mul(p, r), splat(1.398_199_9e-3));
    p = f32x4_add(f32x4_mul(p, r), splat(8.333_452e-3));
    p = f32x4_add(f32x4_mul(p, r), splat(4.166_579_6e-2));
    p = f32x4_add(f32x4_mul(p, r), splat(1.666_666_5e-1));
    p = f32x4_add(f32x4_mul(p, r), splat(5.000_000_1e-1));
    let r2 = f32x4_mul(r, r);
    let y = f32x4_add(f32x4_add(f32x4_mul(p, r2), r), splat(1.0));
    let pow2n = i32x4_shl(t, 23);
    f32x4_mul(y, pow2n)
}

/// σ(x) = 1 / (1 + e^−x). e^−x is taken with −x in [−80, 88]: past −80, 1 + e^−x is 1 in
/// float32 anyway, and near −87 (where `exp_v` clamps) the scaling by 2^n can pass through a
/// subnormal (see `TINY`). No underflow mask is needed, so a NaN stays NaN.
#[inline(always)]
pub fn sigmoid_v(x: v128) -> v128 {
    sigmoid_below(x, &MINUS_88)
}

/// σ as a layer stores it: at least σ(−42) ≈ 5.7e-19, above `TINY`, so the products of
/// saturated units stay normal at the cost of one clamp (a flush would take three
/// operations). That floor changes no sum at float32 precision, nor a cross-entropy (which
/// floors p at 1e-7).
#[inline(always)]
pub fn sigmoid_floored_v(x: v128) -> v128 {
    sigmoid_below(x, &MINUS_42)
}

#[inline(always)]
fn sigmoid_below(x: v128, minus_max_neg: &'static v128) -> v128 {
    // −x clamped to [−80, max_neg], as max(−max(x, −max_neg), −80): written as a min of a
    // max, LLVM 14 keeps one of the two as a compare and a select (4 x64 instructions, not 1).
    let neg_x = f32x4_neg(f32x4_pmax(x, opaque(minus_max_neg)));
    let e = exp_in_range(f32x4_pmax(neg_x, opaque(&MINUS_80)));
    f32x4_div(splat(1.0), f32x4_add(splat(1.0), e))
}

/// tanh(x) = 2·sigmoid(2x) − 1: one exp, exact limits ±1, absolute error ~1e-7 near 0.
#[inline(always)]
pub fn tanh_v(x: v128) -> v128 {
    let s = sigmoid_v(f32x4_add(x, x));
    f32x4_sub(f32x4_add(s, s), splat(1.0))
}

/// Activations and back-propagated deltas smaller than this (2^-62 ≈ 2.2e-19) are stored as 0.
/// The product of two values at least this large, or of one and a weight above 2^-64, stays in
/// float32's normal range: subnormal operands and results cost an x86 core a microcode assist
/// of about a hundred cycles per SIMD operation, and WebAssembly cannot turn on the CPU's
/// flush-to-zero. Saturated sigmoid units otherwise fill the products with them: training the
/// MNIST network with Adam (η 0.01) on one thread fell to 550 samples/s in its second epoch
/// (2026-12-03; 13,000 without them). Values that small change no sum at float32 precision.
pub const TINY: f32 = 2.168_404_3e-19;

/// x, or 0 where |x| < limit; a NaN stays NaN (the divergence checks look for it).
#[inline(always)]
pub fn flush_below(x: v128, limit: v128) -> v128 {
    v128_andnot(x, f32x4_lt(f32x4_abs(x), limit))
}

/// A v128 that is NaN in some lane iff some lane of `v` is NaN or infinite (inf·0 = NaN).
#[inline(always)]
pub fn nonfinite_probe(v: v128) -> v128 {
    f32x4_mul(v, splat(0.0))
}

/// True when every element is finite.
pub fn all_finite(x: &[f32]) -> bool {
    let mut acc = splat(0.0);
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        acc = f32x4_add(acc, nonfinite_probe(unsafe { load(c.as_ptr()) }));
    }
    let tail_ok = chunks.remainder().iter().all(|v| v.is_finite());
    let s = hsum(acc);
    tail_ok && s == 0.0
}
