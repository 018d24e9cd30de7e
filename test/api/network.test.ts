import { beforeAll, describe, expect, it } from 'vitest';
import {
  init, FeedForwardNeuralNets, ReLU, Tanh, Sigmoid, Softmax, Linear, SquaredErrorLoss, CrossEntropyLoss, Matrix, Dataset,
  ShapeError, DisposedError, DivergenceError, OutOfMemoryError, ParameterInitializer, type Parameters, type FeedForwardOptions,
} from '../../ts/index.js';
import { INITIALIZATIONS } from '../../ts/api/initializer.js';
import { getEngine } from '../../ts/wasm/load.js';
import { blocking, rng, worstRatio } from '../helpers/engine.js';

beforeAll(() => init());

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[1, 0], [0, 1], [0, 1], [1, 0]];

/** Every weight and bias (or gradient) in one vector, in the engine's order W1, b1, W2, …. */
function flat(p: Parameters): Float32Array {
  const parts = Object.values(p).map((m) => m.data);
  const out = new Float32Array(parts.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of parts) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/** The raw float32 bits of every parameter: toEqual on these is a bit-for-bit comparison. */
const bits = (net: FeedForwardNeuralNets) => new Uint32Array(flat(net.parameters).buffer);

/** Trains until a DivergenceError, copying the weights after every batch that went through. */
function trainToDivergence(net: FeedForwardNeuralNets, epochs: number) {
  let lastGood = bits(net);
  let good = 0;
  let caught: unknown;
  try {
    // logEvery 1: onProgress runs after every single batch.
    net.train(epochs, { logEvery: 1, onProgress: () => { lastGood = bits(net); good++; } });
  } catch (e) {
    caught = e;
  }
  return { caught, lastGood, good };
}

/** n rows of d uniform inputs in [−1, 1) with one-hot targets of k classes. */
function classification(n: number, d: number, k: number, seed: number) {
  const next = rng(seed);
  const X = new Matrix(n, d, Float32Array.from({ length: n * d }, () => next() * 2 - 1));
  const Y = new Matrix(n, k, new Float32Array(n * k));
  for (let r = 0; r < n; r++) Y.data[r * k + Math.floor(next() * k)] = 1;
  return { X, Y };
}

/** Two interleaved spirals, a classic problem a linear model cannot solve. */
function spirals(n: number, seed: number) {
  const next = rng(seed);
  const X: number[][] = [];
  const Y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const t = (i / n) * 3 * Math.PI + 0.5;
    const sign = cls ? -1 : 1;
    X.push([sign * t * Math.cos(t) / 10 + (next() - 0.5) * 0.02, sign * t * Math.sin(t) / 10 + (next() - 0.5) * 0.02]);
    Y.push(cls ? [0, 1] : [1, 0]);
  }
  return { X, Y, labels: Y.map((r) => r[1]) };
}

