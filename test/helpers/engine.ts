// Direct access to the engine's test hooks (the float64 reference network and the raw
// GEMM kernel) for the numerical tests.

import { FeedForwardNeuralNets, Matrix } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import type { Blocking } from '../../bench/lib/blocking.js';
import { ACTIVATION_CODES, activationFromName, type ActivationName } from '../../ts/api/activations.js';
import { LOSS_CODES, lossFromName, type LossName } from '../../ts/api/losses.js';
import { parameterCount } from '../../ts/api/parameters.js';
import { mulberry32 } from '../../ts/util/mulberry32.js';

export interface RefConfig {
  sizes: number[];
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  reg: null | 'l1' | 'l2';
  alpha: number;
}

const REG = { l1: 1, l2: 2 } as const;

/** Mean loss and gradients of the float64 reference network. */
export function referenceLossAndGradients(cfg: RefConfig, params: Float64Array, x: Float64Array, y: Float64Array, n: number, withGrads = true): { loss: number; grads: Float64Array } {
  const engine = getEngine();
  const count = parameterCount(cfg.sizes);
  return engine.scoped((s) => {
    const grads = withGrads ? s.allocOf(Float64Array, count) : 0;
    const out = s.allocOf(Float64Array, 1);
    const status = engine.exports.mlp_reference_loss_and_gradients(
      s.copyIn(Uint32Array.from(cfg.sizes)), cfg.sizes.length, ACTIVATION_CODES[cfg.hidden], ACTIVATION_CODES[cfg.output],
      LOSS_CODES[cfg.loss], cfg.reg ? REG[cfg.reg] : 0, cfg.alpha, s.copyIn(params), s.copyIn(x), s.copyIn(y), n, grads, out,
    );
    engine.check(status, 'reference');
    return { loss: engine.view(Float64Array, out, 1)[0], grads: withGrads ? s.copyOut(Float64Array, grads, count) : new Float64Array(0) };
  });
}

/** Random parameters (uniform in ±scale), inputs in ±1 and fitting targets (one-hot for
 *  cross-entropy) for the reference network of `cfg` on n rows. */
export function referenceProblem(cfg: RefConfig, n: number, seed: number, scale = 0.8): { params: Float64Array; x: Float64Array; y: Float64Array } {
  const next = mulberry32(seed);
  const params = new Float64Array(parameterCount(cfg.sizes)).map(() => (next() * 2 - 1) * scale);
  const x = new Float64Array(n * cfg.sizes[0]).map(() => next() * 2 - 1);
  const k = cfg.sizes[cfg.sizes.length - 1];
  const y = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    if (cfg.loss === 'crossEntropy') y[r * k + Math.floor(next() * k)] = 1;
    else for (let j = 0; j < k; j++) y[r * k + j] = next();
  }
  return { params, x, y };
}

/** The float32 engine's loss and gradients for the same problem (`during` wraps the pass). */
export function engineLossAndGradients(cfg: RefConfig, problem: { params: Float64Array; x: Float64Array; y: Float64Array }, n: number, threads?: number, during: (f: () => void) => void = (f) => f()): { loss: number; grads: Float32Array } {
  const [d, k] = [cfg.sizes[0], cfg.sizes[cfg.sizes.length - 1]];
  const net = new FeedForwardNeuralNets({
    inputs: d, outputs: k, hiddenLayers: cfg.sizes.slice(1, -1), seed: 1, ...(threads === undefined ? {} : { threads }),
    g: activationFromName(cfg.hidden, 't', 'g'), O: activationFromName(cfg.output, 't', 'O'),
    L: lossFromName(cfg.loss, { alpha: cfg.alpha, regularization: cfg.reg }, 't'),
  });
  try {
    net.writeVector(0, Float32Array.from(problem.params), 'test');
    const X = new Matrix(n, d, Float32Array.from(problem.x));
    const Y = new Matrix(n, k, Float32Array.from(problem.y));
    const loss = net.loss(X, Y);
    during(() => net.backPropagation(net.forwardPropagation(X), Y, X));
    return { loss, grads: net.readVector(1, 'test') };
  } finally {
    net.dispose();
  }
}

export interface Strided {
  data: Float32Array;
  rs: number;
  cs: number;
}

/** How `gemm` multiplies: the SIMD kernel, the scalar float64-accumulating loop, or
 *  Strassen's seven half products over the kernel (row-major operands only); each of the
 *  kernel's ways also with B packed beforehand, as evaluation reads its weights. */
export type GemmWay = 'kernel' | 'reference' | 'strassen' | 'kernel-prepacked' | 'strassen-prepacked';

/** C = A·B through the engine's kernel on `threads` threads (or another way, see GemmWay). */
export function gemm(m: number, n: number, k: number, a: Strided, b: Strided, reference: boolean | GemmWay, repeats = 1, threads = 1): Float32Array {
  const way = reference === true ? 'reference' : reference === false ? 'kernel' : reference;
  const engine = getEngine();
  return engine.scoped((s) => {
    const c = s.allocOf(Float32Array, m * n);
    const status = engine.exports.mlp_test_gemm(threads, m, n, k, s.copyIn(a.data), a.data.length, a.rs, a.cs, s.copyIn(b.data), b.data.length, b.rs, b.cs, c, n, { kernel: 0, reference: 1, strassen: 2, 'kernel-prepacked': 3, 'strassen-prepacked': 4 }[way], repeats);
    engine.check(status, 'gemm');
    return s.copyOut(Float32Array, c, m * n);
  });
}

export { blocking, type Blocking } from '../../bench/lib/blocking.js';

/** Floats of packed A for an m x k left operand. */
export function packedALength(m: number, k: number, b: Blocking): number {
  return Math.ceil(m / b.mr) * b.mr * k;
}

/** A (m x k values) and B (k x n values) read as the three products of a dense layer, and
 *  with a padded A. */
export function layerLayouts(A: Float32Array, B: Float32Array, m: number, n: number, k: number): { a: Strided; b: Strided }[] {
  return [
    // forward X·W: both row-major
    { a: { data: A, rs: k, cs: 1 }, b: { data: B, rs: n, cs: 1 } },
    // weight gradient Xᵀ·dZ: A stored k x m
    { a: { data: A, rs: 1, cs: m }, b: { data: B, rs: n, cs: 1 } },
    // dZ·Wᵀ: B stored n x k
    { a: { data: A, rs: k, cs: 1 }, b: { data: B, rs: 1, cs: k } },
    // row-major A with padded rows (the engine reads a row-major A in place: by its stride)
    { a: { data: padRows(A, m, k, 3), rs: k + 3, cs: 1 }, b: { data: B, rs: n, cs: 1 } },
  ];
}

/** A row-major rows x cols matrix copied with `pad` NaNs after each row. */
function padRows(a: Float32Array, rows: number, cols: number, pad: number): Float32Array {
  const out = new Float32Array(rows * (cols + pad)).fill(NaN);
  for (let i = 0; i < rows; i++) out.set(a.subarray(i * cols, (i + 1) * cols), i * (cols + pad));
  return out;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export const rng = mulberry32;

export function randomArray(n: number, next: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

/** Largest |a − b| / (atol + rtol·|b|); ≤ 1 means within tolerance. */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}

/** Whether two float arrays hold the same bits, element by element. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}
