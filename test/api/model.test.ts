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

const makeNet = (X: number[][], Y: number[][], optimizer: 'gd' | 'adam') =>
  new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [7, 5], g: new ReLU(), L: new CrossEntropyLoss({ alpha: 1e-4, regularization: 'l2' }), optimizer, eta: 0.01, batchSize: 9, seed: 11 });

describe('save and load', () => {
  for (const optimizer of ['gd', 'adam'] as const) {
    it(`${optimizer}: 10 epochs equal 5 + save + load + 5, bit for bit (JSON and binary)`, () => {
      const { X, Y } = data(100, 1);
      const straight = makeNet(X, Y, optimizer);
      straight.train(10, { validationData: [X, Y], logEvery: 20 });

      for (const form of ['json', 'binary'] as const) {
        const first = makeNet(X, Y, optimizer);
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
    // Non-finite weights are refused too.
    const nan = net.save();
    // Six bytes (a NaN float32 and two zero bytes) are exactly eight base64 characters.
    const six = new Uint8Array(6);
    six.set(new Uint8Array(new Float32Array([NaN]).buffer));
    const text = JSON.stringify(nan).replace(/"data":"[A-Za-z0-9+/=]{8}/, `"data":"${btoa(String.fromCharCode(...six))}`);
    expect(() => FeedForwardNeuralNets.load(text)).toThrow(/non-finite/);
    net.dispose();
  });
});