describe('FeedForwardNeuralNets', () => {
  it('learns XOR to 100%', () => {
    const net = new FeedForwardNeuralNets({ inputs: XOR_X, outputs: XOR_Y, hiddenLayers: [8], g: new Tanh(), optimizer: 'adam', eta: 0.05, batchSize: 4, seed: 1 });
    net.train(400);
    expect(Array.from(net.predict(XOR_X))).toEqual([0, 1, 1, 0]);
    net.dispose();
  });

  it('learns two spirals to 100% with ReLU and Adam', () => {
    const { X, Y, labels } = spirals(400, 7);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [64, 64], g: new ReLU(), optimizer: 'adam', eta: 0.01, batchSize: 32, seed: 2 });
    net.train(300);
    const pred = net.predict(X);
    expect(pred.filter((p, i) => p === labels[i]).length).toBe(400);
    net.dispose();
  });

  it('gives bit-identical weights and history for the same seed, different ones for another', () => {
    const { X, Y } = spirals(200, 3);
    const run = (seed: number) => {
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [16, 9], g: new ReLU(), optimizer: 'adam', eta: 0.01, batchSize: 13, seed });
      net.train(5, { validationData: [X, Y], logEvery: 7 });
      const out = { w: net.parameters.W1.data, history: net.history };
      net.dispose();
      return out;
    };
    const a = run(5);
    const b = run(5);
    expect(a.w).toEqual(b.w);
    expect(a.history).toEqual(b.history);
    expect(run(6).w).not.toEqual(a.w);
  });

  it('handles odd shapes: batch of 1, no hidden layer, widths not multiples of 4 or 8, a partial last batch', () => {
    const next = rng(1);
    for (const hidden of [[], [1], [3], [7, 5], [9, 13, 2]]) {
      const n = 11;
      const X = Array.from({ length: n }, () => [next(), next(), next()]);
      const Y = X.map((r) => [r[0] + r[1] > 1 ? 1 : 0, r[0] + r[1] > 1 ? 0 : 1, 0].map((v, i, a) => (i === 2 ? 0 : v)));
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: hidden, batchSize: 4, seed: 1 });
      const result = net.train(2);
      expect(result.iterations).toBe(6); // 3 batches per epoch: 4 + 4 + 3
      expect(net.evaluate([X[0]]).cols).toBe(3);
      const p = net.forwardPropagation(X);
      for (let r = 0; r < n; r++) expect(p.row(r).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
      const one = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: hidden, batchSize: 1, seed: 1 });
      expect(one.train(1).iterations).toBe(n);
      one.dispose();
      net.dispose();
    }
  });

  it('backPropagation returns gradients named like the parameters; gd applies W −= eta·g', () => {
    const net = new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [3], eta: 0.5, seed: 4 });
    const before = net.parameters;
    const g = net.backPropagation(net.forwardPropagation(XOR_X), XOR_Y, XOR_X);
    expect(Object.keys(g)).toEqual(['dW1', 'db1', 'dW2', 'db2']);
    expect(g.dW1.shape).toEqual([2, 3]);
    net.gradientDescent();
    const after = net.parameters;
    after.W1.data.forEach((w, i) => expect(w).toBeCloseTo(before.W1.data[i] - 0.5 * g.dW1.data[i], 6));
    expect(net.t).toBe(0);
    net.adam();
    net.adam();
    expect(net.t).toBe(2);
    net.dispose();
  });

  it('a backPropagation refused for a wrong yPred keeps the gradients of the last good one', () => {
    const net = new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [3], eta: 0.5, seed: 4 });
    const before = net.parameters;
    const g = net.backPropagation(net.forwardPropagation(XOR_X), XOR_Y, XOR_X);
    const other = [[0, 0.5]];
    const wrong = net.forwardPropagation(other).data.map((v, i) => (i === 1 ? v + 0.01 : v));
    expect(() => net.backPropagation(new Matrix(1, 2, wrong), [[1, 0]], other)).toThrow(/at row 0, column 1 it is .* but the network gives/);
    net.gradientDescent(); // applies g, not gradients of the refused batch
    const after = net.parameters;
    after.W1.data.forEach((w, i) => expect(w).toBeCloseTo(before.W1.data[i] - 0.5 * g.dW1.data[i], 6));
    net.dispose();
  });


  it('loss(x, y) and backPropagation refuse cross-entropy targets that are not probability rows, and accept them after', () => {
    const net = new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [3], seed: 4 });
    const yp = net.forwardPropagation(XOR_X);
    const notOneHot = [[1, 0], [0, 1], [0, 1.5], [1, 0]];
    const notSummingToOne = [[1, 0], [0.25, 0.25], [0, 1], [1, 0]];
    expect(() => net.loss(XOR_X, notOneHot)).toThrow(/loss: y must hold probabilities .* got 1\.5 at row 2, column 1/);
    expect(() => net.loss(XOR_X, notSummingToOne)).toThrow(/loss: each row of y must sum to 1 .*row 1 sums to 0\.5$/);
    expect(() => net.backPropagation(yp, notOneHot, XOR_X)).toThrow(/backPropagation: y must hold probabilities .* got 1\.5 at row 2, column 1/);
    expect(() => net.backPropagation(yp, notSummingToOne, XOR_X)).toThrow(/backPropagation: each row of y must sum to 1 .*row 1 sums to 0\.5$/);
    // The refusals leave the network usable.
    expect(Number.isFinite(net.loss(XOR_X, XOR_Y))).toBe(true);
    expect(flat(net.backPropagation(yp, XOR_Y, XOR_X)).every(Number.isFinite)).toBe(true);
    // Squared error takes any finite targets.
    const mse = new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [3], O: new Linear(), L: new SquaredErrorLoss(), seed: 4 });
    expect(Number.isFinite(mse.loss(XOR_X, notOneHot))).toBe(true);
    net.dispose();
    mse.dispose();
  });
  // train() with 'gd' and no regularisation takes the engine's fused path (the gradient GEMM
  // writes w − η·g straight into the next weights); the others keep gradients, then apply
  // them. With batchSize = n one epoch is one batch of every row: the shuffle only reorders
  // the rows, which changes nothing but the rounding of the sums, hence a tolerance.
  for (const [name, extra] of [
    ['softmax + cross-entropy', {}],
    ['linear + squared error', { O: new Linear(), L: new SquaredErrorLoss() }],
  ] as const) {
    it(`${name}: one fused gd step of train() equals W − η·g and backPropagation + gradientDescent`, () => {
      const n = 37; // partial SIMD panels everywhere: 37 rows, widths 5, 7, 6, 3
      const { X, Y } = classification(n, 5, 3, 12);
      const make = () => new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [7, 6], g: new Tanh(), eta: 0.5, batchSize: n, seed: 8, ...extra });
      const trained = make();
      const twin = make();
      const before = flat(twin.parameters);
      const g = flat(twin.backPropagation(twin.forwardPropagation(X), Y, X));
      twin.gradientDescent();
      expect(trained.train(1).iterations).toBe(1);
      const fused = flat(trained.parameters);
      const expected = before.map((w, i) => w - 0.5 * g[i]);
      expect(worstRatio(fused, expected, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      expect(worstRatio(fused, flat(twin.parameters), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      // The step is far beyond the tolerance, so no step or a wrong one cannot pass.
      expect(worstRatio(before, expected, 1e-6, 1e-5)).toBeGreaterThan(1000);
      trained.dispose();
      twin.dispose();
    });
  }

  it('setLearningRate reaches the engine: the next gradientDescent() steps by the new eta', () => {
    const { X, Y } = classification(20, 4, 3, 5);
    const net = new FeedForwardNeuralNets({ inputs: 4, outputs: 3, hiddenLayers: [6], eta: 0.5, seed: 2 });
    net.setLearningRate(0.05);
    const before = flat(net.parameters);
    const g = flat(net.backPropagation(net.forwardPropagation(X), Y, X));
    net.gradientDescent();
    const expected = before.map((w, i) => w - 0.05 * g[i]);
    expect(worstRatio(flat(net.parameters), expected, 1e-7, 1e-6)).toBeLessThanOrEqual(1);
    // A step with the constructor's eta (0.5) lies far outside that tolerance.
    expect(worstRatio(before.map((w, i) => w - 0.5 * g[i]), expected, 1e-7, 1e-6)).toBeGreaterThan(100);
    net.dispose();
  });

  it('a learning-rate schedule drives training: it equals setting each epoch\'s eta by hand', () => {
    const { X, Y } = classification(30, 4, 3, 6);
    const make = () => new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [5], eta: 0.5, batchSize: 7, seed: 3 });
    const scheduled = make();
    scheduled.train(3, { learningRate: (epoch) => 0.1 / epoch });
    const byHand = make();
    const constant = make();
    for (const epoch of [1, 2, 3]) {
      byHand.setLearningRate(0.1 / epoch);
      byHand.train(1);
      constant.train(1);
    }
    expect(bits(scheduled)).toEqual(bits(byHand));
    expect(bits(scheduled)).not.toEqual(bits(constant)); // the constructor's eta alone gives other weights
    for (const net of [scheduled, byHand, constant]) net.dispose();
  });

  for (const method of INITIALIZATIONS) {
    it(`initializationMethod '${method}' starts from ParameterInitializer's values for the same seed`, () => {
      const seed = 2 ** 40 + 17; // both 32-bit halves of the seed matter
      const net = new FeedForwardNeuralNets({ inputs: 6, outputs: 3, hiddenLayers: [5, 4], initializationMethod: method, seed });
      const expected = new ParameterInitializer({ initialization: method, seed }).initializeParameters(6, [5, 4], 3);
      const params = net.parameters;
      expect(Object.keys(params)).toEqual(Object.keys(expected));
      for (const [name, m] of Object.entries(expected)) expect(params[name].data, name).toEqual(m.data);
      // The methods draw different values, so a constructor that ignored the option would fail one of these.
      for (const other of INITIALIZATIONS.filter((o) => o !== method)) {
        expect(flat(new ParameterInitializer({ initialization: other, seed }).initializeParameters(6, [5, 4], 3))).not.toEqual(flat(params));
      }
      net.dispose();
    });
  }

  it('beta1, beta2 and epsilon reach Adam: two adam() steps match the bias-corrected update in float64', () => {
    const { X, Y } = classification(24, 4, 3, 9);
    const eta = 0.1;
    const net = new FeedForwardNeuralNets({ inputs: 4, outputs: 3, hiddenLayers: [6], optimizer: 'adam', eta, beta1: 0.5, beta2: 0.6, epsilon: 1e-3, seed: 4 });
    const w0 = flat(net.parameters);
    const g1 = flat(net.backPropagation(net.forwardPropagation(X), Y, X));
    net.adam();
    const w1 = flat(net.parameters);
    const g2 = flat(net.backPropagation(net.forwardPropagation(X), Y, X));
    net.adam();
    const w2 = flat(net.parameters);
    expect(net.t).toBe(2);
    // optim.rs: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= η/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε),
    // with the constants as the engine holds them (float32).
    const expectedSteps = (b1: number, b2: number, eps: number) => {
      [b1, b2, eps] = [b1, b2, eps].map(Math.fround);
      const m = new Float64Array(w0.length);
      const v = new Float64Array(w0.length);
      const step = (w: Float32Array, g: Float32Array, t: number) =>
        Float64Array.from(w, (wi, i) => {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          return wi - (eta / (1 - b1 ** t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps);
        });
      // Step 2 starts from the engine's w1 (its gradients g2 were taken there).
      return [step(w0, g1, 1), step(w1, g2, 2)];
    };
    const [e1, e2] = expectedSteps(0.5, 0.6, 1e-3);
    expect(worstRatio(w1, e1, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    expect(worstRatio(w2, e2, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    // Each constant matters beyond that tolerance: the defaults, one at a time, would fail.
    for (const [b1, b2, eps] of [[0.9, 0.6, 1e-3], [0.5, 0.999, 1e-3], [0.5, 0.6, 1e-8]]) {
      const [d1, d2] = expectedSteps(b1, b2, eps);
      expect(Math.max(worstRatio(w1, d1, 1e-6, 1e-5), worstRatio(w2, d2, 1e-6, 1e-5)), `${b1} ${b2} ${eps}`).toBeGreaterThan(10);
    }
    net.dispose();
  });

  it('records history every logEvery iterations with validation loss, and reports progress', () => {
    const { X, Y } = spirals(100, 1);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], batchSize: 10, seed: 1 });
    const seen: number[] = [];
    const r = net.train(3, { validationData: { X, Y }, logEvery: 4, onProgress: (p) => { seen.push(p.iteration); expect(p.epochs).toBe(3); } });
    expect(net.history.iteration).toEqual([4, 8, 12, 16, 20, 24, 28, 30]);
    expect(net.history.valLoss).toHaveLength(8);
    expect(r.finalValLoss).toBe(net.history.valLoss[7]);
    expect(seen[seen.length - 1]).toBe(30);
    expect(net.loss(X, Y)).toBeCloseTo(net.history.valLoss[7], 6);
    net.dispose();
  });

  it('stops when onProgress returns false or the signal aborts', async () => {
    const { X, Y } = spirals(100, 1);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], batchSize: 10, seed: 1 });
    const r = net.train(5, { logEvery: 5, onProgress: (p) => p.iteration < 15 });
    expect(r.stopped).toBe('callback');
    expect(net.iteration).toBe(15);
    const controller = new AbortController();
    // Far more epochs than 5 ms can train: only the timer's abort (which must get its turn
    // between trainAsync's chunks) ends it.
    const done = net.trainAsync(1_000_000, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const r2 = await done;
    expect(r2.stopped).toBe('signal');
    expect(r2.epochsCompleted).toBeLessThan(1_000_000);
    net.dispose();
  });

  it('a learning-rate schedule changes eta per epoch', () => {
    const net = new FeedForwardNeuralNets({ inputs: XOR_X, outputs: XOR_Y, hiddenLayers: [4], eta: 0.1, seed: 1 });
    const seen: number[] = [];
    net.train(3, { learningRate: (epoch) => { seen.push(epoch); return 0.1 / epoch; } });
    expect(seen).toEqual([1, 2, 3]);
    expect(net.eta).toBeCloseTo(0.1 / 3, 10);
    net.dispose();
  });

  it('trains from a resident Dataset and evaluates one', () => {
    const { X, Y, labels } = spirals(200, 2);
    const ds = Dataset.fromMatrices(X, Y);
    expect(Array.from(ds.labels)).toEqual(labels);
    const net = new FeedForwardNeuralNets({ inputs: ds, hiddenLayers: [32], g: new ReLU(), optimizer: 'adam', eta: 0.02, batchSize: 20, seed: 1 });
    net.train(50);
    // The Dataset path runs the same forward pass on the same float32 rows: equal exactly.
    const viaMatrix = net.evaluate(X);
    expect(net.evaluate(ds).shape).toEqual([200, 2]);
    expect(net.evaluate(ds).data).toEqual(viaMatrix.data);
    expect(net.predict(ds)).toEqual(net.predict(X));
    expect(net.loss(ds)).toBeCloseTo(net.loss(X, Y), 6);
    net.dispose();
    expect(ds.disposed).toBe(false); // not owned by the network
    ds.dispose();
  });

  it('evaluate and predict on a Dataset equal the Matrix path exactly, over several evaluation chunks', () => {
    const { X, Y } = classification(2300, 9, 5, 4);
    const { evalRows } = blocking();
    expect(2300 > 2 * evalRows && 2300 % evalRows !== 0).toBe(true); // full chunks and a partial one
    const ds = Dataset.fromMatrices(X, Y);
    const net = new FeedForwardNeuralNets({ inputs: 9, outputs: 5, hiddenLayers: [11, 6], g: new Tanh(), seed: 5 });
    const viaMatrix = net.evaluate(X);
    const viaDataset = net.evaluate(ds);
    expect(viaDataset.shape).toEqual([2300, 5]);
    expect(new Uint32Array(viaDataset.data.buffer)).toEqual(new Uint32Array(viaMatrix.data.buffer));
    const labels = net.predict(ds);
    expect(labels).toEqual(net.predict(X));
    expect(new Set(labels).size).toBeGreaterThan(1); // not a constant answer that any path would match
    net.dispose();
    ds.dispose();
  });

  it('supports squared error with sigmoid or linear outputs (regression)', () => {
    const X = Array.from({ length: 64 }, (_, i) => [i / 64]);
    const Y = X.map(([x]) => [Math.sin(3 * x)]);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [16], g: new Tanh(), O: new Linear(), L: new SquaredErrorLoss(), optimizer: 'adam', eta: 0.01, batchSize: 16, seed: 1 });
    net.train(300);
    expect(net.loss(X, Y)).toBeLessThan(0.01);
    net.dispose();
  });
});

