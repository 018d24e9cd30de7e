// The engine against PyTorch (float64 fixtures from scripts/fixtures/gen_torch_fixtures.py):
// forward outputs, losses, gradients, one gradient-descent step and three Adam steps.

import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Linear, Softmax, CrossEntropyLoss } from '../../ts/index.js';
import { worstRatio } from '../helpers/engine.js';
import { checkTorchCase, flat, torchCases, torchFixtures } from '../helpers/torch-fixtures.js';

beforeAll(() => init());

const fixtures = torchFixtures;
const cases = torchCases;

describe('PyTorch reference fixtures', () => {
  it('has the full grid of cases, the wide ones included', () => {
    expect(cases.length).toBe(99);
    expect(cases.filter((c) => c.name.startsWith('wide_')).map((c) => [c.inputs, ...c.hiddenLayers, c.outputs])).toEqual(Array(4).fill([12, 20, 12, 10]));
  });

  for (const c of cases) it(c.name, () => checkTorchCase(c));

  it('softmax and cross-entropy stay finite and exact for huge logits', () => {
    const s = fixtures.softmaxStability;
    const p = new Softmax().apply(s.logits);
    expect(worstRatio(p.data, flat(s.softmax), 1e-7, 1e-5)).toBeLessThanOrEqual(1);
    // Through a network with identity weights the loss is computed from the logits: exact.
    const k = s.logits[0].length;
    const net = new FeedForwardNeuralNets({ inputs: k, outputs: k, hiddenLayers: [], g: new Linear(), O: new Softmax(), seed: 1 });
    const eye = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
    net.setParameters({ W1: eye, b1: [new Array(k).fill(0)] });
    expect(net.loss(s.logits, s.y)).toBeCloseTo(s.loss, 4);
    // The network's own forward pass and its gradients stay exact there too: with W = I the
    // output is softmax(logits), db = Σ rows of ∂L/∂logits and dW = logitsᵀ · ∂L/∂logits.
    const out = net.forwardPropagation(s.logits);
    expect(worstRatio(out.data, flat(s.softmax), 1e-7, 1e-5)).toBeLessThanOrEqual(1);
    const g = net.backPropagation(out, s.y, s.logits);
    const gl: number[][] = s.gradLogits;
    const db = Array.from({ length: k }, (_, j) => gl.reduce((sum, row) => sum + row[j], 0));
    expect(worstRatio(g.db1.data, db, 1e-6, 1e-5)).toBeLessThanOrEqual(1);
    const dW = Array.from({ length: k * k }, (_, at) => s.logits.reduce((sum: number, row: number[], r: number) => sum + row[Math.floor(at / k)] * gl[r][at % k], 0));
    expect(g.dW1.data.every(Number.isFinite)).toBe(true);
    expect(worstRatio(g.dW1.data, dW, 1e-3, 1e-5)).toBeLessThanOrEqual(1);
    // On probabilities alone, p = 0 is floored: finite, never NaN.
    const ce = new CrossEntropyLoss().compute(p, s.y);
    expect(Number.isFinite(ce)).toBe(true);
    net.dispose();
  });
});
