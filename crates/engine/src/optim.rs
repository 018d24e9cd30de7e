//! Parameter updates, each one pass over the flat parameter vector.

use core::arch::wasm32::*;

use crate::simd::{hsum, load, nonfinite_probe, splat, store};

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

/// One Adam step at step number `t` (1-based), written like PyTorch's implementation:
/// m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; w −= (η/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε).
/// Writes the new weights and moments to `out`, leaving the inputs as they were; false when
/// some new value is NaN or infinite.
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
    let n = w.len() & !3;
    let mut probe = splat(0.0);
    let mut i = 0;
    while i < n {
        unsafe {
            let gv = load(g.as_ptr().add(i));
            let mv = f32x4_add(f32x4_mul(b1, load(m.as_ptr().add(i))), f32x4_mul(c1, gv));
            let vv = f32x4_add(f32x4_mul(b2, load(v.as_ptr().add(i))), f32x4_mul(c2, f32x4_mul(gv, gv)));
            let denom = f32x4_add(f32x4_mul(f32x4_sqrt(vv), vi), ve);
            let wv = f32x4_sub(load(w.as_ptr().add(i)), f32x4_mul(vs, f32x4_div(mv, denom)));
            probe = f32x4_add(probe, f32x4_add(nonfinite_probe(wv), f32x4_add(nonfinite_probe(mv), nonfinite_probe(vv))));
            store(out.m.as_mut_ptr().add(i), mv);
            store(out.v.as_mut_ptr().add(i), vv);
            store(out.w.as_mut_ptr().add(i), wv);
        }
        i += 4;
    }
    let mut finite = hsum(probe) == 0.0;
    for j in n..w.len() {
        out.m[j] = h.beta1 * m[j] + (1.0 - h.beta1) * g[j];
        out.v[j] = h.beta2 * v[j] + (1.0 - h.beta2) * g[j] * g[j];
        out.w[j] = w[j] - step * out.m[j] / (out.v[j].sqrt() * inv_sqrt_bc2 + h.epsilon);
        finite &= out.w[j].is_finite() && out.m[j].is_finite() && out.v[j].is_finite();
    }
    finite
}
