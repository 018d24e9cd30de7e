//! Parameter initialisers. Scales (documented in the README):
//! - Random: weights and biases uniform in [−0.1, 0.1).
//! - Gaussian: weights and biases normal with mean 0 and standard deviation 0.1.
//! - Glorot: weights uniform in [−l, l), l = √(6 / (fan_in + fan_out)); biases zero.
//! Values are drawn layer by layer, all of W row-major, then b, so a seed fixes them all.

use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitKind {
    Random = 0,
    Gaussian = 1,
    Glorot = 2,
}

impl InitKind {
    pub fn from_code(code: i32) -> Option<InitKind> {
        match code {
            0 => Some(InitKind::Random),
            1 => Some(InitKind::Gaussian),
            2 => Some(InitKind::Glorot),
            _ => None,
        }
    }
}

pub const RANDOM_LIMIT: f64 = 0.1;
pub const GAUSSIAN_STD: f64 = 0.1;

pub fn init_layer(kind: InitKind, rng: &mut Rng, fan_in: usize, fan_out: usize, w: &mut [f32], b: &mut [f32]) {
    match kind {
        InitKind::Random => {
            w.iter_mut().chain(b.iter_mut()).for_each(|x| *x = rng.uniform(-RANDOM_LIMIT, RANDOM_LIMIT) as f32);
        }
        InitKind::Gaussian => {
            w.iter_mut().chain(b.iter_mut()).for_each(|x| *x = (rng.normal() * GAUSSIAN_STD) as f32);
        }
        InitKind::Glorot => {
            let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
            w.iter_mut().for_each(|x| *x = rng.uniform(-limit, limit) as f32);
            b.fill(0.0);
        }
    }
}
