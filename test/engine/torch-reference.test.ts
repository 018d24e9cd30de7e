// The engine against PyTorch (float64 fixtures from scripts/fixtures/gen_torch_fixtures.py):
// forward outputs, losses, gradients, one gradient-descent step and three Adam steps.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Linear, Softmax, CrossEntropyLoss, Matrix } from '../../ts/index.js';
import { activationFromName } from '../../ts/api/activations.js';
import { lossFromName } from '../../ts/api/losses.js';
import { worstRatio } from '../helpers/engine.js';

beforeAll(() => init());

type Named = Record<string, number[][]>;
interface Case {
  name: string; inputs: number; hiddenLayers: number[]; outputs: number;
  hidden: string; output: string; loss: string; regularization: null | 'l1' | 'l2'; alpha: number;
  x: number[][]; y: number[][]; params: Named; forward: number[][]; totalLoss: number; dataLoss: number; grads: Named;
  gdStep: { eta: number; params: Named }; adamSteps: { eta: number; steps: number; params: Named };
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/torch/reference.json', import.meta.url), 'utf8'));
const cases: Case[] = fixtures.cases;

const flat = (m: number[][]) => m.flat();

function build(c: Case, eta: number): FeedForwardNeuralNets {
  const net = new FeedForwardNeuralNets({
    inputs: c.inputs, outputs: c.outputs, hiddenLayers: c.hiddenLayers, eta, seed: 3,
    g: activationFromName(c.hidden, 't', 'g'), O: activationFromName(c.output, 't', 'O'),
    L: lossFromName(c.loss, { alpha: c.alpha, regularization: c.regularization }, 't'),
  });
  net.setParameters(c.params);
  return net;
}

function expectParams(actual: Record<string, Matrix>, expected: Named, atol: number, rtol: number) {
  for (const [name, m] of Object.entries(expected)) {
    expect(worstRatio(actual[name].data, flat(m), atol, rtol), name).toBeLessThanOrEqual(1);
  }
}

describe('PyTorch reference fixtures', () => {
  it('has the full grid of cases', () => expect(cases.length).toBeGreaterThanOrEqual(60));

  for (const c of cases) {
    it(c.name, () => {
      const net = build(c, c.gdStep.eta);
      const X = Matrix.from(c.x);
      const Y = Matrix.from(c.y);
      expect(worstRatio(net.forwardPropagation(X).data, flat(c.forward), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
      expect(net.loss(X, Y)).toBeCloseTo(c.totalLoss, 5);
      const grads = net.backPropagation(net.forwardPropagation(X), Y, X);
      for (const [name, g] of Object.entries(c.grads)) {
        expect(worstRatio(grads[`d${name}`].data, flat(g), 1e-6, 1e-3), `d${name}`).toBeLessThanOrEqual(1);
      }
      net.gradientDescent();
      expectParams(net.parameters, c.gdStep.params, 1e-6, 1e-4);
      net.dispose();

      const adamNet = build(c, c.adamSteps.eta);
      for (let s = 0; s < c.adamSteps.steps; s++) {
        adamNet.backPropagation(adamNet.forwardPropagation(X), Y, X);
        adamNet.adam();
      }
      expect(adamNet.t).toBe(c.adamSteps.steps);
      // Adam divides by √v, which magnifies float32 noise in tiny gradients: a looser atol.
      expectParams(adamNet.parameters, c.adamSteps.params, 2e-5, 1e-3);
      adamNet.dispose();
    });
  }

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
