// The threads build on two threads: separate stacks, products and training that equal the
// one-thread results bit for bit, reproducibility, and the engine's numerical suites (PyTorch
// fixtures, float64 reference gradients) with every product split over both threads.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Dataset, Matrix, ReLU, Tanh, Linear, CrossEntropyLoss, SquaredErrorLoss, DivergenceError } from '../../ts/index.js';
import { getEngine, threadCount } from '../../ts/wasm/load.js';
import { checkTorchCase, torchCases } from '../helpers/torch-fixtures.js';
import { blocking, engineLossAndGradients, gemm, packedALength, layerLayouts, randomArray, referenceLossAndGradients, referenceProblem, rng, sameBits, worstRatio, type RefConfig } from '../helpers/engine.js';

beforeAll(async () => {
  await init({ threads: 2 });
  // Split every product, however small, so the tiny fixture networks exercise the
  // threaded paths (panels fewer than threads, edge tiles, one-panel products).
  getEngine().exports.mlp_test_set_parallel_flops(0);
});
afterAll(() => getEngine().exports.mlp_test_set_parallel_flops(1 << 18));

/** Runs `f` and checks the engine really split some job over both threads meanwhile (small
 *  products and updates stay on one thread, so a suite can silently test nothing new). */
function splitting<T>(f: () => T): T {
  const before = getEngine().exports.mlp_test_forks();
  const out = f();
  expect(getEngine().exports.mlp_test_forks(), 'jobs run on two threads').toBeGreaterThan(before);
  return out;
}


describe('the pool', () => {
  it('runs two threads, each instance on a stack of its own', () => {
    expect(threadCount()).toBe(2);
    const e = getEngine().exports;
    expect(e.mlp_threads_build()).toBe(1);
    const main = e.mlp_thread_stack_probe(0);
    const worker = e.mlp_thread_stack_probe(1);
    expect(main).toBeGreaterThan(0);
    expect(worker).toBeGreaterThan(0);
    // The main stack sits below 1 MiB (Rust's layout); the worker's in a block the main
    // instance allocated for it, far from it.
    expect(main).toBeLessThan(1 << 20);
    expect(Math.abs(worker - main)).toBeGreaterThan(64 * 1024);
  });
});

