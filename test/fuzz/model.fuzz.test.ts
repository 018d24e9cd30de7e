// Thousands of random mutations of valid saved models (JSON text and binary): every case
// must load correctly or throw a DataFormatError, quickly, and never anything else.

import { beforeAll, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, DataFormatError, ReLU } from '../../ts/index.js';
import { rng } from '../helpers/engine.js';

beforeAll(() => init());

const CASES = Number(process.env.MODEL_FUZZ_CASES ?? 1500);

it(`load() survives ${CASES} mutated models`, () => {
  const net = new FeedForwardNeuralNets({ inputs: 6, outputs: 3, hiddenLayers: [5], g: new ReLU(), optimizer: 'adam', seed: 1 });
  const x = [[1, 2, 3, 4, 5, 6]];
  net.backPropagation(net.forwardPropagation(x), [[1, 0, 0]], x);
  net.adam();
  const text = new TextEncoder().encode(JSON.stringify(net.save()));
  const binary = net.saveBinary();
  net.dispose();
  const next = rng(Number(process.env.MODEL_FUZZ_SEED ?? 1234));
  const pick = (n: number) => Math.floor(next() * n);
  let loaded = 0;
  const start = performance.now();
  for (let i = 0; i < CASES; i++) {
    const isText = i % 2 === 0;
    const bytes = (isText ? text : binary).slice();
    let m: Uint8Array = bytes;
    const kind = pick(5);
    if (kind === 0) for (let f = 0, n = 1 + pick(4); f < n; f++) m[pick(m.length)] ^= 1 << pick(8); // bit flips
    else if (kind === 1) m = m.subarray(0, pick(m.length)); // truncation
    else if (kind === 2) m = Uint8Array.from([...m, ...Array.from({ length: 1 + pick(64) }, () => pick(256))]); // extension
    else if (kind === 3) m[pick(Math.min(m.length, isText ? 400 : 64))] = pick(256); // header edits
    else if (isText) {
      // Swap a number in the JSON for an extreme one.
      const s = new TextDecoder().decode(m).replace(/\d+/, ['-1', '1e309', '4294967296', '0', '99999999'][pick(5)]);
      m = new TextEncoder().encode(s);
    } else m[4 + pick(4)] = pick(256); // the header length field
    const input = isText ? new TextDecoder().decode(m) : m;
    try {
      FeedForwardNeuralNets.load(input).dispose();
      loaded++;
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw new Error(`case ${i} (${isText ? 'json' : 'binary'}, mutation ${kind}) threw ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  expect(loaded).toBeGreaterThan(0); // some mutations are harmless (e.g. a digit inside a float)
  expect(performance.now() - start).toBeLessThan(30_000);
});
