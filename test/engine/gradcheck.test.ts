// Gradients: the float64 reference against central finite differences (float32 cannot pass
// a gradient check), then the SIMD float32 engine against the float64 reference, for every
// hidden activation x output activation x loss x regularisation.

import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Matrix } from '../../ts/index.js';
import { activationFromName } from '../../ts/api/activations.js';
import { lossFromName } from '../../ts/api/losses.js';
import { parameterCount } from '../../ts/api/parameters.js';
import { referenceLossAndGradients, rng, worstRatio, type RefConfig } from '../helpers/engine.js';

beforeAll(() => init());

const hiddens = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
const outputs = ['softmax', 'sigmoid', 'linear'] as const;
const losses = ['crossEntropy', 'squaredError'] as const;
const regs = [null, 'l1', 'l2'] as const;

const n = 5;
const sizes = [4, 6, 5, 3];

function problem(cfg: RefConfig, seed: number) {
  const next = rng(seed);
  const count = parameterCount(cfg.sizes);
  const params = new Float64Array(count).map(() => (next() * 2 - 1) * 0.8);
  const x = new Float64Array(n * sizes[0]).map(() => next() * 2 - 1);
  const k = sizes[sizes.length - 1];
  const y = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    if (cfg.loss === 'crossEntropy') y[r * k + Math.floor(next() * k)] = 1;
    else for (let j = 0; j < k; j++) y[r * k + j] = next();
  }
  return { params, x, y };
}

describe('gradients', () => {
  let seed = 1;
  for (const hidden of hiddens)
    for (const output of outputs)
      for (const loss of losses)
        for (const reg of regs) {
          if (loss === 'crossEntropy' && output === 'linear') continue; // log of a non-probability
          const cfg: RefConfig = { sizes, hidden, output, loss, reg, alpha: reg ? 0.01 : 0 };
          const s = seed++;
          it(`${hidden} / ${output} / ${loss} / ${reg ?? 'none'}`, () => {
            const { params, x, y } = problem(cfg, s);
            const { loss: value, grads } = referenceLossAndGradients(cfg, params, x, y, n);
            expect(Number.isFinite(value)).toBe(true);

            // 1. float64 reference vs central differences
            const h = 1e-6;
            const numeric = new Float64Array(params.length);
            for (let i = 0; i < params.length; i++) {
              const saved = params[i];
              params[i] = saved + h;
              const up = referenceLossAndGradients(cfg, params, x, y, n, false).loss;
              params[i] = saved - h;
              const down = referenceLossAndGradients(cfg, params, x, y, n, false).loss;
              params[i] = saved;
              numeric[i] = (up - down) / (2 * h);
            }
            expect(worstRatio(grads, numeric, 1e-7, 1e-5)).toBeLessThanOrEqual(1);

            // 2. the float32 SIMD engine vs the float64 reference
            const k = sizes[sizes.length - 1];
            const net = new FeedForwardNeuralNets({
              inputs: sizes[0], outputs: k, hiddenLayers: sizes.slice(1, -1),
              g: activationFromName(hidden, 't', 'g'), O: activationFromName(output, 't', 'O'),
              L: lossFromName(loss, { alpha: cfg.alpha, regularization: reg }, 't'), seed: 1,
            });
            net.writeVector(0, Float32Array.from(params), 'test');
            const X = new Matrix(n, sizes[0], Float32Array.from(x));
            const Y = new Matrix(n, k, Float32Array.from(y));
            expect(net.loss(X, Y)).toBeCloseTo(value, 5);
            net.backPropagation(net.forwardPropagation(X), Y, X);
            const g32 = net.readVector(1, 'test');
            expect(worstRatio(g32, grads, 2e-6, 1e-3)).toBeLessThanOrEqual(1);
            net.dispose();
          });
        }
});

// The tiny network above fits in one 4x8 tile with K far below a K block; this one has many
// tiles, edge tiles in both directions and two K blocks in the forward product of layer 1
// (K = 300) and in the weight gradients (K = n = 270), so every epilogue (bias + activation,
// activation derivative) is checked against the reference across tiles and blocks.
describe('the engine against the float64 reference on a network of many tiles', () => {
  const wide = [300, 37, 13, 5];
  const rows = 270;
  const combos = [
    ['sigmoid', 'softmax', 'crossEntropy', null],
    ['relu', 'sigmoid', 'squaredError', 'l2'],
    ['tanh', 'linear', 'squaredError', 'l1'],
  ] as const;
  let seed = 500;
  for (const [hidden, output, loss, reg] of combos) {
    const s = seed++;
    it(`${wide.join('-')}, ${rows} rows: ${hidden} / ${output} / ${loss} / ${reg ?? 'none'}`, () => {
      const cfg: RefConfig = { sizes: wide, hidden, output, loss, reg, alpha: reg ? 0.01 : 0 };
      const next = rng(s);
      const params = new Float64Array(parameterCount(wide)).map(() => (next() * 2 - 1) * 0.2);
      const x = new Float64Array(rows * wide[0]).map(() => next() * 2 - 1);
      const k = wide[wide.length - 1];
      const y = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) {
        if (loss === 'crossEntropy') y[r * k + Math.floor(next() * k)] = 1;
        else for (let j = 0; j < k; j++) y[r * k + j] = next();
      }
      const { loss: value, grads } = referenceLossAndGradients(cfg, params, x, y, rows);
      const net = new FeedForwardNeuralNets({
        inputs: wide[0], outputs: k, hiddenLayers: wide.slice(1, -1), seed: 1,
        g: activationFromName(hidden, 't', 'g'), O: activationFromName(output, 't', 'O'),
        L: lossFromName(loss, { alpha: cfg.alpha, regularization: reg }, 't'),
      });
      net.writeVector(0, Float32Array.from(params), 'test');
      const X = new Matrix(rows, wide[0], Float32Array.from(x));
      const Y = new Matrix(rows, k, Float32Array.from(y));
      expect(net.loss(X, Y)).toBeCloseTo(value, 5);
      net.backPropagation(net.forwardPropagation(X), Y, X);
      expect(worstRatio(net.readVector(1, 'test'), grads, 2e-6, 1e-3)).toBeLessThanOrEqual(1);
      net.dispose();
    });
  }
});
