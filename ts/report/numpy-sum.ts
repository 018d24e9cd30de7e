// Summation in the same order as numpy's `np.add.reduce` for a contiguous float64 array
// (pairwise summation with 8 accumulators). scikit-learn's macro and weighted averages
// go through numpy, so summing in the same order gives bit-identical averages, and the
// 2-digit text then rounds the same way even when a value sits right on a rounding edge.

const BLOCK = 128; // numpy's PW_BLOCKSIZE

/** Sums `values` exactly as numpy's `values.sum()` would for a float64 array. */
export function numpySum(values: ArrayLike<number>): number {
  return pairwise(values, 0, values.length);
}

/** Mean exactly as numpy's `values.mean()`; NaN for an empty array, like numpy. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= BLOCK) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}
