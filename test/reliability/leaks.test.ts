// Long-running use must not leak: wasm memory and the JS heap stay flat across 1,000
// create-train-dispose cycles, and networks that are merely dropped are freed by the
// FinalizationRegistry.

import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Dataset, ReLU } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { rng } from '../helpers/engine.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const settle = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(() => init());

const next = rng(5);
const X = Array.from({ length: 64 }, () => Array.from({ length: 20 }, () => next()));
const Y = X.map((r) => (r[0] > 0.5 ? [1, 0] : [0, 1]));

it('1,000 create / train / dispose cycles leave wasm memory and the JS heap flat', async () => {
  const engine = getEngine();
  const data = Dataset.fromMatrices(X, Y);
  const cycle = (i: number) => {
    const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [32, 16], g: new ReLU(), optimizer: i % 2 ? 'adam' : 'gd', batchSize: 16, seed: i });
    net.train(1, { validationData: data, logEvery: 2 });
    net.predict(X);
    net.save();
    net.dispose();
  };
  for (let i = 0; i < 50; i++) cycle(i); // let every buffer reach its steady size
  await settle();
  const wasmBefore = engine.memory.buffer.byteLength;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) cycle(i);
  await settle();
  expect(engine.memory.buffer.byteLength).toBe(wasmBefore);
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 * 2 ** 20);
  data.dispose();
});

it('networks and datasets that are only dropped are freed by the FinalizationRegistry', async () => {
  const engine = getEngine();
  // Each of these networks holds ~4 MB in the engine; 300 of them undisposed would need
  // over 1 GB if nothing freed them.
  const make = () => {
    const net = new FeedForwardNeuralNets({ inputs: 500, outputs: 10, hiddenLayers: [500], optimizer: 'adam', seed: 1 });
    Dataset.fromMatrices([[1, 2]], [[1]]);
    return net.handle;
  };
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 30; i++) make();
    await settle();
  }
  expect(engine.memory.buffer.byteLength).toBeLessThan(400 * 2 ** 20);
});