describe('errors', () => {
  const make = (o: object) => () => new FeedForwardNeuralNets({ inputs: XOR_X, outputs: XOR_Y, hiddenLayers: [3], ...o });

  it('names the argument, the expectation and the value', () => {
    expect(make({ batchSize: 0 })).toThrow(/batchSize must be a positive integer( up to \d+)?, got 0/);
    expect(make({ batchSize: 2.5 })).toThrow(/batchSize must be a positive integer( up to \d+)?, got 2.5/);
    expect(make({ eta: 0 })).toThrow(/eta must be a finite number > 0, got 0/);
    expect(make({ eta: NaN })).toThrow(/eta must be a finite number > 0, got NaN/);
    expect(make({ bach_size: 4 })).toThrow(/unknown option "bach_size" \(did you mean "batchSize"\?\)/);
    expect(make({ hiddenLayers: [3, 0] })).toThrow(/hiddenLayers\[1\] must be a positive integer, got 0/);
    expect(make({ optimizer: 'sgd' })).toThrow(/optimizer must be one of "gd", "adam", got "sgd"/);
    expect(make({ g: 'relu' })).toThrow(/g must be an activation instance/);
    expect(make({ g: new Softmax() })).toThrow(/cannot be Softmax/);
    expect(() => new FeedForwardNeuralNets({ inputs: [[1, 2], [3]], outputs: [[1], [0]], hiddenLayers: [] })).toThrow(ShapeError);
    expect(() => new FeedForwardNeuralNets({ inputs: [[1, NaN]], outputs: [[1]], hiddenLayers: [] })).toThrow(/inputs must be finite, got NaN at row 0, column 1/);
    expect(() => new FeedForwardNeuralNets({ inputs: [[1, 2]], outputs: [[1, 0], [0, 1]], hiddenLayers: [] })).toThrow(/same number of rows/);
    expect(() => new FeedForwardNeuralNets({ inputs: [[1, 2]], outputs: [[3, 0]], hiddenLayers: [] })).toThrow(/probabilities/);
    expect(() => new FeedForwardNeuralNets({ inputs: [], outputs: [], hiddenLayers: [] })).toThrow(/must not be empty/);
  });

  it('evaluate and predict refuse NaN and ±Infinity in X, naming the first one (checked in the engine)', () => {
    const net = new FeedForwardNeuralNets({ inputs: 7, outputs: 3, hiddenLayers: [5], seed: 1 });
    const rows = 400; // 2,800 values: past the engine's 1,024-value blocks, with a tail of 4
    for (const [at, value] of [[0, NaN], [1023, Infinity], [1024, -Infinity], [2799, NaN], [1500, NaN]] as const) {
      const X = new Matrix(rows, 7, new Float32Array(rows * 7).fill(0.5));
      X.data[at] = value;
      if (at === 1500) X.data[2000] = NaN; // the first one is named
      const message = new RegExp(`X must be finite, got ${value} at row ${Math.floor(at / 7)}, column ${at % 7}`);
      expect(() => net.evaluate(X)).toThrow(message);
      expect(() => net.predict(X)).toThrow(message);
    }
    expect(net.predict(new Matrix(rows, 7, new Float32Array(rows * 7).fill(0.5)))).toHaveLength(rows);
    net.dispose();
  });

  it('checks shapes against the network', () => {
    const net = make({})();
    expect(() => net.predict([[1, 2, 3]])).toThrow(/X must be n x 2, got 1 x 3/);
    expect(() => net.backPropagation([[0.5, 0.5]], [[1, 0]], [[1, 2, 3]])).toThrow(ShapeError);
    // yPred must be the network's output for x: a stale or made-up one is not silently ignored.
    expect(() => net.backPropagation([[0.999, 0.001]], [[1, 0]], [[1, 2]])).toThrow(/yPred must be this network's output for x, forwardPropagation\(x\).*row 0, column 0 it is 0\.99\d+ but the network gives/);
    expect(() => net.gradientDescent()).toThrow(/call backPropagation/);
    expect(() => net.train(0)).toThrow(/epochs must be a positive integer, got 0/);
    expect(() => net.train(1, { logEvery: -1 })).toThrow(/logEvery/);
    expect(() => net.train(1, { validationData: [[[1, 2, 3]], [[1, 0]]] })).toThrow(ShapeError);
    expect(() => net.setParameters({ W1: [[1]] } as never)).toThrow(/parameters.W1 must be 2 x 3, got 1 x 1/);
    net.dispose();
  });

  it('refuses to be used after dispose', () => {
    const net = make({})();
    net.dispose();
    net.dispose(); // idempotent
    expect(() => net.predict(XOR_X)).toThrow(DisposedError);
    expect(() => net.train(1)).toThrow(DisposedError);
    const ds = Dataset.fromMatrices(XOR_X, XOR_Y);
    ds.dispose();
    expect(() => new FeedForwardNeuralNets({ inputs: ds, hiddenLayers: [] })).toThrow(DisposedError);
  });

  it('stops on divergence at the failing iteration and keeps the last finite weights', () => {
    const X = Array.from({ length: 32 }, (_, i) => [i * 1000, -i * 1000]);
    const Y = X.map((_, i) => [i * 1e6]);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], g: new ReLU(), O: new Linear(), L: new SquaredErrorLoss(), eta: 10, batchSize: 8, seed: 1 });
    const { caught, lastGood } = trainToDivergence(net, 50);
    expect(caught).toBeInstanceOf(DivergenceError);
    const err = caught as DivergenceError;
    expect(err.message).toMatch(/diverged at epoch \d+, iteration \d+/);
    expect(err.message).toMatch(/smaller learning rate/);
    expect(err.iteration).toBe(net.iteration + 1);
    expect(bits(net)).toEqual(lastGood);
    expect(net.history.trainLoss.every(Number.isFinite)).toBe(true);
    expect(net.history.iteration.length).toBe(net.iteration);
    // Still usable afterwards.
    expect(net.predict(X)).toHaveLength(32);
    net.dispose();
  });

  // A regression that blows up after some good batches: gd without regularisation fails in
  // the fused step, L2 and Adam in the kept-gradients path.
  const divergence = () => {
    const next = rng(3);
    const X = Array.from({ length: 40 }, () => [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1]);
    return { X, Y: X.map((r) => [r[0] + 2 * r[1] - r[2]]) };
  };
  const regression = { O: new Linear(), L: new SquaredErrorLoss(), batchSize: 8, seed: 1 };
  const l2 = new SquaredErrorLoss({ alpha: 1e-2, regularization: 'l2' });
  const cases: [string, Partial<FeedForwardOptions>][] = [
    ['gd (fused step)', { hiddenLayers: [6], g: new Tanh(), eta: 1 }],
    ['gd with L2', { hiddenLayers: [6], g: new Tanh(), eta: 1, L: l2 }],
    ['adam', { hiddenLayers: [6], g: new ReLU(), optimizer: 'adam', eta: 1e14 }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: a divergence leaves the weights (and Adam's step) of the last good batch, bit for bit`, () => {
      const { X, Y } = divergence();
      const make = () => new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [], ...regression, ...options });
      const net = make();
      const { caught, lastGood, good } = trainToDivergence(net, 100);
      expect(caught).toBeInstanceOf(DivergenceError);
      expect((caught as Error).message).toMatch(/the weights were left unchanged/);
      expect(good).toBeGreaterThan(0); // some batches went through: the weights moved first
      expect((caught as DivergenceError).iteration).toBe(good + 1);
      expect(net.iteration).toBe(good);
      expect(bits(net)).toEqual(lastGood);
      expect(flat(net.parameters).every(Number.isFinite)).toBe(true);
      expect(net.t).toBe(options.optimizer === 'adam' ? good : 0);
      // The same with the default logEvery, where the failing batch sits inside a chunk of
      // several: the weights equal a twin stopped just before it.
      const chunked = make();
      expect(() => chunked.train(100)).toThrow(DivergenceError);
      expect(chunked.iteration).toBe(good);
      const twin = make();
      twin.train(100, { logEvery: 1, onProgress: (p) => p.iteration < good });
      expect(bits(chunked)).toEqual(bits(twin));
      expect(bits(chunked)).toEqual(lastGood);
      for (const n of [net, chunked, twin]) n.dispose();
    });
  }

  it('a non-finite training loss stops train() before any update', () => {
    // Linear hidden units and weights of 1e20 send the outputs past float32's range.
    const X = [[1, 2], [0.5, 1], [2, 0.3]];
    const Y = [[1], [2], [3]];
    const net = new FeedForwardNeuralNets({ inputs: 2, outputs: 1, hiddenLayers: [3], g: new Linear(), O: new Linear(), L: new SquaredErrorLoss(), batchSize: 3, seed: 1 });
    net.setParameters({ W1: [[1e20, 1e20, 1e20], [1e20, 1e20, 1e20]], b1: [[0, 0, 0]], W2: [[1e20], [1e20], [1e20]], b2: [[0]] });
    const before = bits(net);
    expect(() => net.train(1, { data: [X, Y] })).toThrow(/diverged at epoch 1, iteration 1 \(the training loss became (inf|NaN)/);
    expect(bits(net)).toEqual(before);
    expect(net.iteration).toBe(0);
    net.dispose();
  });

  it('gradientDescent() and adam() refuse non-finite gradients with a DivergenceError and change nothing', () => {
    // Inputs near 1e20 overflow dW2 = hᵀ·dZ (about 1e40) in float32.
    const X = [[1e20, -1e20], [3e19, 2e19]];
    const Y = [[1], [0]];
    const net = new FeedForwardNeuralNets({ inputs: 2, outputs: 1, hiddenLayers: [4], g: new ReLU(), O: new Linear(), L: new SquaredErrorLoss(), optimizer: 'adam', seed: 1 });
    const before = bits(net);
    const optimizerState = () => {
      const { m, v, t } = net.save().optimizer;
      return { m, v, t };
    };
    const state = optimizerState();
    const g = flat(net.backPropagation(net.forwardPropagation(X), Y, X));
    expect(g.every(Number.isFinite)).toBe(false); // the premise
    for (const [where, step] of [['gradientDescent', () => net.gradientDescent()], ['adam', () => net.adam()]] as const) {
      let caught: unknown;
      try {
        step();
      } catch (e) {
        caught = e;
      }
      expect(caught, where).toBeInstanceOf(DivergenceError);
      expect((caught as Error).message).toMatch(new RegExp(`^FeedForwardNeuralNets\\.${where}: .*NaN or infinite; the weights were left unchanged`));
      expect(bits(net), where).toEqual(before);
      expect(optimizerState(), where).toEqual(state); // Adam's moments and step too
    }
    // Finite gradients then step as usual.
    const X2 = [[1, -1], [0.5, 2]];
    net.backPropagation(net.forwardPropagation(X2), Y, X2);
    net.adam();
    expect(net.t).toBe(1);
    expect(bits(net)).not.toEqual(before);
    net.dispose();
  });

  it('turns a network too large for wasm32 into a clear error and keeps working', () => {
    expect(() => new FeedForwardNeuralNets({ inputs: 100000, outputs: 10, hiddenLayers: [100000] })).toThrow(/at most 2\^28/);
    // Within the parameter limit but beyond wasm32 memory: 4 vectors (weights, gradients and
    // Adam's two moments) of ~1 GB each.
    expect(() => new FeedForwardNeuralNets({ inputs: 20000, outputs: 10, hiddenLayers: [13000], optimizer: 'adam', seed: 1 })).toThrow(OutOfMemoryError);
    // The engine itself answers an impossible allocation with a status, never a trap.
    const engine = getEngine();
    expect(engine.exports.mlp_dataset_create(200_000_000, 10, 1)).toBe(-2);
    expect(engine.lastError()).toMatch(/out of memory allocating dataset inputs/);
    const net = new FeedForwardNeuralNets({ inputs: XOR_X, outputs: XOR_Y, hiddenLayers: [3], seed: 1 });
    expect(net.predict(XOR_X)).toHaveLength(4);
    net.dispose();
  });
});

