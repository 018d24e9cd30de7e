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
  it('has the full grid of cases', () => expect(cases.length).toBeGreaterThanOrEqual(60));

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
    // On probabilities alone, p = 0 is floored: finite, never NaN.
    const ce = new CrossEntropyLoss().compute(p, s.y);
    expect(Number.isFinite(ce)).toBe(true);
    net.dispose();
  });
});
