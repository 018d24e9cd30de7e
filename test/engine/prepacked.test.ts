// Evaluation reads its weights packed once (evaluation.rs `PackedWeights`): the kernels with B
// packed beforehand give the same bits as packing it as they go, and the packed copy follows
// every change of the weights (training, a gradient step, Adam, new parameters).

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { init, Dataset, FeedForwardNeuralNets, Matrix } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { blocking, gemm, layerLayouts, packedALength, randomArray, rng } from '../helpers/engine.js';

await init();
const e = () => getEngine().exports;
afterEach(() => e().mlp_test_set_prepacked(1));

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);
const rowMajor = (data: Float32Array, cols: number) => ({ data, rs: cols, cs: 1 });

describe('products with B packed beforehand', () => {
  const b = blocking();
  const h = b.strassenMinHalf;
  // Edge tiles, several K blocks, row blocks, and a large A (units in another order).
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 9, 3], [7, 17, 260], [64, 500, 784], [33, 257, 300], [7, 9, 801], [13, 20, 1601], [541, 19, 801], [300, 8, 40], [2, 3, 0]];
  it('the shapes cross the blocking edges', () => {
    expect(shapes.some(([m, n, k]) => m % b.mr !== 0 && n % b.nr !== 0 && k > b.kc)).toBe(true);
    expect(shapes.some(([m, , k]) => m > b.mcRows && packedALength(m, k, b) > b.privateA)).toBe(true);
  });
  const next = rng(23);
  for (const [m, n, k] of shapes)
    it(`${m}x${k} · ${k}x${n}, all three layouts: the kernel's bits`, () => {
      const [A, B] = [randomArray(m * k, next), randomArray(k * n, next)];
      for (const { a, b: bm } of layerLayouts(A, B, m, n, k)) {
        const plain = gemm(m, n, k, a, bm, 'kernel');
        const packed = gemm(m, n, k, a, bm, 'kernel-prepacked');
        expect(same(packed, plain)).toBe(true);
      }
    });

  for (const [m, n, k] of [[2 * h, 2 * h, 2 * h], [2 * (h + 3), 2 * (h + 5), 2 * (b.kc + 1)], [256, 500, 784]])
    it(`Strassen's way, ${m}x${k} · ${k}x${n}: its seven operands packed give its bits`, () => {
      const [A, B] = [randomArray(m * k, next), randomArray(k * n, next)];
      const plain = gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'strassen');
      expect(same(gemm(m, n, k, rowMajor(A, k), rowMajor(B, n), 'strassen-prepacked'), plain)).toBe(true);
    });
});

describe('evaluation with the packed weights', () => {
  const h = blocking().strassenMinHalf;
  // 2h -> 2h+8 -> 2h -> 3: the first two products of a 256-row chunk take Strassen's way, a
  // short chunk's and the output layer's the plain kernel's.
  const [d, k] = [2 * h, 3];
  const hidden = [2 * h + 8, 2 * h];
  const next = rng(5);
  const data = (n: number) => {
    const Y = new Matrix(n, k);
    for (let i = 0; i < n; i++) Y.data[i * k + (i % k)] = 1;
    return Dataset.fromMatrices(new Matrix(n, d, randomArray(n * d, next)), Y);
  };
  const X = data(300); // a 256-row chunk and a 44-row one
  afterAll(() => X.dispose());

  /** Predictions of X with the packed weights, checked against packing in every product. */
  function checked(net: FeedForwardNeuralNets): Float32Array {
    const packed = net.evaluate(X).data as Float32Array;
    const loss = net.loss(X);
    e().mlp_test_set_prepacked(0);
    const plain = net.evaluate(X).data as Float32Array;
    const plainLoss = net.loss(X);
    e().mlp_test_set_prepacked(1);
    expect(same(packed, plain)).toBe(true);
    expect(loss).toBe(plainLoss);
    return packed;
  }

  const withNet = (options: Record<string, unknown>, f: (net: FeedForwardNeuralNets, train: Dataset) => void) => {
    const train = data(96);
    const net = new FeedForwardNeuralNets({ inputs: train, hiddenLayers: hidden, seed: 3, batchSize: 32, ...options });
    try {
      f(net, train);
    } finally {
      net.dispose();
      train.dispose();
    }
  };

  for (const n of [1, 5, 256, 300, 600])
    it(`${n} rows: the same bits as packing in every product`, () =>
      withNet({}, (net) => {
        const Xn = data(n);
        try {
          const packed = net.evaluate(Xn).data as Float32Array;
          e().mlp_test_set_prepacked(0);
          expect(same(packed, net.evaluate(Xn).data as Float32Array)).toBe(true);
        } finally {
          Xn.dispose();
        }
      }));

  /** The gradients of the first 8 training rows, kept for a step. */
  function backPropagate(net: FeedForwardNeuralNets, train: Dataset): FeedForwardNeuralNets {
    const { X: all, Y: targets } = train.toMatrices();
    const x = new Matrix(8, d, all.data.slice(0, 8 * d));
    const y = new Matrix(8, k, targets.data.slice(0, 8 * k));
    net.backPropagation(net.forwardPropagation(x), y, x);
    return net;
  }

  const changes: [string, Record<string, unknown>, (net: FeedForwardNeuralNets, train: Dataset) => void][] = [
    ['an epoch of training', {}, (net) => net.train(1)],
    ['an epoch of training with Adam', { optimizer: 'adam', eta: 0.001 }, (net) => net.train(1)],
    ['backPropagation and gradientDescent', {}, (net, train) => backPropagate(net, train).gradientDescent()],
    ['backPropagation and adam', {}, (net, train) => backPropagate(net, train).adam()],
    ['setParameters', {}, (net) => {
      const p = net.parameters;
      for (const m of Object.values(p)) for (let i = 0; i < m.data.length; i++) m.data[i] *= 0.5;
      net.setParameters(p);
    }],
  ];
  for (const [what, options, change] of changes)
    it(`follows ${what}`, () =>
      withNet({ eta: 0.5, ...options }, (net, train) => {
        const before = checked(net);
        change(net, train);
        const after = checked(net);
        expect(same(after, before)).toBe(false);
      }));
});