describe('GEMM on two threads', () => {
  const next = rng(7);
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 3], [7, 17, 260], [64, 10, 100], [33, 257, 300], [64, 500, 784], [130, 24, 520], [541, 19, 801], [300, 8, 40], [40, 8, 30], [64, 12, 1000], [2, 3, 0]];
  it('the shapes cross the row blocks and K blocks of the engine', () => {
    const b = blocking();
    expect(shapes.some(([m, , k]) => m > 2 * b.mcRows && m % b.mr !== 0 && k > b.kc)).toBe(true);
    expect(shapes.some(([m, n]) => n <= b.nr && m > b.mcRows)).toBe(true); // one column panel, split by row blocks
    // a large A (B and a transposed A packed once and shared) and a small one (packed by
    // each thread), each across several row blocks
    expect(shapes.some(([m, , k]) => m > b.mcRows && packedALength(m, k, b) > b.privateA)).toBe(true);
    expect(shapes.some(([m, , k]) => m > b.mcRows && packedALength(m, k, b) <= b.privateA)).toBe(true);
    // a batch-sized A (one row block of 8 micro-panels or more) is cut into two row halves
    // per unit: one column panel so split, and halves across K blocks (whose B panel a thread
    // must pack again for each block, not reuse)
    const halved = ([m]: [number, number, number]) => m <= b.mcRows && Math.ceil(m / b.mr) >= 8;
    expect(shapes.some((s) => halved(s) && s[1] <= b.nr)).toBe(true);
    expect(shapes.some((s) => halved(s) && s[2] > b.kc)).toBe(true);
  });
  for (const [m, n, k] of shapes) {
    it(`${m}x${k} · ${k}x${n}: equal to one thread bit for bit, and to the reference`, () => {
      const A = randomArray(m * k, next);
      const B = randomArray(k * n, next);
      for (const { a, b } of layerLayouts(A, B, m, n, k)) {
        const one = gemm(m, n, k, a, b, false, 1, 1);
        // Products are split in units of one column panel by one row block (by half of one,
        // for a batch-sized A): a product of a single unit stays on one thread.
        const { nr, mr, mcRows } = blocking();
        const halves = m <= mcRows && Math.ceil(m / mr) >= 8 ? 2 : 1;
        const units = Math.ceil(n / nr) * Math.ceil(m / mcRows) * halves;
        const two = units > 1 && k > 0 ? splitting(() => gemm(m, n, k, a, b, false, 1, 2)) : gemm(m, n, k, a, b, false, 1, 2);
        expect(sameBits(one, two)).toBe(true);
        const ref = gemm(m, n, k, a, b, true);
        expect(worstRatio(two, ref, 1e-5 * Math.sqrt(k + 1), 1e-5)).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('two products in one fork on two threads', () => {
  // Backprop's products of a layer share a fork (gemm_products): each keeps its own
  // finiteness flag (the poisoned element is in its last tile, in the second thread's home
  // range unless stolen), and both equal the products computed one at a time on one thread.
  const pair = (m: number, n: number, k: number, poisoned: number) =>
    getEngine().scoped((s) => {
      const out = s.allocOf(Int32Array, 3);
      getEngine().check(getEngine().exports.mlp_test_descend_pair(2, m, n, k, poisoned, out), 'pair');
      return Array.from(getEngine().view(Int32Array, out, 3));
    });
  for (const [m, n, k] of [[64, 40, 30], [100, 250, 64], [40, 8, 300]] as const) {
    for (const poisoned of [-1, 0, 1]) {
      it(`${m}x${k} · ${k}x${n}, ${poisoned < 0 ? 'both finite' : `product ${poisoned} poisoned`}: flags per product, bits of one thread`, () => {
        const [first, second, same] = splitting(() => pair(m, n, k, poisoned));
        expect([first, second]).toEqual([poisoned === 0 ? 0 : 1, poisoned === 1 ? 0 : 1]);
        expect(same).toBe(1);
      });
    }
  }
});

describe("Strassen's half products on two threads", () => {
  const next = rng(8);
  for (const [m, n, k] of [[200, 210, 206], [256, 500, 784]]) {
    it(`${m}x${k} · ${k}x${n}: equal to one thread bit for bit, and to the reference`, () => {
      expect(Math.min(m, n, k) / 2).toBeGreaterThanOrEqual(blocking().strassenMinHalf);
      const A = randomArray(m * k, next);
      const B = randomArray(k * n, next);
      const [a, b] = [{ data: A, rs: k, cs: 1 }, { data: B, rs: n, cs: 1 }];
      const one = gemm(m, n, k, a, b, 'strassen', 1, 1);
      const two = splitting(() => gemm(m, n, k, a, b, 'strassen', 1, 2));
      expect(sameBits(one, two)).toBe(true);
      expect(worstRatio(two, gemm(m, n, k, a, b, 'reference'), 3e-5 * Math.sqrt(k + 1), 3e-5)).toBeLessThanOrEqual(1);
    });
  }
});

function problem(n: number, d: number, k: number, seed: number): Dataset {
  const next = rng(seed);
  const X = new Matrix(n, d, randomArray(n * d, next));
  const Y = new Matrix(n, k);
  for (let i = 0; i < n; i++) Y.data[i * k + Math.floor(next() * k)] = 1;
  return Dataset.fromMatrices(X, Y);
}

describe('training on two threads', () => {
  const variants = [
    { name: 'gradient descent (fused update)', options: {} },
    { name: 'Adam', options: { optimizer: 'adam' as const, eta: 0.001 } },
    { name: 'gradient descent with L2', options: { L: new CrossEntropyLoss({ regularization: 'l2', alpha: 0.001 }) } },
    { name: 'ReLU, batch not dividing the data', options: { g: new ReLU(), batchSize: 48 } },
    { name: 'tanh, a batch wider than a K block', options: { g: new Tanh(), batchSize: 850 } },
    // 37·600 + 600·19 + … parameters: more than one 16,384-element chunk of the optimizer's
    // update, so the update itself is split too.
    { name: 'Adam, more parameters than one update chunk', options: { optimizer: 'adam' as const, eta: 0.001, hiddenLayers: [600, 19] } },
  ];
  let data: Dataset;
  beforeAll(() => {
    data = problem(900, 37, 5, 3);
  });
  afterAll(() => data.dispose());

  it('the wide batch crosses a K block (weight gradients) and row blocks (every product)', () => {
    const b = blocking();
    expect(850).toBeGreaterThan(b.kc);
    expect(850).toBeGreaterThan(2 * b.mcRows);
  });

  for (const { name, options } of variants) {
    it(`${name}: equals one thread, and repeats bit for bit`, () => {
      const run = (threads: number) => {
        const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [40, 19], batchSize: 32, seed: 11, threads, ...options });
        net.train(2);
        const out = { params: net.readVector(0, 'test'), probs: net.evaluate(data).data, history: net.history.trainLoss.slice() };
        net.dispose();
        return out;
      };
      const one = run(1);
      const two = splitting(() => run(2));
      const again = run(2);
      // Within float tolerance (the contract) — and in fact identical: every product element
      // is computed by the same operations whatever the split.
      expect(worstRatio(two.params, one.params, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      expect(sameBits(two.params, one.params)).toBe(true);
      expect(sameBits(two.probs as Float32Array, one.probs as Float32Array)).toBe(true);
      expect(two.history).toEqual(one.history);
      expect(sameBits(again.params, two.params)).toBe(true);
    });
  }

  // End to end: a divergence on two threads stops training at the same batch as on one and
  // leaves the same weights (the per-product flags of a shared fork are tested directly above,
  // with mlp_test_descend_pair; this net's first overflow may show in a bias or layer 0).
  it('a divergence in the fused step stops at the same batch as on one thread, with the same weights', () => {
    const next = rng(3);
    const X = new Matrix(160, 20, Float32Array.from({ length: 160 * 20 }, () => next() * 2 - 1));
    const Y = new Matrix(160, 1, Float32Array.from({ length: 160 }, (_, i) => X.data[20 * i]! + 2 * X.data[20 * i + 1]! - X.data[20 * i + 2]!));
    const ds = Dataset.fromMatrices(X, Y);
    const run = (threads: number) => {
      const net = new FeedForwardNeuralNets({ inputs: ds, hiddenLayers: [24], g: new Tanh(), O: new Linear(), L: new SquaredErrorLoss(), eta: 1, batchSize: 40, seed: 1, threads });
      let caught: unknown;
      try {
        net.train(100);
      } catch (e) {
        caught = e;
      }
      const out = { caught, iteration: net.iteration, params: net.readVector(0, 'test') };
      net.dispose();
      return out;
    };
    const one = run(1);
    const two = splitting(() => run(2));
    ds.dispose();
    expect(one.caught).toBeInstanceOf(DivergenceError);
    expect(two.caught).toBeInstanceOf(DivergenceError);
    expect(one.iteration).toBeGreaterThan(0);
    expect(two.iteration).toBe(one.iteration);
    expect(Array.from(two.params).every(Number.isFinite)).toBe(true);
    expect(sameBits(two.params, one.params)).toBe(true);
  });

  it('a network asking for more threads than the engine has uses all of them', () => {
    const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [8], seed: 1, threads: 64 });
    expect(net.train(1).epochsCompleted).toBe(1);
    net.dispose();
    expect(() => new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [8], threads: 0 })).toThrow(/threads/);
  });
});

