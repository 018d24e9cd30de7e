//! Training data resident in wasm memory: copied in once, then every epoch gathers its
//! mini-batches from here without crossing the boundary again.

use crate::buffer::{checked_mul, zeroed};
use crate::error::{Error, Result};

pub struct Dataset {
    pub n: usize,
    pub d: usize,
    pub k: usize,
    /// n x d inputs, row-major.
    pub x: Vec<f32>,
    /// n x k targets, row-major.
    pub y: Vec<f32>,
}

impl Dataset {
    pub fn new(n: usize, d: usize, k: usize) -> Result<Dataset> {
        if n == 0 || d == 0 || k == 0 {
            return Err(Error::invalid(format!("dataset dimensions must be positive, got n={} d={} k={}", n, d, k)));
        }
        let x = zeroed(checked_mul(n, d, "dataset inputs")?, "dataset inputs")?;
        let y = zeroed(checked_mul(n, k, "dataset targets")?, "dataset targets")?;
        Ok(Dataset { n, d, k, x, y })
    }

    /// Fills inputs from 8-bit pixels: x = (u·scale − mean[j]) · inv_std[j], row `r` of the
    /// dataset taken from row `rows[r]` of `src` (which has `d` bytes per row).
    pub fn fill_from_u8(&mut self, src: &[u8], rows: &[u32], scale: f32, mean: &[f32], inv_std: &[f32]) -> Result<()> {
        let d = self.d;
        if rows.len() != self.n || mean.len() != d || inv_std.len() != d {
            return Err(Error::shape("fill_from_u8: row index or statistics length does not match the dataset"));
        }
        let src_rows = src.len() / d;
        for (r, &s) in rows.iter().enumerate() {
            let s = s as usize;
            if s >= src_rows {
                return Err(Error::invalid(format!("row index {} out of range (source has {} rows)", s, src_rows)));
            }
            let from = &src[s * d..(s + 1) * d];
            let to = &mut self.x[r * d..(r + 1) * d];
            for j in 0..d {
                to[j] = (from[j] as f32 * scale - mean[j]) * inv_std[j];
            }
        }
        Ok(())
    }

    /// One-hot targets from class labels.
    pub fn fill_one_hot(&mut self, labels: &[u8], rows: &[u32]) -> Result<()> {
        let k = self.k;
        if rows.len() != self.n {
            return Err(Error::shape("fill_one_hot: row index length does not match the dataset"));
        }
        self.y.fill(0.0);
        for (r, &s) in rows.iter().enumerate() {
            let label = *labels.get(s as usize).ok_or_else(|| Error::invalid(format!("label row {} out of range", s)))? as usize;
            if label >= k {
                return Err(Error::invalid(format!("label {} at row {} is not below the class count {}", label, s, k)));
            }
            self.y[r * k + label] = 1.0;
        }
        Ok(())
    }
}

/// Mean and standard deviation of 8-bit data scaled by `scale`, over everything (`per_feature`
/// false: every out[j] gets the global value) or per column of `d` features.
pub fn u8_statistics(src: &[u8], d: usize, scale: f32, per_feature: bool, mean: &mut [f32], std: &mut [f32]) -> Result<()> {
    let rows = src.len() / d;
    let mut sum: Vec<u64> = zeroed(if per_feature { d } else { 1 }, "feature sums")?;
    let mut sq: Vec<u64> = zeroed(sum.len(), "feature sums")?;
    for row in src.chunks_exact(d) {
        for (j, &v) in row.iter().enumerate() {
            let slot = if per_feature { j } else { 0 };
            sum[slot] += v as u64;
            sq[slot] += (v as u64) * (v as u64);
        }
    }
    let count = if per_feature { rows } else { rows * d } as f64;
    for j in 0..d {
        let slot = if per_feature { j } else { 0 };
        let m = sum[slot] as f64 / count;
        let var = (sq[slot] as f64 / count - m * m).max(0.0);
        mean[j] = (m * scale as f64) as f32;
        std[j] = (var.sqrt() * scale as f64) as f32;
    }
    Ok(())
}
