//! Losses and regularisation, with the conventions the tests pin:
//! cross-entropy −(1/n) Σ y·log p; squared error (1/(n·k)) Σ (p − y)²;
//! L2 adds (α/2) Σ W², L1 adds α Σ |W|, over weight matrices only, not divided by n.

use core::arch::wasm32::*;

use crate::activations::{softmax_row, Act};
use crate::simd::{splat, zip_inplace};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    CrossEntropy = 0,
    SquaredError = 1,
}

impl LossKind {
    pub fn from_code(code: i32) -> Option<LossKind> {
        match code {
            0 => Some(LossKind::CrossEntropy),
            1 => Some(LossKind::SquaredError),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularization {
    None,
    L1(f32),
    L2(f32),
}

impl Regularization {
    pub fn from_code(code: i32, alpha: f32) -> Option<Regularization> {
        match code {
            0 => Some(Regularization::None),
            1 => Some(Regularization::L1(alpha)),
            2 => Some(Regularization::L2(alpha)),
            _ => None,
        }
    }

    /// The penalty for one weight matrix.
    pub fn value(self, w: &[f32]) -> f64 {
        match self {
            Regularization::None => 0.0,
            Regularization::L1(alpha) => alpha as f64 * w.iter().map(|&x| (x as f64).abs()).sum::<f64>(),
            Regularization::L2(alpha) => 0.5 * alpha as f64 * w.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>(),
        }
    }

    /// g += d penalty / d w.
    pub fn add_gradient(self, w: &[f32], g: &mut [f32]) {
        match self {
            Regularization::None => {}
            Regularization::L2(alpha) => {
                let a = splat(alpha);
                zip_inplace(g, w, |g, w| f32x4_add(g, f32x4_mul(a, w)));
            }
            Regularization::L1(alpha) => {
                let a = splat(alpha);
                let na = splat(-alpha);
                let zero = splat(0.0);
                // α·sign(w), with sign(0) = 0.
                zip_inplace(g, w, |g, w| {
                    let pos = v128_and(f32x4_gt(w, zero), a);
                    let neg = v128_and(f32x4_lt(w, zero), na);
                    f32x4_add(g, v128_or(pos, neg))
                });
            }
        }
    }
}

/// The floor under predicted probabilities inside log (and 1/p) so p = 0 stays finite.
pub const PROB_FLOOR: f32 = 1e-7;

/// Σ over all rows of the data loss *before* the 1/n of the mean (f64 accumulation).
pub fn loss_sum(kind: LossKind, p: &[f32], y: &[f32], k: usize) -> f64 {
    match kind {
        LossKind::CrossEntropy => -p
            .iter()
            .zip(y)
            .filter(|(_, &t)| t != 0.0)
            .map(|(&q, &t)| t as f64 * (q.max(PROB_FLOOR) as f64).ln())
            .sum::<f64>(),
        LossKind::SquaredError => {
            p.iter().zip(y).map(|(&q, &t)| ((q - t) as f64).powi(2)).sum::<f64>() / k as f64
        }
    }
}

/// The mean data loss of a batch of n rows.
pub fn mean_loss(kind: LossKind, p: &[f32], y: &[f32], n: usize, k: usize) -> f64 {
    if n == 0 { 0.0 } else { loss_sum(kind, p, y, k) / n as f64 }
}

/// Softmax in place on logits z and, in the same pass, Σ −y·log softmax(z) computed from the
/// logits (log p = z − logsumexp z), which stays exact where p itself underflows to 0.
pub fn softmax_cross_entropy_rows(z: &mut [f32], y: &[f32], k: usize) -> f64 {
    let mut total = 0.0f64;
    for (row, t) in z.chunks_exact_mut(k).zip(y.chunks_exact(k)) {
        let mut tz = 0.0f64;
        let mut ty = 0.0f64;
        for (&zi, &yi) in row.iter().zip(t) {
            if yi != 0.0 {
                tz += yi as f64 * zi as f64;
                ty += yi as f64;
            }
        }
        let lse = softmax_row(row) as f64;
        total += ty * lse - tz;
    }
    total
}

/// Where rows of k targets stop being probability distributions, as cross-entropy needs them.
#[derive(Debug, PartialEq)]
pub enum NotProbabilities {
    /// A value outside [0, 1] (or NaN).
    Value { row: usize, col: usize, value: f32 },
    /// A row whose values do not sum to 1 within 1e-3 (summed in float64).
    Sum { row: usize, sum: f64 },
}

/// The first row of `y` (rows of k) that is not a probability distribution, if any.
pub fn first_non_probability_row(y: &[f32], k: usize) -> Option<NotProbabilities> {
    for (row, r) in y.chunks_exact(k.max(1)).enumerate() {
        let mut sum = 0.0f64;
        for (col, &value) in r.iter().enumerate() {
            if !(0.0..=1.0).contains(&value) {
                return Some(NotProbabilities::Value { row, col, value });
            }
            sum += value as f64;
        }
        if (sum - 1.0).abs() > 1e-3 {
            return Some(NotProbabilities::Sum { row, sum });
        }
    }
    None
}

/// d loss / d p for a batch of n rows (the mean loss's gradient).
pub fn output_gradient(kind: LossKind, p: &[f32], y: &[f32], n: usize, k: usize, out: &mut [f32]) {
    match kind {
        LossKind::CrossEntropy => {
            let s = -1.0 / n as f32;
            for ((o, &q), &t) in out.iter_mut().zip(p).zip(y) {
                *o = s * t / q.max(PROB_FLOOR);
            }
        }
        LossKind::SquaredError => {
            let s = 2.0 / (n * k) as f32;
            for ((o, &q), &t) in out.iter_mut().zip(p).zip(y) {
                *o = s * (q - t);
            }
        }
    }
}

/// True when the output layer's delta is simply (p − y)/n: softmax with cross-entropy.
pub fn fused_softmax_ce(output: Act, kind: LossKind) -> bool {
    output == Act::Softmax && kind == LossKind::CrossEntropy
}
