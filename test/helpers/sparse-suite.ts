// The first layer's products skip the zeros of a mostly-zero input (sparse.rs). Skipping a
// zero skips a term that adds nothing, so every result must equal the dense products' bit for
// bit: training (plain gradient descent's fused step, Adam's stored gradients), a refused
// step, and evaluation (against the plain products: Strassen's way rounds differently).
// Each case also checks which way the products went, so none can pass by never taking it.

import { describe, expect, it } from 'vitest';
import { Dataset, DivergenceError, FeedForwardNeuralNets, Matrix } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { gemm, rng, sameBits, worstRatio } from './engine.js';

const e = () => getEngine().exports;


/** n rows of d inputs, each nonzero with probability `density` (values in (0, 1], some
 *  entries −0, every 7th row all zeros), and one-hot targets of k classes. Standardised,
 *  (x − 0.13) / 0.31: the zeros become a background of −0.42 (as MNIST's do). */
export function sparseData(n: number, d: number, k: number, density: number, seed: number, standardised = false): Dataset {
  const next = rng(seed);
  const X = new Matrix(n, d);
  for (let i = 0; i < n * d; i++) {
    const r = next();
    X.data[i] = Math.floor(i / d) % 7 === 3 ? 0 : r < density ? 1 - next() : r < density + 0.05 ? -0 : 0;
    if (standardised) X.data[i] = (X.data[i] - 0.13) / 0.31;
  }
  const Y = new Matrix(n, k);
  for (let i = 0; i < n; i++) Y.data[i * k + Math.floor(next() * k)] = 1;
  return Dataset.fromMatrices(X, Y);
}

/** Runs f with the sparse way on or off, and returns its result and how many products took it. */
function way<T>(on: boolean, f: () => T): { out: T; products: number } {
  e().mlp_test_set_sparse(on ? 1 : 0);
  const before = e().mlp_test_sparse_products();
  try {
    return { out: f(), products: e().mlp_test_sparse_products() - before };
  } finally {
    e().mlp_test_set_sparse(1);
  }
}

/** `run` the sparse way and the dense way on the suite's threads, and the sparse way on one. */
function threeWays<T>(run: (count?: number) => T) {
  return { sparse: way(true, () => run()), dense: way(false, () => run()), one: way(true, () => run(1)) };
}