it('Matrix round-trips and validates', () => {
  const m = Matrix.from([[1, 2, 3], [4, 5, 6]]);
  expect(m.shape).toEqual([2, 3]);
  expect(m.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  expect(() => new Matrix(2, 2, new Float32Array(3))).toThrow(/data must hold rows\*cols = 4/);
  expect(String(new CrossEntropyLoss())).toContain('CrossEntropyLoss');
  expect(String(new Sigmoid())).toBe('Sigmoid()');
});

describe('the evaluation path and the training path agree', () => {
  // loss() runs the forward pass in chunks (EVAL_ROWS) and adds up the chunks' losses;
  // backPropagation's forward pass takes the batch in one go. 2300 rows make several chunks
  // and a partial one; the shapes have partial panels (11, 7, 5, 9 columns) and K split in
  // blocks (850). Only the order of the float64 sum differs, so the two agree to 1e-12.
  for (const sizes of [[13, 11, 7, 5], [850, 20, 9], [3, 9]]) {
    it(`${sizes.join('-')}: loss() over 2300 rows equals the training path's loss`, () => {
      const next = rng(sizes.length * 31 + sizes[0]);
      const n = 2300;
      const b = blocking();
      expect(n > 2 * b.evalRows && n % b.evalRows !== 0 && n > 2 * b.mcRows).toBe(true);
      if (sizes[0] === 850) expect(sizes[0]).toBeGreaterThan(b.kc);
      const [d, k] = [sizes[0], sizes[sizes.length - 1]];
      const X = new Matrix(n, d, Float32Array.from({ length: n * d }, () => next() * 2 - 1));
      const Y = new Matrix(n, k, new Float32Array(n * k).map((_, i) => (i % k === Math.floor(i / k) % k ? 1 : 0)));
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: sizes.slice(1, -1), g: new Tanh(), seed: 3 });
      const engine = getEngine();
      const viaGradients = engine.scoped((s) => {
        const [out, at, actual] = [s.allocOf(Float64Array, 1), s.allocOf(Int32Array, 1), s.allocOf(Float32Array, 1)];
        engine.check(engine.exports.mlp_network_gradients((net as unknown as { handle: number }).handle, s.copyIn(X.data), s.copyIn(Y.data), n, d, 0, out, at, actual), 'test');
        return engine.view(Float64Array, out, 1)[0];
      });
      expect(Math.abs(net.loss(X, Y) - viaGradients)).toBeLessThan(1e-12 * Math.max(1, viaGradients));
      net.dispose();
    });
  }
});
