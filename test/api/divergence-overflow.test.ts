// A step whose gradient is finite but whose update overflows float32 (a huge learning rate)
// must be refused like a NaN gradient: the weights, and Adam's moments and step count, stay
// exactly as they were after the last good step, on every optimizer path.

import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, ReLU, SquaredErrorLoss, DivergenceError, type MatrixLike } from '../../ts/index.js';

beforeAll(() => init());

const xor = [[0, 0], [0, 1], [1, 0], [1, 1]].map((r) => r.map((v) => v * 100));
const X: MatrixLike = [...xor, ...xor];
const Y: MatrixLike = [...xor, ...xor].map(([a, b]) => (a !== b ? [0, 1] : [1, 0]));

const paths = [
  ['gradient descent (the fused step)', { eta: 1e38 }],
  ['gradient descent with L2 (the separate update)', { eta: 3e38, L: new SquaredErrorLoss({ regularization: 'l2', alpha: 10 }) }],
  ['Adam', { optimizer: 'adam' as const, eta: 3e38 }],
] as const;

describe('an update that overflows float32', () => {
  for (const [name, options] of paths) {
    it(`${name}: DivergenceError, and the last good weights kept bit for bit`, () => {
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [4], g: new ReLU(), batchSize: 2, seed: 3, ...options });
      // Logging every iteration, the callback sees the weights after each good batch.
      let good = net.readVector(0, 'test');
      let goodT = net.t;
      let caught: unknown;
      try {
        net.train(20, {
          logEvery: 1,
          onProgress: () => {
            good = net.readVector(0, 'test');
            goodT = net.t;
          },
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DivergenceError);
      const now = net.readVector(0, 'test');
      expect(now.every(Number.isFinite)).toBe(true);
      expect(Array.from(now)).toEqual(Array.from(good));
      expect(net.t).toBe(goodT);
      net.dispose();
    });
  }

  it('the same for gradientDescent() and adam() called directly', () => {
    for (const step of ['gradientDescent', 'adam'] as const) {
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [4], g: new ReLU(), eta: 3e38, seed: 3 });
      const before = net.readVector(0, 'test');
      net.backPropagation(net.forwardPropagation(X), Y, X);
      expect(() => net[step]()).toThrow(DivergenceError);
      expect(Array.from(net.readVector(0, 'test'))).toEqual(Array.from(before));
      net.dispose();
    }
  });
});
