// Evaluation's packed copy of the weights (evaluation.rs `PackedWeights`) is an extra: a
// network whose copy does not fit in wasm memory still evaluates, packing in every product as
// it did before there was a copy. It also runs the binding with addresses past 2 GiB (which
// wasm returns as negative i32s). Its own file: the engine's memory stays near 4 GiB after it.

import { expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Matrix } from '../../ts/index.js';

it('a network too large for the packed copy evaluates without it', async () => {
  await init({ threads: 1 });
  // 13,200 x 13,200 weights, 0.7 GB, with Adam: four vectors of them take 2.8 GB; Strassen's
  // seven packed operands for 200 rows would take 1.2 GB more, past wasm32's 4 GiB.
  const d = 13_200;
  const net = new FeedForwardNeuralNets({ inputs: d, outputs: 2, hiddenLayers: [d], optimizer: 'adam', seed: 1 });
  try {
    const X = new Matrix(200, d, Float32Array.from({ length: 200 * d }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
    const all = net.evaluate(X).data;
    // One row takes the plain kernel, whose packed copy (0.7 GB) fits.
    for (const r of [0, 199]) {
      const one = net.evaluate(new Matrix(1, d, X.data.slice(r * d, (r + 1) * d))).data;
      for (let j = 0; j < 2; j++) expect(Math.abs(all[r * 2 + j]! - one[j]!)).toBeLessThan(1e-5);
    }
    // and the rows' outputs differ, as their inputs do (not one value any path would give)
    expect(all[0]).not.toBe(all[2 * 199]);
  } finally {
    net.dispose();
  }
}, 120_000);
