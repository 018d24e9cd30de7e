//! A plain float64 network with the same conventions as `network`, written for clarity and
//! never for speed. Tests check its gradients against finite differences (float32 cannot
//! pass a gradient check) and then check the SIMD float32 engine against it.

use crate::activations::Act;
use crate::loss::{LossKind, Regularization, PROB_FLOOR};
use crate::network::Layer;

fn activate(act: Act, z: &mut [f64], k: usize) {
    match act {
        Act::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
        Act::Sigmoid => z.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
        Act::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
        Act::Linear => {}
        Act::Softmax => z.chunks_exact_mut(k).for_each(|row| {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.iter_mut().for_each(|v| *v = (*v - max).exp());
            let sum: f64 = row.iter().sum();
            row.iter_mut().for_each(|v| *v /= sum);
        }),
    }
}

/// f'(z) from a = f(z), element-wise activations only.
fn derivative(act: Act, a: f64) -> f64 {
    match act {
        Act::Relu => if a > 0.0 { 1.0 } else { 0.0 },
        Act::Sigmoid => a * (1.0 - a),
        Act::Tanh => 1.0 - a * a,
        Act::Linear | Act::Softmax => 1.0,
    }
}

pub struct RefNet<'a> {
    pub layers: &'a [Layer],
    pub hidden: Act,
    pub output: Act,
    pub loss: LossKind,
    pub reg: Regularization,
}

impl<'a> RefNet<'a> {
    /// Mean loss (data + penalty) of x (n rows) against y; writes d loss / d params into
    /// `grads` (same flat layout as the parameters) when given.
    pub fn loss_and_gradients(&self, params: &[f64], x: &[f64], y: &[f64], n: usize, grads: Option<&mut [f64]>) -> f64 {
        let last = self.layers.len() - 1;
        let k = self.layers[last].fan_out;
        // Forward, keeping every layer's output (and the logits of the last layer).
        let mut outs: Vec<Vec<f64>> = Vec::new();
        let mut logits = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            let input = if l == 0 { x } else { &outs[l - 1][..] };
            let mut z = vec![0.0; n * layer.fan_out];
            for r in 0..n {
                for j in 0..layer.fan_out {
                    let mut s = params[layer.b + j];
                    for i in 0..layer.fan_in {
                        s += input[r * layer.fan_in + i] * params[layer.w + i * layer.fan_out + j];
                    }
                    z[r * layer.fan_out + j] = s;
                }
            }
            if l == last {
                logits = z.clone();
            }
            activate(if l == last { self.output } else { self.hidden }, &mut z, layer.fan_out);
            outs.push(z);
        }
        let p = &outs[last];
        let softmax_ce = self.output == Act::Softmax && self.loss == LossKind::CrossEntropy;
        let floor = PROB_FLOOR as f64;
        let mut data_loss = 0.0;
        for r in 0..n {
            let (zr, pr, yr) = (&logits[r * k..(r + 1) * k], &p[r * k..(r + 1) * k], &y[r * k..(r + 1) * k]);
            data_loss += match self.loss {
                LossKind::CrossEntropy if softmax_ce => {
                    let max = zr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = max + zr.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
                    zr.iter().zip(yr).map(|(z, t)| -t * (z - lse)).sum::<f64>()
                }
                LossKind::CrossEntropy => pr.iter().zip(yr).map(|(q, t)| -t * q.max(floor).ln()).sum::<f64>(),
                LossKind::SquaredError => pr.iter().zip(yr).map(|(q, t)| (q - t) * (q - t)).sum::<f64>() / k as f64,
            };
        }
        let mut penalty = 0.0;
        for layer in self.layers {
            for &w in &params[layer.w..layer.w + layer.fan_in * layer.fan_out] {
                penalty += match self.reg {
                    Regularization::None => 0.0,
                    Regularization::L1(a) => a as f64 * w.abs(),
                    Regularization::L2(a) => 0.5 * a as f64 * w * w,
                };
            }
        }
        let total = data_loss / n as f64 + penalty;
        let grads = match grads {
            Some(g) => g,
            None => return total,
        };

        // Backward: delta = d loss / d z for the current layer.
        let nf = n as f64;
        let mut delta = vec![0.0; n * k];
        for r in 0..n {
            let (pr, yr) = (&p[r * k..(r + 1) * k], &y[r * k..(r + 1) * k]);
            let g: Vec<f64> = (0..k)
                .map(|j| match self.loss {
                    _ if softmax_ce => 0.0,
                    LossKind::CrossEntropy => -yr[j] / pr[j].max(floor) / nf,
                    LossKind::SquaredError => 2.0 * (pr[j] - yr[j]) / (nf * k as f64),
                })
                .collect();
            for j in 0..k {
                delta[r * k + j] = if softmax_ce {
                    (pr[j] - yr[j]) / nf
                } else if self.output == Act::Softmax {
                    let dot: f64 = (0..k).map(|i| g[i] * pr[i]).sum();
                    pr[j] * (g[j] - dot)
                } else {
                    g[j] * derivative(self.output, pr[j])
                };
            }
        }
        for l in (0..=last).rev() {
            let layer = &self.layers[l];
            let input = if l == 0 { x } else { &outs[l - 1][..] };
            for i in 0..layer.fan_in {
                for j in 0..layer.fan_out {
                    let w = params[layer.w + i * layer.fan_out + j];
                    let mut s = match self.reg {
                        Regularization::None => 0.0,
                        Regularization::L1(a) => a as f64 * if w > 0.0 { 1.0 } else if w < 0.0 { -1.0 } else { 0.0 },
                        Regularization::L2(a) => a as f64 * w,
                    };
                    for r in 0..n {
                        s += input[r * layer.fan_in + i] * delta[r * layer.fan_out + j];
                    }
                    grads[layer.w + i * layer.fan_out + j] = s;
                }
            }
            for j in 0..layer.fan_out {
                grads[layer.b + j] = (0..n).map(|r| delta[r * layer.fan_out + j]).sum();
            }
            if l > 0 {
                let below = &outs[l - 1];
                let mut next = vec![0.0; n * layer.fan_in];
                for r in 0..n {
                    for i in 0..layer.fan_in {
                        let s: f64 = (0..layer.fan_out).map(|j| delta[r * layer.fan_out + j] * params[layer.w + i * layer.fan_out + j]).sum();
                        next[r * layer.fan_in + i] = s * derivative(self.hidden, below[r * layer.fan_in + i]);
                    }
                }
                delta = next;
            }
        }
        total
    }
}
