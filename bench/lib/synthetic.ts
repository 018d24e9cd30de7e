// Seeded, MNIST-shaped synthetic data shared by every peer. Speed does not depend on the
// values, but using one generator means every engine sees the same bytes and any accuracy
// sanity check compares like with like. Inputs are class prototypes plus Gaussian noise,
// scaled to roughly zero mean and unit variance per feature ("standardised").

import { mulberry32 } from '../../ts/util/mulberry32.js';

export const INPUTS = 784;
export const CLASSES = 10;

export interface SyntheticData {
  /** n*784 row-major features. */
  x: Float32Array;
  /** n class indices in [0, 10). */
  labels: Int32Array;
  /** n*10 one-hot targets. */
  y: Float32Array;
}

/** Standard normal via Box–Muller, from a uniform source. */
function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand(); // (0, 1]: log never sees 0
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export function syntheticMnistLike(n: number, seed = 1): SyntheticData {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`syntheticMnistLike: n must be a non-negative integer, got ${n}`);
  const rand = mulberry32(seed);
  const normal = gaussian(rand);

  // One N(0,1) prototype per class; a sample is prototype + N(0,1) noise, divided by sqrt(2)
  // so each feature has unit variance over the data set.
  const prototypes = new Float32Array(CLASSES * INPUTS);
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = normal();
  const scale = 1 / Math.SQRT2;

  const x = new Float32Array(n * INPUTS);
  const labels = new Int32Array(n);
  const y = new Float32Array(n * CLASSES);
  for (let s = 0; s < n; s++) {
    const c = Math.min(CLASSES - 1, Math.floor(rand() * CLASSES));
    labels[s] = c;
    y[s * CLASSES + c] = 1;
    const row = s * INPUTS;
    const proto = c * INPUTS;
    for (let j = 0; j < INPUTS; j++) x[row + j] = (prototypes[proto + j] + normal()) * scale;
  }
  return { x, labels, y };
}