describe('evaluation on two threads', () => {
  // Inputs 200 and layers 210, 206: the first two products of a 256-row chunk (and of a 232-row
  // one) take Strassen's way, an 88-row chunk's and the 10-wide output layer's do not.
  const [d, k] = [200, 10];
  const e = () => getEngine().exports;
  const data = (n: number) => problem(n, d, k, 40 + n);
  let shape: Dataset;
  let one: FeedForwardNeuralNets;
  let two: FeedForwardNeuralNets;
  beforeAll(() => {
    shape = data(8);
    one = new FeedForwardNeuralNets({ inputs: shape, hiddenLayers: [210, 206], seed: 5, threads: 1 });
    two = new FeedForwardNeuralNets({ inputs: shape, hiddenLayers: [210, 206], seed: 5, threads: 2 });
  });
  afterAll(() => {
    one.dispose();
    two.dispose();
    shape.dispose();
    e().mlp_test_set_whole_chunks(1);
    e().mlp_test_set_strassen(1);
  });

  it('the chunks are 256 rows, and the wide layers qualify for Strassen', () => {
    expect(blocking().evalRows).toBe(256);
    expect(Math.min(206, 210, 200, 232) / 2).toBeGreaterThanOrEqual(blocking().strassenMinHalf);
  });

  /** Forks that one predict of X made on `threads`, and its output. */
  function forks(n: FeedForwardNeuralNets, X: Dataset): { forks: number; probs: Float32Array } {
    const before = e().mlp_test_forks();
    const probs = n.evaluate(X).data as Float32Array;
    return { forks: e().mlp_test_forks() - before, probs };
  }

  // 1000 rows: 4 chunks (the last of 232) in 2 rounds of 2, all whole; 1536: 6 in 3 rounds;
  // 600: the first 2 whole, the 88-row one split; 384 (256 + 128): both whole; 300 (256 + 44,
  // a round with a short chunk) and 256 (one chunk): none whole.
  for (const [n, whole] of [[1000, 4], [1536, 6], [600, 2], [384, 2], [300, 0], [256, 0]] as const)
    for (const strassen of [1, 0]) {
      it(`${n} rows${strassen ? '' : ', Strassen off'}: predict and loss equal one thread bit for bit, ${whole} chunks whole in one fork`, () => {
        const X = data(n);
        try {
          e().mlp_test_set_strassen(strassen);
          const ref = forks(one, X);
          expect(ref.forks).toBe(0);
          const refLoss = one.loss(X);
          e().mlp_test_set_whole_chunks(0);
          const split = forks(two, X);
          e().mlp_test_set_whole_chunks(1);
          const got = forks(two, X);
          e().mlp_test_set_prepacked(0);
          const unpacked = forks(two, X);
          e().mlp_test_set_prepacked(1);
          expect(sameBits(got.probs, ref.probs)).toBe(true);
          expect(sameBits(unpacked.probs, ref.probs)).toBe(true);
          expect(sameBits(split.probs, ref.probs)).toBe(true);
          expect(two.loss(X)).toBe(refLoss);
          // Every product of a chunk forks when split (the suite splits even tiny ones), so
          // the whole chunks' one fork replaces many.
          if (whole === 0) expect(got.forks).toBe(split.forks);
          else {
            const rest = Math.max(0, n - whole * 256);
            const restX = rest === 0 ? null : data(rest);
            const restForks = restX ? forks(two, restX).forks : 0;
            restX?.dispose();
            expect(got.forks).toBe(1 + restForks);
            expect(got.forks).toBeLessThan(split.forks);
          }
        } finally {
          X.dispose();
          e().mlp_test_set_strassen(1);
          e().mlp_test_set_whole_chunks(1);
          e().mlp_test_set_prepacked(1);
        }
      });
    }
});

