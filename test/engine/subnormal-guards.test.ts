// The engine keeps float32 subnormals out of its products (see `TINY` in simd.rs): an x86 core
// takes a microcode assist for every SIMD operation that meets one. Activations below 2^-62 are
// stored as 0 (a sigmoid floors at σ(−42) ≈ 5.7e-19 instead), and so are back-propagated deltas.
// These tests drive single units into those ranges through the public API, on one thread and two.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, CrossEntropyLoss, FeedForwardNeuralNets, Linear, ReLU, Sigmoid, SquaredErrorLoss, Tanh, type Parameters } from '../../ts/index.js';

const TINY = 2 ** -62;
const MIN_NORMAL = 2 ** -126;
const SIGMOID_FLOOR = 1 / (1 + Math.exp(42));

beforeAll(async () => {
  await init({ threads: 2 });
});

/** 1 input → 1 hidden unit (activation g) → 1 linear output; W1 = w1, W2 = w2, no biases. */
function unit(g: Sigmoid | ReLU | Tanh | Linear, w1: number, w2: number, threads: number): FeedForwardNeuralNets {
  const net = new FeedForwardNeuralNets({ inputs: 1, outputs: 1, hiddenLayers: [1], g, O: new Linear(), L: new SquaredErrorLoss(), batchSize: 1, seed: 1, threads });
  net.setParameters({ W1: [[w1]], b1: [[0]], W2: [[w2]], b2: [[0]] });
  return net;
}

const value = (p: Parameters, name: string) => p[name].data[0];
const nets: FeedForwardNeuralNets[] = [];
afterAll(() => nets.forEach((n) => n.dispose()));

for (const threads of [1, 2]) {
  describe(`on ${threads} thread(s)`, () => {
    const make = (...args: [Sigmoid | ReLU | Tanh | Linear, number, number]) => {
      const n = unit(...args, threads);
      nets.push(n);
      return n;
    };

    it('a saturated hidden sigmoid stores its floor σ(−42), above 2^-62, not a subnormal', () => {
      const net = make(new Sigmoid(), -100, 1);
      const out = net.forwardPropagation([[1]]).data[0];
      expect(out).toBeGreaterThanOrEqual(TINY);
      expect(Math.abs(out - SIGMOID_FLOOR) / SIGMOID_FLOOR).toBeLessThan(1e-5);
      // Unsaturated inputs are untouched: σ(−41) is the true value.
      net.setParameters({ W1: [[-41]], b1: [[0]], W2: [[1]], b2: [[0]] });
      expect(Math.abs(net.forwardPropagation([[1]]).data[0] * (1 + Math.exp(41)) - 1)).toBeLessThan(1e-5);
    });

    it('an output sigmoid floors too, which leaves its cross-entropy as it was (p is floored at 1e-7 there)', () => {
      const net = new FeedForwardNeuralNets({ inputs: 1, outputs: 2, hiddenLayers: [], O: new Sigmoid(), L: new CrossEntropyLoss(), seed: 1, threads });
      nets.push(net);
      net.setParameters({ W1: [[-60, 60]], b1: [[0, 0]] });
      const out = net.forwardPropagation([[1]]).data;
      expect(Math.abs(out[0] - SIGMOID_FLOOR) / SIGMOID_FLOOR).toBeLessThan(1e-5);
      expect(out[1]).toBe(1);
      // Target (1, 0): −Σ y·log(max(p, 1e-7)) = −log(1e-7), with the floor as with the true σ(−60).
      expect(net.loss([[1]], [[1, 0]])).toBeCloseTo(-Math.log(1e-7), 4);
    });

    // tanh keeps ~1e-7 absolute accuracy near 0 (2σ(2x) − 1), so its kept value is larger.
    for (const [name, g, kept] of [['ReLU', new ReLU(), 1e-18], ['tanh', new Tanh(), 1e-3], ['linear', new Linear(), 1e-18]] as const) {
      it(`a ${name} hidden value below 2^-62 is stored as 0; one above it is kept`, () => {
        const net = make(g, 1e-20, 1);
        expect(net.forwardPropagation([[1]]).data[0]).toBe(0);
        expect(net.forwardPropagation([[-1]]).data[0]).toBe(0);
        const out = net.forwardPropagation([[kept / 1e-20]]).data[0];
        expect(Math.abs(out - kept) / kept).toBeLessThan(1e-3);
      });
    }

    it('a delta below 2^-62 is 0, so the weight gradients below it are exactly 0, and none is subnormal', () => {
      // dZ2 = 2(ŷ − y) ≈ −2; dZ1 = dZ2·W2 ⊙ σ'(a) with a at its floor and W2 = 1e-10: ≈ 1e-28.
      const net = make(new Sigmoid(), -100, 1e-10);
      const x = [[1]];
      const g = net.backPropagation(net.forwardPropagation(x), [[1]], x);
      expect(value(g, 'dW1')).toBe(0);
      expect(value(g, 'db1')).toBe(0);
      expect(Math.abs(value(g, 'dW2'))).toBeGreaterThan(MIN_NORMAL);
      // W2 = 1: the delta is about 1e-18, above the limit, and reaches dW1.
      net.setParameters({ W1: [[-100]], b1: [[0]], W2: [[1]], b2: [[0]] });
      const kept = net.backPropagation(net.forwardPropagation(x), [[1]], x);
      expect(Math.abs(value(kept, 'dW1'))).toBeGreaterThanOrEqual(TINY);
      for (const m of [...Object.values(g), ...Object.values(kept)]) for (const v of m.data) expect(v === 0 || Math.abs(v) >= MIN_NORMAL).toBe(true);
    });

    it('an output delta below 2^-62 is 0; one above it is kept', () => {
      // x = 0 makes ŷ = 0, so db2 = dZ2 = 2(ŷ − y) = −2y: flushed for y = 1e-25, kept for 1e-17.
      const net = make(new Linear(), 1, 1);
      const x = [[0]];
      const tiny = net.backPropagation([[0]], [[1e-25]], x);
      for (const m of Object.values(tiny)) for (const v of m.data) expect(v).toBe(0);
      const kept = net.backPropagation([[0]], [[1e-17]], x);
      expect(Math.abs(value(kept, 'db2') + 2e-17) / 2e-17).toBeLessThan(1e-5);
    });
  });
}
