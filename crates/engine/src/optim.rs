//! Parameter updates, each one pass over the flat parameter vector.

use core::arch::wasm32::*;

use crate::simd::{flush_below as flush_v, hsum, load, nonfinite_probe, splat, store};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    GradientDescent = 0,
    Adam = 1,
}

impl OptimizerKind {
    pub fn from_code(code: i32) -> Option<OptimizerKind> {
        match code {
            0 => Some(OptimizerKind::GradientDescent),
            1 => Some(OptimizerKind::Adam),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper {
    pub eta: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub epsilon: f32,
}

/// out = w − η·g; false when some value of `out` is NaN or infinite (a gradient that was, or
/// a step that overflowed), so the caller can keep `w`.
pub fn gradient_descent(w: &[f32], g: &[f32], eta: f32, out: &mut [f32]) -> bool {
    let e = splat(eta);
    let n = w.len() & !3;
    let mut probe = splat(0.0);
    let mut i = 0;
    while i < n {
        unsafe {
            let v = f32x4_sub(load(w.as_ptr().add(i)), f32x4_mul(e, load(g.as_ptr().add(i))));
            probe = f32x4_add(probe, nonfinite_probe(v));
            store(out.as_mut_ptr().add(i), v);
        }
        i += 4;
    }
    let mut finite = hsum(probe) == 0.0;
    for j in n..w.len() {
        out[j] = w[j] - eta * g[j];
        finite &= out[j].is_finite();
    }
    finite
}

/// Adam's moments: read from one pair of buffers, written to another.
pub struct Moments<'a> {
    pub m: &'a [f32],
    pub v: &'a [f32],
}
pub struct MomentsOut<'a> {
    pub w: &'a mut [f32],
    pub m: &'a mut [f32],
    pub v: &'a mut [f32],
}

/// The smallest normal float32, 2^-126: below it lie the subnormals.
const MIN_NORMAL: f64 = 1.175_494_350_822_287_5e-38;

/// x, or 0 where |x| < limit (as `flush_below`).
#[inline(always)]
fn flush(x: f32, limit: f32) -> f32 {
    if x.abs() < limit { 0.0 } else { x }
}

/// The limits below which Adam flushes to zero (see `adam`): a gradient g, so that g², (1−β2)·g²
/// and (1−β1)·g stay in float32's normal range, and the new moments m and v, so that β1·m and
/// β2·v do at the next step (stored moments are then never subnormal).
fn adam_limits(h: Hyper) -> (f32, f32, f32) {
    let above = |x: f64| (x * (1.0 + 1e-6)) as f32;
    let (c1, c2) = (1.0 - h.beta1 as f64, 1.0 - h.beta2 as f64);
    let mut g = MIN_NORMAL.sqrt();
    if c2 > 0.0 {
        g = g.max((MIN_NORMAL / c2).sqrt());
    }
    if c1 > 0.0 {
        g = g.max(MIN_NORMAL / c1);
    }
    let m = if h.beta1 > 0.0 { MIN_NORMAL / (h.beta1 as f64).min(1.0) } else { MIN_NORMAL };
    let v = if h.beta2 > 0.0 { MIN_NORMAL / (h.beta2 as f64).min(1.0) } else { MIN_NORMAL };
    (above(g), above(m), above(v))
}

/// One Adam step at step number `t` (1-based), written like PyTorch's implementation:
/// m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; w −= (η/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε).
/// Writes the new weights and moments to `out`, leaving the inputs as they were; false when
/// some new value is NaN or infinite.
///
/// Gradients whose square would be subnormal (below about 3.4e-18 with β2 = 0.999) count as 0,
/// and new moments too small for β·m to stay normal at the next step are stored as 0, as the
/// flush-to-zero modes of x86 CPUs would have it: WebAssembly cannot switch those modes, and
/// an x86 core takes a microcode assist of about a hundred cycles for every SIMD operation
/// that meets a subnormal. With sigmoid layers and
/// η = 0.01, 38% of the gradients were that small and a step's Adam pass took 8.9 ms instead
/// of 0.8, and training ran 2.2x faster with the flush (2026-12-03, in-process A/B; 0.985x
/// where nothing is that small). What is dropped changes no weight at float32 precision: such
/// a gradient would move its weight by less than 1e-10 of η (its m over ε).
pub fn adam(w: &[f32], g: &[f32], state: Moments, h: Hyper, t: u32, out: MomentsOut) -> bool {
    let (m, v) = (state.m, state.v);
    // Past i32::MAX the cast would turn negative (β^t infinite); β^t is long 0 by then.
    let t = t.min(i32::MAX as u32) as i32;
    let bc1 = 1.0 - (h.beta1 as f64).powi(t);
    let bc2 = 1.0 - (h.beta2 as f64).powi(t);
    let step = (h.eta as f64 / bc1) as f32;
    let inv_sqrt_bc2 = (1.0 / bc2.sqrt()) as f32;
    let (b1, b2) = (splat(h.beta1), splat(h.beta2));
    let (c1, c2) = (splat(1.0 - h.beta1), splat(1.0 - h.beta2));
    let (vs, vi, ve) = (splat(step), splat(inv_sqrt_bc2), splat(h.epsilon));
    let (g_min, m_min, v_min) = adam_limits(h);
    let (gl, ml, vl) = (splat(g_min), splat(m_min), splat(v_min));
    let n = w.len() & !3;
    let mut probe = splat(0.0);
    let mut i = 0;
    while i < n {
        unsafe {
            let gv = flush_v(load(g.as_ptr().add(i)), gl);
            let mv = flush_v(f32x4_add(f32x4_mul(b1, load(m.as_ptr().add(i))), f32x4_mul(c1, gv)), ml);
            let vv = flush_v(f32x4_add(f32x4_mul(b2, load(v.as_ptr().add(i))), f32x4_mul(c2, f32x4_mul(gv, gv))), vl);
            let denom = f32x4_add(f32x4_mul(f32x4_sqrt(vv), vi), ve);
            let wv = f32x4_sub(load(w.as_ptr().add(i)), f32x4_mul(vs, f32x4_div(mv, denom)));
            // A NaN or infinite m makes w so too; v may overflow alone (w then moves by 0).
            probe = f32x4_add(probe, f32x4_add(nonfinite_probe(wv), nonfinite_probe(vv)));
            store(out.m.as_mut_ptr().add(i), mv);
            store(out.v.as_mut_ptr().add(i), vv);
            store(out.w.as_mut_ptr().add(i), wv);
        }
        i += 4;
    }
    let mut finite = hsum(probe) == 0.0;
    for j in n..w.len() {
        let gj = flush(g[j], g_min);
        out.m[j] = flush(h.beta1 * m[j] + (1.0 - h.beta1) * gj, m_min);
        out.v[j] = flush(h.beta2 * v[j] + (1.0 - h.beta2) * (gj * gj), v_min);
        out.w[j] = w[j] - step * out.m[j] / (out.v[j].sqrt() * inv_sqrt_bc2 + h.epsilon);
        // As above: a NaN or infinite m makes w so too.
        finite &= out.w[j].is_finite() && out.v[j].is_finite();
    }
    finite
}