describe('the allocation guard of whole-chunk evaluation', () => {
  it('a chunk on a worker that would need a buffer fails with an error, and the next call works', () => {
    const e = getEngine().exports;
    // 12 chunks: the threads claim chunks as they come, so on a loaded machine the main
    // thread can take all of a call's chunks before the worker wakes; each call is tried
    // until the worker has run one.
    const X = problem(12 * 256, 200, 10, 77);
    // A fresh network: its worker lane has never been sized.
    const two = new FeedForwardNeuralNets({ inputs: X, hiddenLayers: [210, 206], seed: 5, threads: 2 });
    const one = new FeedForwardNeuralNets({ inputs: X, hiddenLayers: [210, 206], seed: 5, threads: 1 });
    try {
      e.mlp_test_set_unsized_lanes(1);
      let error: unknown = null;
      for (let attempt = 0; attempt < 20 && error === null; attempt++) {
        try {
          two.evaluate(X);
        } catch (err) {
          error = err;
        }
      }
      expect(String(error)).toMatch(/an evaluation chunk needed a buffer that was not sized/);
      e.mlp_test_set_unsized_lanes(0);
      expect(sameBits(two.evaluate(X).data as Float32Array, one.evaluate(X).data as Float32Array)).toBe(true);
    } finally {
      e.mlp_test_set_unsized_lanes(0);
      two.dispose();
      one.dispose();
      X.dispose();
    }
  });
});

// The engine's own suites again, on two threads with every product split.

describe('PyTorch fixtures on two threads', () => {
  // Only the wide cases: the others are one 8-column panel wide, so nothing in them splits.
  const wide = torchCases.filter((c) => c.name.startsWith('wide_'));
  it('has the wide cases', () => expect(wide.length).toBe(4));
  for (const c of wide) it(c.name, () => splitting(() => checkTorchCase(c, 2)));
});

describe('gradients against the float64 reference on two threads', () => {
  // Every product at least two 8-column panels wide (forward 24, 17, 10; backward 20, 24, 17).
  const sizes = [20, 24, 17, 10];
  const n = 9;
  let seed = 100;
  for (const hidden of ['relu', 'sigmoid', 'tanh'] as const)
    for (const [output, loss] of [['softmax', 'crossEntropy'], ['sigmoid', 'squaredError'], ['linear', 'squaredError']] as const)
      for (const reg of [null, 'l2'] as const) {
        const s = seed++;
        it(`${hidden} / ${output} / ${loss} / ${reg ?? 'none'}`, () => {
          const cfg: RefConfig = { sizes, hidden, output, loss, reg, alpha: reg ? 0.01 : 0 };
          const problem = referenceProblem(cfg, n, s);
          const { loss: value, grads } = referenceLossAndGradients(cfg, problem.params, problem.x, problem.y, n);
          const engine = engineLossAndGradients(cfg, problem, n, 2, splitting);
          expect(engine.loss).toBeCloseTo(value, 5);
          expect(worstRatio(engine.grads, grads, 2e-6, 1e-3)).toBeLessThanOrEqual(1);
        });
      }
});
