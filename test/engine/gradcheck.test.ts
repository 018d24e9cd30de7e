// Gradients: the float64 reference against central finite differences (float32 cannot pass
// a gradient check), then the SIMD float32 engine against the float64 reference, for every
// hidden activation x output activation x loss x regularisation.

import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../ts/index.js';
import { blocking, engineLossAndGradients, referenceLossAndGradients, referenceProblem, worstRatio, type RefConfig } from '../helpers/engine.js';

beforeAll(() => init());

const hiddens = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
const outputs = ['softmax', 'sigmoid', 'linear'] as const;
const losses = ['crossEntropy', 'squaredError'] as const;
const regs = [null, 'l1', 'l2'] as const;

const n = 5;
const sizes = [4, 6, 5, 3];

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
            const { params, x, y } = referenceProblem(cfg, n, s);
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
            const engine = engineLossAndGradients(cfg, { params, x, y }, n);
            expect(engine.loss).toBeCloseTo(value, 5);
            expect(worstRatio(engine.grads, grads, 2e-6, 1e-3)).toBeLessThanOrEqual(1);
          });
        }
});

// The tiny network above fits in one 4x8 tile with K far below a K block; this one has many
// tiles, edge tiles in both directions, several row blocks (810 rows) and two K blocks in the
// forward product of layer 1 (K = 850) and in the weight gradients (K = n = 810), so every
// epilogue (bias + activation, activation derivative) is checked against the reference across
// tiles and blocks.
describe('the engine against the float64 reference on a network of many tiles', () => {
  const wide = [850, 37, 13, 5];
  const rows = 810;
  const combos = [
    ['sigmoid', 'softmax', 'crossEntropy', null],
    ['relu', 'sigmoid', 'squaredError', 'l2'],
    ['tanh', 'linear', 'squaredError', 'l1'],
  ] as const;
  it('crosses the K blocks and row blocks of the engine', () => {
    const b = blocking();
    expect(wide[0]).toBeGreaterThan(b.kc);
    expect(rows).toBeGreaterThan(b.kc);
    expect(rows).toBeGreaterThan(2 * b.mcRows);
  });
  let seed = 500;
  for (const [hidden, output, loss, reg] of combos) {
    const s = seed++;
    it(`${wide.join('-')}, ${rows} rows: ${hidden} / ${output} / ${loss} / ${reg ?? 'none'}`, () => {
      const cfg: RefConfig = { sizes: wide, hidden, output, loss, reg, alpha: reg ? 0.01 : 0 };
      const problem = referenceProblem(cfg, rows, s, 0.2);
      const { loss: value, grads } = referenceLossAndGradients(cfg, problem.params, problem.x, problem.y, rows);
      const engine = engineLossAndGradients(cfg, problem, rows);
      expect(engine.loss).toBeCloseTo(value, 5);
      expect(worstRatio(engine.grads, grads, 2e-6, 1e-3)).toBeLessThanOrEqual(1);
    });
  }
});
