import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, ReLU, SquaredErrorLoss, Sigmoid, CrossEntropyLoss, DataFormatError, MODEL_FORMAT } from '../../ts/index.js';
import { rng } from '../helpers/engine.js';

beforeAll(() => init());

function data(n: number, seed: number) {
  const next = rng(seed);
  const X = Array.from({ length: n }, () => [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1]);
  const Y = X.map((r) => (r[0] * r[1] > 0 ? [1, 0, 0] : r[2] > 0 ? [0, 1, 0] : [0, 0, 1]));
  return { X, Y };
}

const makeNet = (X: number[][], Y: number[][], optimizer: 'gd' | 'adam', regularization: 'l2' | null = 'l2') =>
  new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [7, 5], g: new ReLU(), L: new CrossEntropyLoss(regularization ? { alpha: 1e-4, regularization } : {}), optimizer, eta: 0.01, batchSize: 9, seed: 11 });

describe('save and load', () => {
  // Plain gd (no regularisation) trains through the engine's fused step, the others keep
  // gradients and apply them; and plain gd saves no optimizer moments at all.
  for (const [optimizer, regularization] of [['gd', 'l2'], ['adam', 'l2'], ['gd', null]] as const) {
    it(`${optimizer}${regularization ? ` + ${regularization}` : ', no regularisation'}: 10 epochs equal 5 + save + load + 5, bit for bit (JSON and binary)`, () => {
      const { X, Y } = data(100, 1);
      const straight = makeNet(X, Y, optimizer, regularization);
      straight.train(10, { validationData: [X, Y], logEvery: 20 });
      expect(straight.config.loss.regularization).toBe(regularization);

      for (const form of ['json', 'binary'] as const) {
        const first = makeNet(X, Y, optimizer, regularization);
        first.train(5, { validationData: [X, Y], logEvery: 20 });
        const saved = form === 'json' ? JSON.stringify(first.save()) : first.saveBinary();
        first.dispose();
        const resumed = FeedForwardNeuralNets.load(saved);
        expect(resumed.epochsTrained).toBe(5);
        resumed.train(5, { data: [X, Y], validationData: [X, Y], logEvery: 20 });
        for (const [name, m] of Object.entries(straight.parameters)) expect(resumed.parameters[name].data, name).toEqual(m.data);
        expect(resumed.history).toEqual(straight.history);
        expect(resumed.t).toBe(straight.t);
        resumed.dispose();
      }
      straight.dispose();
    });
  }

  it('is self-describing and keeps metadata, config and history', () => {
    const { X, Y } = data(30, 2);
    const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [4], g: new Sigmoid(), L: new SquaredErrorLoss({ alpha: 0.5, regularization: 'l1' }), batchSize: 8, seed: 3 });
    net.train(2, { logEvery: 2 });
    const model = net.save({ metadata: { dataset: 'toy' } });
    expect(model.format).toBe(MODEL_FORMAT);
    expect(model.version).toBe(1);
    expect(model.architecture.sizes).toEqual([3, 4, 3]);
    expect(model.activations).toEqual({ hidden: 'sigmoid', output: 'softmax' });
    expect(model.loss).toEqual({ type: 'squaredError', alpha: 0.5, regularization: 'l1' });
    expect(model.optimizer.m).toBeNull();
    const back = FeedForwardNeuralNets.load(model);
    expect(back.metadata).toEqual({ dataset: 'toy' });
    expect(back.config.loss.toString()).toBe(net.config.loss.toString());
    expect(back.history).toEqual(net.history);
    expect(back.predict(X)).toEqual(net.predict(X));
    expect(back.saveBinary().length).toBeLessThan(JSON.stringify(model).length);
    back.dispose();
    net.dispose();
  });

  it('refuses damaged or foreign files with a DataFormatError', () => {
    const { X, Y } = data(10, 3);
    const net = makeNet(X, Y, 'adam');
    const good = net.save();
    const bad: [string, unknown][] = [
      ['not JSON', '{"format":'],
      ['other format', { ...good, format: 'keras' }],
      ['newer version', { ...good, version: 2 }],
      ['bad sizes', { ...good, architecture: { sizes: [3, -1, 3] } }],
      ['unknown activation', { ...good, activations: { hidden: 'gelu', output: 'softmax' } }],
      ['truncated weights', { ...good, parameters: { encoding: 'base64-f32le', data: (good.parameters as { data: string }).data.slice(0, 40) } }],
      ['garbage weights', { ...good, parameters: { encoding: 'base64-f32le', data: '!'.repeat((good.parameters as { data: string }).data.length) } }],
      ['zero rng', { ...good, training: { ...good.training, rngState: [0, 0, 0, 0] } }],
      ['missing moments', { ...good, optimizer: { ...good.optimizer, v: null } }],
      ['binary garbage', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])],
      ['binary truncated', net.saveBinary().subarray(0, 200)],
      ['null', null],
    ];
    for (const [what, input] of bad) expect(() => FeedForwardNeuralNets.load(input as never), what).toThrow(DataFormatError);
    // Non-finite values are refused too, naming the vector. The JSON of an Adam net holds
    // optimizer.m and .v before parameters, so each block is corrupted by name.
    const withNaNAt = (data: string) => {
      // Six bytes (a NaN float32 and two zero bytes) are exactly eight base64 characters.
      const six = new Uint8Array(6);
      six.set(new Uint8Array(new Float32Array([NaN]).buffer));
      return btoa(String.fromCharCode(...six)) + data.slice(8);
    };
    const json = net.save();
    const parameters = { ...json.parameters, data: withNaNAt((json.parameters as { data: string }).data) };
    expect(() => FeedForwardNeuralNets.load(JSON.stringify({ ...json, parameters }))).toThrow(/: parameters holds a non-finite value \(NaN\) at index 0/);
    const m = { ...(json.optimizer.m as { data: string }), data: withNaNAt((json.optimizer.m as { data: string }).data) };
    expect(() => FeedForwardNeuralNets.load({ ...json, optimizer: { ...json.optimizer, m } } as never)).toThrow(/: optimizer\.m holds a non-finite value \(NaN\) at index 0/);
    // The binary container: "MLPW", the u32 header length, the header, then the blocks.
    const binary = net.saveBinary();
    const view = new DataView(binary.buffer, binary.byteOffset, binary.byteLength);
    const header = JSON.parse(new TextDecoder().decode(binary.subarray(8, 8 + view.getUint32(4, true))));
    expect(header.parameters).toEqual({ encoding: 'block', block: 0 });
    const blocks = 8 + view.getUint32(4, true);
    for (const [index, value] of [[0, NaN], [17, Infinity]] as const) {
      const bad = binary.slice();
      new DataView(bad.buffer).setFloat32(blocks + index * 4, value, true);
      expect(() => FeedForwardNeuralNets.load(bad)).toThrow(new RegExp(`: parameters holds a non-finite value \\(${value}\\) at index ${index}`));
    }
    const intact = FeedForwardNeuralNets.load(binary); // the untouched bytes still load
    expect(intact.parameters.W1.data).toEqual(net.parameters.W1.data);
    intact.dispose();
    net.dispose();
  });
});
