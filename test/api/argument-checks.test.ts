// Arguments that used to slip past validation: each is now refused with a typed error that
// names it, before the engine reads the wrong bytes, wraps a size or runs out of memory.

import { beforeAll, describe, expect, it } from 'vitest';
import { init, Dataset, FeedForwardNeuralNets, Matrix, ReLU, Softmax, SquaredErrorLoss, ValueError, ShapeError, OutOfMemoryError, imagesToMatrix, prepareMnist } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';

beforeAll(() => init());

const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [[1, 0], [0, 1], [0, 1], [1, 0]];

describe('matrices and engine buffers', () => {
  it('a Matrix holds a Float32Array of rows x cols, nothing else', () => {
    expect(() => new Matrix(2, 2, new Float64Array([1, -2, 3, 4]) as unknown as Float32Array)).toThrow(/new Matrix: data must be a Float32Array, got a Float64Array/);
    expect(() => new Matrix(1, 2, [1, 2] as unknown as Float32Array)).toThrow(ValueError);
    expect(() => new Matrix(1e5, 1e5)).toThrow(/new Matrix: 100000 x 100000 is 10000000000 values, more than/);
    expect(new ReLU().apply(new Matrix(1, 2, new Float32Array([-1, 2]))).data).toEqual(new Float32Array([0, 2]));
  });

  it('a size past 32 bits is refused before the engine allocates (no wrap, no growth)', () => {
    const before = getEngine().memory.buffer.byteLength;
    expect(() => new Softmax().gradient(new Matrix(1, 40_000))).toThrow(OutOfMemoryError);
    // The 160 KB input may still be copied in; the 6.4 GB Jacobians (wrapped to 2 GB) are not.
    expect(getEngine().memory.buffer.byteLength - before).toBeLessThan(16 << 20);
    expect(() => getEngine().scoped((s) => s.copyIn([1, 2] as unknown as Float32Array))).toThrow(/the engine takes typed arrays, got an array/);
  });
});

describe('8-bit data', () => {
  const source = { pixels: new Uint8Array([1, 2, 3, 4, 5, 6]), labels: new Uint8Array([0, 1, 0]), features: 2 };
  const transform = { scale: 1, mean: new Float32Array(2), std: new Float32Array([1, 1]) };
  it('Dataset.fromU8 names each argument of the wrong type', () => {
    const rows = new Uint32Array([0, 1, 2]);
    expect(() => Dataset.fromU8({ ...source, pixels: [1, 2, 3, 4, 5, 6] as unknown as Uint8Array }, rows, 2, transform)).toThrow(/source\.pixels must be a Uint8Array, got an array/);
    expect(() => Dataset.fromU8(source, [0, 1, 2] as unknown as Uint32Array, 2, transform)).toThrow(/rows must be a Uint32Array/);
    expect(() => Dataset.fromU8(source, rows, 2.5, transform)).toThrow(/classes must be a positive integer up to 256, got 2\.5/);
    expect(() => Dataset.fromU8(source, rows, 2, { ...transform, mean: [0, 0] as unknown as Float32Array })).toThrow(/transform\.mean must be a Float32Array/);
    expect(() => Dataset.fromU8(null as never, rows, 2, transform)).toThrow(/source must be \{ pixels, labels, features \}, got null/);
    const ok = Dataset.fromU8(source, rows, 2, transform);
    expect(ok.toMatrices().X.data).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    ok.dispose();
  });

  it('imagesToMatrix and prepareMnist check what they are given', () => {
    expect(() => imagesToMatrix([1, 2, 3, 4] as unknown as Uint8Array, transform)).toThrow(/imagesToMatrix: pixels must be a Uint8Array/);
    expect(() => imagesToMatrix(new Uint8Array(4), null as never)).toThrow(/imagesToMatrix: transform must be/);
    const split = (count: number) => ({ images: new Uint8Array(count * 4), labels: new Uint8Array(count), count, rows: 2, cols: 2 });
    expect(() => prepareMnist({ train: { ...split(3), rows: undefined }, test: split(1) } as never, { validationSize: 1 })).toThrow(/prepareMnist: data\.train\.rows must be a positive integer/);
    expect(() => prepareMnist({ train: { ...split(3), labels: new Uint8Array(2) }, test: split(1) } as never, { validationSize: 1 })).toThrow(/data\.train\.labels must hold count = 3 labels, got 2/);
    expect(() => prepareMnist({ train: split(3), test: { ...split(1), cols: 3 } } as never, { validationSize: 1 })).toThrow(ShapeError);
    const made = prepareMnist({ train: split(3), test: split(1) } as never, { validationSize: 1 });
    expect([made.train.n, made.val?.n, made.test.n]).toEqual([2, 1, 1]);
    for (const d of [made.train, made.val, made.test]) d?.dispose();
  });
});