/** The suite, with networks on `threads` threads (the threads build's file runs it on 2). */
export function sparseSuite(threads: number): void {
  // Widths: a d not a multiple of 4 (compression's scalar tail), hidden widths whose last
  // tile is partial (13: lanes past the row are read and must not count; 50: two whole
  // 24-column tiles and a 2-column one; 1 and 3: a single partial vector). d is large enough
  // that no batch's first row passes a third of nonzeros (which turns a batch away) but the
  // 7-wide one's, whose seed gives none.
  const shapes: [number, number[], number][] = [[784, [50, 13], 10], [7, [13], 3], [100, [24, 8], 4], [200, [1], 2], [90, [3, 5], 2]];
  const optimizers = [['gradient descent (the fused step)', {}], ['Adam (stored gradients)', { optimizer: 'adam', eta: 0.01 }]] as const;

  describe(`training on ${threads} thread(s)`, () => {
    for (const [d, hidden, k] of shapes)
      for (const [name, options] of optimizers)
        it(`${d}-${hidden.join('-')}-${k}, ${name}: the dense products' bits${threads > 1 ? ', and one thread\'s' : ''}`, () => {
          const data = sparseData(150, d, k, 0.2, d);
          const run = (count = threads) => {
            const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: hidden, batchSize: 32, seed: 9, threads: count, eta: 0.5, ...options });
            try {
              net.train(2);
              return net.readVector(0, 'test');
            } finally {
              net.dispose();
            }
          };
          const { sparse, dense, one } = threeWays(run);
          data.dispose();
          // 5 batches (the last partial) in each of 2 epochs: each step's forward and weight
          // gradient.
          expect(sparse.products).toBe(2 * 5 * 2);
          expect(dense.products).toBe(0);
          expect(sameBits(sparse.out, dense.out)).toBe(true);
          expect(sameBits(sparse.out, one.out)).toBe(true);
        });

    it('standardised inputs (a background of −0.42), stored gradients of a batch: close to the dense products, and one thread\'s bits', () => {
      const data = sparseData(32, 784, 10, 0.2, 8, true);
      const { X, Y } = data.toMatrices();
      const run = (count = threads) => {
        const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [50, 13], seed: 9, threads: count });
        try {
          net.backPropagation(net.forwardPropagation(X), Y, X);
          return net.readVector(1, 'test');
        } finally {
          net.dispose();
        }
      };
      const { sparse, dense, one } = threeWays(run);
      data.dispose();
      // forwardPropagation's product, then backPropagation's forward and weight gradient.
      expect(sparse.products).toBe(3);
      const first = 784 * 50; // the first layer's weight gradient
      expect(worstRatio(sparse.out.subarray(0, first), dense.out.subarray(0, first), 1e-7, 1e-4)).toBeLessThan(1);
      expect(worstRatio(sparse.out, dense.out, 1e-7, 1e-4)).toBeLessThan(1);
      expect(sameBits(sparse.out, one.out)).toBe(true);
    });

    for (const [name, options] of optimizers.slice(0, 1))
      it(`standardised inputs (a background of −0.42), ${name}: close to the dense products, and one thread's bits`, () => {
        const data = sparseData(150, 784, 10, 0.2, 6, true);
        const run = (count = threads) => {
          const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [50, 13], batchSize: 32, seed: 9, threads: count, eta: 0.1, ...options });
          try {
            const before = net.readVector(0, 'test');
            net.train(2);
            const after = net.readVector(0, 'test');
            return { after, moved: after.reduce((m, v, i) => Math.max(m, Math.abs(v - before[i])), 0) };
          } finally {
            net.dispose();
          }
        };
        const { sparse, dense, one } = threeWays(run);
        const again = way(true, () => run());
        data.dispose();
        expect(sparse.products).toBe(2 * 5 * 2);
        // Summed in another order: float32 rounding, far below what training moved the weights.
        expect(dense.out.moved).toBeGreaterThan(1e-2);
        expect(worstRatio(sparse.out.after, dense.out.after, 1e-5, 1e-4)).toBeLessThan(1);
        expect(sameBits(sparse.out.after, dense.out.after)).toBe(false);
        expect(sameBits(sparse.out.after, one.out.after)).toBe(true);
        expect(sameBits(sparse.out.after, again.out.after)).toBe(true);
      });

    it('a step that overflows is refused at the same batch, the weights kept bit for bit', () => {
      const data = sparseData(64, 784, 10, 0.2, 4);
      const run = () => {
        const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [30], batchSize: 8, seed: 3, threads, eta: 1e38 });
        let good = net.readVector(0, 'test');
        let batches = 0;
        // The step must be refused: no way out of train but a DivergenceError.
        expect(() => net.train(3, { logEvery: 1, onProgress: () => { good = net.readVector(0, 'test'); batches++; } })).toThrow(DivergenceError);
        const now = net.readVector(0, 'test');
        net.dispose();
        expect(sameBits(now, good)).toBe(true);
        return { now, batches };
      };
      const sparse = way(true, run);
      const dense = way(false, run);
      data.dispose();
      expect(sparse.products).toBeGreaterThan(0);
      // Refused before the last of the 3 epochs' 24 batches.
      expect(sparse.out.batches).toBeLessThan(24);
      expect(sparse.out.batches).toBe(dense.out.batches);
      expect(sameBits(sparse.out.now, dense.out.now)).toBe(true);
    });
  });

  describe(`the benchmark's hook on ${threads} thread(s) (mlp_test_sparse_gemm)`, () => {
    /** X·B (transpose 0) or Xᵀ·B (1) the sparse way, X rows x cols. */
    const sparseGemm = (X: Float32Array, rows: number, cols: number, B: Float32Array, n: number, transpose: number) => {
      const engine = getEngine();
      const m = transpose ? cols : rows;
      return engine.scoped((s) => {
        const c = s.allocOf(Float32Array, m * n);
        engine.check(e().mlp_test_sparse_gemm(threads, rows, cols, n, s.copyIn(X), s.copyIn(B), B.length, c, transpose, 2), 'sparse gemm');
        return s.copyOut(Float32Array, c, m * n);
      });
    };
    const [rows, cols, n] = [64, 300, 50];
    const next = rng(12);
    const B = Float32Array.from({ length: Math.max(rows, cols) * n + 4 }, () => next() * 2 - 1);
    for (const standardised of [false, true])
      for (const transpose of [0, 1])
        it(`${transpose ? 'Xᵀ·dZ' : 'X·W'}, ${standardised ? 'standardised' : 'zero background'}: the dense kernel's ${standardised ? 'values' : 'bits'}`, () => {
          const data = sparseData(rows, cols, 3, 0.2, 30 + transpose, standardised);
          const X = data.toMatrices().X.data as Float32Array;
          data.dispose();
          const k = transpose ? rows : cols;
          const a = transpose ? { data: X, rs: 1, cs: cols } : { data: X, rs: cols, cs: 1 };
          const dense = gemm(transpose ? cols : rows, n, k, a, { data: B, rs: n, cs: 1 }, 'kernel');
          const forks = e().mlp_test_forks();
          const sparse = way(true, () => sparseGemm(X, rows, cols, B, n, transpose));
          expect(sparse.products).toBe(2);
          // On two threads each compression and each product really split (one fork each).
          expect(e().mlp_test_forks() - forks).toBe(threads > 1 ? 4 : 0);
          if (standardised) expect(worstRatio(sparse.out, dense, 1e-5, 1e-4)).toBeLessThan(1);
          else expect(sameBits(sparse.out, dense)).toBe(true);
        });
    it('refuses an X too dense for the sparse way', () => {
      const X = Float32Array.from({ length: rows * cols }, (_, i) => 1 + (i % 7));
      expect(() => sparseGemm(X, rows, cols, B, n, 0)).toThrow(/too dense/);
    });
  });

  describe(`evaluation on ${threads} thread(s)`, () => {
    // 600 rows: two 256-row chunks and an 88-row one (on two threads, the first two whole on
    // threads of their own, the last split); 300: a 256-row chunk and a 44-row one (on two
    // threads both split, the first packing B's tiles on both); 5 rows: one short chunk.
    for (const n of [600, 300, 5])
      it(`${n} rows: predict and loss equal the plain products bit for bit`, () => {
        const train = sparseData(40, 784, 10, 0.2, 1);
        const X = sparseData(n, 784, 10, 0.2, 2);
        const net = new FeedForwardNeuralNets({ inputs: train, hiddenLayers: [210, 206], seed: 5, threads });
        try {
          const run = () => ({ probs: net.evaluate(X).data as Float32Array, loss: net.loss(X) });
          e().mlp_test_set_strassen(0);
          const sparse = way(true, run);
          const dense = way(false, run);
          e().mlp_test_set_strassen(1);
          // With Strassen's way for the dense products, the results only agree closely.
          const strassen = way(false, run);
          expect(sparse.products).toBe(2 * Math.ceil(n / 256));
          expect(sameBits(sparse.out.probs, dense.out.probs)).toBe(true);
          // The first layer's weights prepared once (evaluation's packed weights) or in
          // every product: the same bits.
          e().mlp_test_set_strassen(0);
          e().mlp_test_set_prepacked(0);
          const unprepared = way(true, run);
          e().mlp_test_set_prepacked(1);
          expect(sameBits(unprepared.out.probs, sparse.out.probs)).toBe(true);
          expect(sparse.out.loss).toBe(dense.out.loss);
          const worst = strassen.out.probs.reduce((w, p, i) => Math.max(w, Math.abs(p - sparse.out.probs[i])), 0);
          expect(worst).toBeLessThan(1e-5);
        } finally {
          e().mlp_test_set_strassen(1);
          e().mlp_test_set_prepacked(1);
          net.dispose();
          train.dispose();
          X.dispose();
        }
      });

    it('standardised inputs (a background of −0.42): predict and loss close to the dense products', () => {
      const train = sparseData(40, 784, 10, 0.2, 1, true);
      const X = sparseData(600, 784, 10, 0.2, 2, true);
      const net = new FeedForwardNeuralNets({ inputs: train, hiddenLayers: [210, 206], seed: 5, threads });
      try {
        const run = () => ({ probs: net.evaluate(X).data as Float32Array, loss: net.loss(X) });
        const sparse = way(true, run);
        const dense = way(false, run);
        expect(sparse.products).toBe(2 * 3);
        expect(worstRatio(sparse.out.probs, dense.out.probs, 1e-6, 1e-4)).toBeLessThan(1);
        e().mlp_test_set_prepacked(0);
        const unprepared = way(true, run);
        e().mlp_test_set_prepacked(1);
        expect(sameBits(unprepared.out.probs, sparse.out.probs)).toBe(true);
        expect(unprepared.out.loss).toBe(sparse.out.loss);
        expect(Math.abs(sparse.out.loss - dense.out.loss)).toBeLessThan(1e-5 * dense.out.loss);
      } finally {
        e().mlp_test_set_prepacked(1);
        net.dispose();
        train.dispose();
        X.dispose();
      }
    });

    it('up to a third of the inputs nonzero takes the sparse way, more does not, nor a first row past a third', () => {
      // 4 rows of 8: the bound is 10 nonzeros, 2 in the first row (which is checked first).
      const net = new FeedForwardNeuralNets({ inputs: 8, outputs: 3, hiddenLayers: [5], seed: 1, threads });
      // `first` nonzeros at the start of the first row, then `rest` from row `from` on. On two
      // threads rows 0-1 and 2-3 are compressed apart: from row 2, all of them in the second
      // part, which stops early when it alone holds more than the bound.
      const x = (first: number, rest: number, from: number) => new Matrix(4, 8, Float32Array.from({ length: 32 }, (_, i) => (i < first || (i >= 8 * from && i < 8 * from + rest) ? 0.5 + i / 64 : 0)));
      const cases = [[2, 8, 1, 1], [2, 9, 0, 1], [0, 10, 1, 1], [0, 11, 0, 1], [0, 10, 1, 2], [0, 11, 0, 2], [2, 8, 1, 2], [2, 9, 0, 2], [0, 0, 1, 1], [3, 0, 0, 1], [8, 24, 0, 1]] as const;
      for (const [first, rest, taken, from] of cases) {
        const sparse = way(true, () => net.evaluate(x(first, rest, from)).data as Float32Array);
        const dense = way(false, () => net.evaluate(x(first, rest, from)).data as Float32Array);
        expect(sparse.products, `${first} + ${rest} nonzeros from row ${from}`).toBe(taken);
        expect(sameBits(sparse.out, dense.out)).toBe(true);
      }
      net.dispose();
    });
  });
}
