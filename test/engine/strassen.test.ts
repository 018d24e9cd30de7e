// Evaluation's large forward products run as Strassen's seven half products (strassen.rs):
// against the scalar reference at shapes whose halves cross the tile, K-block and row-block
// edges, refused where they do not apply, and through the network (predict and loss) against
// the plain kernel and the float64 reference.

import { describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Matrix, Tanh } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { blocking, gemm, packedALength, randomArray, referenceLossAndGradients, referenceProblem, rng, worstRatio, type RefConfig } from '../helpers/engine.js';

// The shapes below come from the engine's blocking, read at collection time.
await init();

const rowMajor = (data: Float32Array, cols: number) => ({ data, rs: cols, cs: 1 });

/** Strassen's sums mix terms, so its rounding is a little worse than the kernel's. */
const within = (fast: Float32Array, ref: Float32Array, k: number) => worstRatio(fast, ref, 3e-5 * Math.sqrt(k + 1), 3e-5);

describe('Strassen against the scalar reference', () => {
  const b = blocking();
  const h = b.strassenMinHalf;
  // halves: the smallest allowed; not multiples of the 4x8 tile; deeper than a K block (the
  // Land epilogue then folds several blocks into one or two quadrants); a half A larger than a small one
  // (B and its sums packed once and shared) across row blocks.
  const shapes: [number, number, number][] = [
    [2 * h, 2 * h, 2 * h],
    [2 * (h + 3), 2 * (h + 5), 2 * (h + 1)],
    [2 * h, 2 * (h + 1), 2 * (b.kc + 1)],
    [2 * (b.mcRows + 37), 2 * (h + 7), 2 * (b.kc + 3)],
    [256, 500, 784],
  ];
  it('the shapes cross the blocking edges in their halves', () => {
    expect(shapes.some(([m, n]) => (m / 2) % b.mr !== 0 && (n / 2) % b.nr !== 0)).toBe(true);
    expect(shapes.some(([, , k]) => k / 2 > b.kc)).toBe(true);
    expect(shapes.some(([m, , k]) => m / 2 > b.mcRows && packedALength(m / 2, k / 2, b) > b.privateA)).toBe(true);
  });
  const next = rng(11);
  for (const [m, n, k] of shapes) {
    it(`${m}x${k} · ${k}x${n}`, () => {
      const A = randomArray(m * k, next);
      const B = randomArray(k * n, next);
      const fast = gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'strassen');
      const ref = gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'reference');
      expect(within(fast, ref, k)).toBeLessThanOrEqual(1);
      // and it is not the plain kernel under another name
      const plain = gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'kernel');
      expect(Array.from(fast).some((v, i) => v !== plain[i])).toBe(true);
    });
  }

  it('is refused with an error for odd or too small dimensions and for strided operands', () => {
    const A = randomArray(2 * h * (2 * h + 1), next);
    const B = randomArray((2 * h + 1) * 2 * h, next);
    for (const [m, n, k] of [[2 * h, 2 * h, 2 * h + 1], [2 * h - 2, 2 * h, 2 * h], [2 * h, 2 * h + 1, 2 * h]]) {
      expect(() => gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'strassen')).toThrow(/Strassen/);
    }
    const m = 2 * h;
    expect(() => gemm(m, m, m, { data: A, rs: 1, cs: m }, rowMajor(B, m), 'strassen')).toThrow(/Strassen/);
  });
});

describe('Strassen in evaluation', () => {
  const h = blocking().strassenMinHalf;
  // Layers 2h -> 2h+8 -> 2h -> 3: the first two products qualify at 2h+ rows, the last not.
  const cfg: RefConfig = { sizes: [2 * h, 2 * h + 8, 2 * h, 3], hidden: 'tanh', output: 'softmax', loss: 'crossEntropy', reg: null, alpha: 0 };
  const [d, k] = [cfg.sizes[0], 3];
  const n = 2 * h + 6;
  const problem = referenceProblem(cfg, n, 9, 0.1);
  const X = new Matrix(n, d, Float32Array.from(problem.x));
  const Y = new Matrix(n, k, Float32Array.from(problem.y));
  const withNet = (f: (net: FeedForwardNeuralNets) => void) => {
    const net = new FeedForwardNeuralNets({ inputs: d, outputs: k, hiddenLayers: cfg.sizes.slice(1, -1), g: new Tanh(), seed: 1 });
    try {
      net.writeVector(0, Float32Array.from(problem.params), 'test');
      f(net);
    } finally {
      net.dispose();
    }
  };

  it('predictions equal row-by-row ones (the plain kernel) within float rounding', () =>
    withNet((net) => {
      const all = net.evaluate(X);
      for (let i = 0; i < n; i += 7) {
        // One row never qualifies: these are the plain kernel's results.
        const one = net.evaluate(new Matrix(1, d, X.data.slice(i * d, (i + 1) * d)));
        expect(worstRatio(all.data.subarray(i * k, (i + 1) * k), one.data, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      }
    }));

  it('switched off (the A/B hook), evaluation is the plain kernel: equal to row-by-row bit for bit', () =>
    withNet((net) => {
      const e = getEngine().exports;
      const on = net.evaluate(X);
      e.mlp_test_set_strassen(0);
      try {
        const off = net.evaluate(X);
        const rows = Array.from({ length: n }, (_, i) => net.evaluate(new Matrix(1, d, X.data.slice(i * d, (i + 1) * d))).data);
        expect(rows.every((r, i) => r.every((v, j) => v === off.data[i * k + j]))).toBe(true);
        expect(Array.from(on.data).some((v, i) => v !== off.data[i])).toBe(true);
        // The switch is evaluation's: the test hook still multiplies in Strassen's way.
        const m = 2 * h;
        const [A, B] = [randomArray(m * m, rng(3)), randomArray(m * m, rng(4))];
        const switchedOff = gemm(m, m, m, rowMajor(A, m), rowMajor(B, m), 'strassen');
        e.mlp_test_set_strassen(1);
        expect(switchedOff).toEqual(gemm(m, m, m, rowMajor(A, m), rowMajor(B, m), 'strassen'));
      } finally {
        e.mlp_test_set_strassen(1);
      }
    }));

  it('the loss equals the float64 reference network', () =>
    withNet((net) => {
      const ref = referenceLossAndGradients(cfg, problem.params, problem.x, problem.y, n, false).loss;
      expect(Math.abs(net.loss(X, Y) - ref)).toBeLessThan(2e-6 * Math.max(1, ref));
    }));
});