describe('network settings', () => {
  it('batchSize fits the engine; a batch wider than the data trains on all of it', () => {
    expect(() => new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], batchSize: 2 ** 32 + 2 })).toThrow(/batchSize must be a positive integer up to 2147483647, got 4294967298/);
    const wide = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], batchSize: 1e9, seed: 1 });
    const full = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], batchSize: 4, seed: 1 });
    wide.train(2);
    full.train(2);
    expect(wide.readVector(0, 't')).toEqual(full.readVector(0, 't'));
    wide.dispose();
    full.dispose();
  });

  it('cross-entropy refuses a Dataset whose targets are not probabilities', () => {
    const bad = Dataset.fromMatrices(X, [[2, 0], [0, 1], [0, 1], [1, 0]]);
    expect(bad.probabilityTargets).toBe(false);
    expect(() => new FeedForwardNeuralNets({ inputs: bad, hiddenLayers: [3] })).toThrow(/inputs has targets that are not probabilities/);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], seed: 1 });
    expect(() => net.train(1, { validationData: bad })).toThrow(/validationData has targets that are not probabilities/);
    expect(() => net.train(1, { data: bad })).toThrow(/data has targets that are not probabilities/);
    // Squared error takes any targets.
    const se = new FeedForwardNeuralNets({ inputs: bad, hiddenLayers: [3], L: new SquaredErrorLoss(), seed: 1 });
    expect(se.train(1).epochsCompleted).toBe(1);
    for (const d of [se, net, bad]) d.dispose();
  });

  it('t, Adam\'s step counter, can be given as in the report and drives the bias correction', () => {
    const make = (t?: number) => new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], optimizer: 'adam', eta: 0.01, seed: 1, ...(t === undefined ? {} : { t }) });
    expect(() => make(-1)).toThrow(/t must be a non-negative integer up to 4294967295, got -1/);
    expect(() => make(1.5)).toThrow(/t must be a non-negative integer/);
    const [zero, late] = [make(), make(1000)];
    expect([zero.t, late.t]).toEqual([0, 1000]);
    for (const net of [zero, late]) {
      net.backPropagation(net.forwardPropagation(X), Y, X);
      net.adam();
    }
    expect(late.t).toBe(1001);
    // At t = 1 the first step is eta·sign(g); at t = 1001 bias correction barely lifts the tiny first moments.
    const [a, b] = [zero.readVector(0, 't'), late.readVector(0, 't')];
    expect(a).not.toEqual(b);
    zero.dispose();
    late.dispose();
  });

  it('float32 hyperparameters must survive the conversion', () => {
    const make = (o: object) => () => new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [], ...o });
    expect(make({ eta: 1e-50 })).toThrow(/eta must be a finite number > 0 in float32 \(the engine's precision\), got 1e-50, which is 0 in float32/);
    expect(make({ eta: 1e39 })).toThrow(/eta must be a finite number > 0 in float32.*which is Infinity in float32/);
    expect(make({ epsilon: 1e-50 })).toThrow(/epsilon must be a finite number > 0 in float32/);
    expect(make({ beta1: 1 - 1e-12 })).toThrow(/beta1 must be a number in \[0, 1\) in float32.*which is 1 in float32/);
    expect(make({ beta2: 0.999 })).not.toThrow();
  });

  it('train refuses a signal that is not one, and a second run at once', async () => {
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], batchSize: 1, seed: 1 });
    expect(() => net.train(1, { signal: 'abc' as never })).toThrow(/signal must be an AbortSignal, got "abc"/);
    const first = net.trainAsync(3);
    await expect(net.trainAsync(3)).rejects.toThrow(/already training/);
    await first;
    expect(net.train(1).epochsCompleted).toBe(1); // usable again once the run ends
    expect(() => net.train(1, { onProgress: () => void net.train(1), logEvery: 1 })).toThrow(/already training/);
    net.dispose();
  });

  it('a model with a long history loads back', () => {
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [2], batchSize: 1, seed: 1 });
    net.train(40_000, { logEvery: 1 });
    expect(net.history.iteration.length).toBe(160_000);
    const back = FeedForwardNeuralNets.load(net.saveBinary());
    expect(back.history.trainLoss).toEqual(net.history.trainLoss);
    expect(back.iteration).toBe(net.iteration);
    back.dispose();
    net.dispose();
  }, 60_000);
});
