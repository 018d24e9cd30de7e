// Decoding a saved model refuses well-formed but invalid values with a DataFormatError that
// shows the file's value, before any network is built: the engine takes the hyperparameters
// as float32, so values that overflow, underflow or round onto a bound are refused too.

import { beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError, FeedForwardNeuralNets, Softmax, init, type ModelFile } from '../../ts/index.js';

beforeAll(() => init());

let saved: ModelFile;
beforeAll(() => {
  const net = new FeedForwardNeuralNets({ inputs: 4, outputs: 3, hiddenLayers: [5], optimizer: 'adam', seed: 3 });
  saved = net.save();
  net.dispose();
});

/** The saved model with one change, as an object and as a binary container. */
function variants(change: (m: ModelFile) => void): [string, ModelFile | Uint8Array][] {
  const m = structuredClone(saved);
  change(m);
  const net = FeedForwardNeuralNets.load(saved);
  const bytes = net.saveBinary();
  net.dispose();
  // Patch the same change into the binary header (its JSON, kept at the same length by padding).
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  change(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  const binary = new Uint8Array(8 + json.length + pad + bytes.length - 8 - length);
  binary.set(bytes.subarray(0, 4));
  new DataView(binary.buffer).setUint32(4, json.length + pad, true);
  binary.set(json, 8);
  binary.fill(0x20, 8 + json.length, 8 + json.length + pad);
  binary.set(bytes.subarray(8 + length), 8 + json.length + pad);
  return [['JSON', m], ['binary', binary]];
}

function expectRefused(change: (m: ModelFile) => void, ...parts: string[]): void {
  for (const [form, input] of variants(change)) {
    let caught: unknown;
    try {
      FeedForwardNeuralNets.load(input).dispose();
    } catch (error) {
      caught = error;
    }
    expect(caught, form).toBeInstanceOf(DataFormatError);
    const message = (caught as Error).message;
    expect(message, form).toContain('FeedForwardNeuralNets.load');
    for (const part of parts) expect(message, form).toContain(part);
  }
}

describe('FeedForwardNeuralNets.load refuses invalid values with DataFormatError', () => {
  it('loads the unchanged model (the patched binary container is sound)', () => {
    for (const [, input] of variants(() => {})) FeedForwardNeuralNets.load(input).dispose();
  });

  it('a softmax hidden activation in a network with hidden layers', () => {
    expectRefused((m) => (m.activations.hidden = 'softmax'), 'activations.hidden', '"softmax"');
  });

  it('a softmax "hidden" activation without hidden layers is still accepted (it is unused)', () => {
    const net = new FeedForwardNeuralNets({ inputs: 4, outputs: 3, hiddenLayers: [], g: new Softmax(), seed: 1 });
    FeedForwardNeuralNets.load(net.save()).dispose();
    net.dispose();
  });

  it('eta that is 0 or infinite in float32', () => {
    expectRefused((m) => (m.optimizer.eta = 1e-50), 'optimizer.eta', 'got 1e-50', 'which is 0 in float32');
    expectRefused((m) => (m.optimizer.eta = 1e39), 'optimizer.eta', 'got 1e+39', 'which is Infinity in float32');
    expectRefused((m) => (m.optimizer.eta = -0.1), 'optimizer.eta', 'got -0.1');
  });

  it('beta1 and beta2 that round to 1 in float32', () => {
    expectRefused((m) => (m.optimizer.beta1 = 1 - 1e-12), 'optimizer.beta1', 'in [0, 1)', 'got 0.999999999999', 'which is 1 in float32');
    expectRefused((m) => (m.optimizer.beta2 = 1 - 1e-12), 'optimizer.beta2', 'which is 1 in float32');
    expectRefused((m) => (m.optimizer.beta1 = 1), 'optimizer.beta1', 'got 1');
  });

  it('epsilon that underflows and loss.alpha that overflows float32', () => {
    expectRefused((m) => (m.optimizer.epsilon = 1e-50), 'optimizer.epsilon', 'which is 0 in float32');
    expectRefused((m) => (m.loss.alpha = 1e39), 'loss.alpha', 'got 1e+39', 'which is Infinity in float32');
    expectRefused((m) => ((m.loss as { alpha: unknown }).alpha = '0.1'), 'loss.alpha', 'got "0.1"');
  });

  it('a batch size outside 1..2^31-1', () => {
    expectRefused((m) => (m.training.batchSize = 2 ** 32), 'training.batchSize', '1..2147483647', 'got 4294967296');
    expectRefused((m) => (m.training.batchSize = 1e300), 'training.batchSize', 'got 1e+300');
    expectRefused((m) => (m.training.batchSize = 0), 'training.batchSize', 'got 0');
    for (const [, input] of variants((m) => (m.training.batchSize = 2 ** 31 - 1))) FeedForwardNeuralNets.load(input).dispose();
  });

  it('counters beyond 2^53', () => {
    expectRefused((m) => (m.training.iteration = 1e300), 'training.iteration', 'got 1e+300');
    expectRefused((m) => (m.training.epochsTrained = 2 ** 60), 'training.epochsTrained');
  });
});
