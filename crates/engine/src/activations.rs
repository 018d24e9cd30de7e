//! Activation functions: forward, and the derivative used by backprop. Hidden layers need
//! the derivative only as a function of the layer's *output* a = f(z) (relu: a > 0,
//! sigmoid: a(1 − a), tanh: 1 − a²), so the pre-activations are never stored.

use core::arch::wasm32::*;

use crate::buffer::zeroed;
use crate::error::Result;
use crate::simd::{exp_v, flush_below, hsum, load, map_inplace, sigmoid_floored_v, sigmoid_v, splat, tanh_v, zip_inplace, TINY};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Relu = 0,
    Sigmoid = 1,
    Tanh = 2,
    Linear = 3,
    Softmax = 4,
}

impl Act {
    pub fn from_code(code: i32) -> Option<Act> {
        Some(match code {
            0 => Act::Relu,
            1 => Act::Sigmoid,
            2 => Act::Tanh,
            3 => Act::Linear,
            4 => Act::Softmax,
            _ => return None,
        })
    }

    pub fn is_elementwise(self) -> bool {
        self != Act::Softmax
    }

    /// f(x) on four lanes; Softmax is not element-wise and maps to identity here.
    #[inline(always)]
    pub fn apply_v(self, x: v128) -> v128 {
        match self {
            Act::Relu => f32x4_pmax(splat(0.0), x),
            Act::Sigmoid => sigmoid_v(x),
            Act::Tanh => tanh_v(x),
            Act::Linear | Act::Softmax => x,
        }
    }

    /// f(x) as a layer stores it: values below `TINY` are 0 (a sigmoid's floor sits just above
    /// it instead; see `sigmoid_floored_v`).
    #[inline(always)]
    pub fn apply_stored_v(self, x: v128) -> v128 {
        match self {
            // max(0, x) with the flush: one compare, as cheap as the max (NaN gives 0 as there).
            Act::Relu => v128_and(x, f32x4_ge(x, splat(TINY))),
            Act::Sigmoid => sigmoid_floored_v(x),
            Act::Tanh => flush_below(tanh_v(x), splat(TINY)),
            Act::Linear | Act::Softmax => flush_below(x, splat(TINY)),
        }
    }

    /// f'(z) written in terms of a = f(z).
    #[inline(always)]
    pub fn derivative_from_output_v(self, a: v128) -> v128 {
        match self {
            Act::Relu => v128_and(f32x4_gt(a, splat(0.0)), splat(1.0)),
            Act::Sigmoid => f32x4_mul(a, f32x4_sub(splat(1.0), a)),
            Act::Tanh => f32x4_sub(splat(1.0), f32x4_mul(a, a)),
            Act::Linear | Act::Softmax => splat(1.0),
        }
    }
}

/// Applies `act` in place to a row-major `rows x cols` matrix (row-wise for softmax).
pub fn apply_rows(act: Act, z: &mut [f32], cols: usize) {
    if act == Act::Softmax {
        for row in z.chunks_exact_mut(cols) {
            softmax_row(row);
        }
    } else if act != Act::Linear {
        map_inplace(z, |v| act.apply_v(v));
    }
}

/// Softmax of one row in place, shifted by the row maximum so ±1000 logits stay finite.
pub fn softmax_row(row: &mut [f32]) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let shift = splat(max);
    map_inplace(row, |v| exp_v(f32x4_sub(v, shift)));
    // The padded tail lanes of map_inplace are not in `row`, so this sum is exact.
    let sum = sum(row);
    let inv = splat(1.0 / sum);
    map_inplace(row, |v| f32x4_mul(v, inv));
    max + sum.ln()
}

pub fn sum(x: &[f32]) -> f32 {
    let mut acc = splat(0.0);
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        acc = f32x4_add(acc, unsafe { load(c.as_ptr()) });
    }
    hsum(acc) + chunks.remainder().iter().sum::<f32>()
}

/// Element-wise derivative f'(x) at the inputs x (the public `gradient(x)` of an activation).
pub fn derivative_at_input(act: Act, x: &[f32], out: &mut [f32]) {
    out.copy_from_slice(x);
    // relu'(z) = [relu(z) > 0] = [z > 0], so the output form serves every activation here.
    map_inplace(out, |v| act.derivative_from_output_v(act.apply_v(v)));
}

/// The Jacobian of softmax for each row: out[r][i][j] = p_i (δ_ij − p_j).
pub fn softmax_jacobians(x: &[f32], cols: usize, out: &mut [f32]) -> Result<()> {
    if cols == 0 {
        return Ok(());
    }
    // One row's probabilities at a time, in a buffer that fails like any other allocation.
    let mut row: Vec<f32> = zeroed(cols, "softmax row")?;
    for (r, src) in x.chunks_exact(cols).enumerate() {
        row.copy_from_slice(src);
        softmax_row(&mut row);
        let jac = &mut out[r * cols * cols..(r + 1) * cols * cols];
        for i in 0..cols {
            for j in 0..cols {
                let delta = if i == j { 1.0 } else { 0.0 };
                jac[i * cols + j] = row[i] * (delta - row[j]);
            }
        }
    }
    Ok(())
}

/// dZ = dA ⊙ f'(a) for an element-wise activation, or the softmax Jacobian-vector product
/// dz_i = p_i (g_i − Σ_j g_j p_j) row by row.
pub fn backprop_through(act: Act, a: &[f32], grad: &mut [f32], cols: usize) {
    if act == Act::Softmax {
        for (g, p) in grad.chunks_exact_mut(cols).zip(a.chunks_exact(cols)) {
            let dot: f32 = g.iter().zip(p).map(|(x, y)| x * y).sum();
            for (gi, pi) in g.iter_mut().zip(p) {
                *gi = pi * (*gi - dot);
            }
        }
    } else if act != Act::Linear {
        zip_inplace(grad, a, |g, av| f32x4_mul(g, act.derivative_from_output_v(av)));
    }
}
