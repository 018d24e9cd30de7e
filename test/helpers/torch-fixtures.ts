// The PyTorch reference fixtures (scripts/fixtures/gen_torch_fixtures.py) and the check each
// case goes through, shared by the one-thread suite (test/engine) and the two-thread one.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { FeedForwardNeuralNets, Matrix } from '../../ts/index.js';
import { activationFromName } from '../../ts/api/activations.js';
import { lossFromName } from '../../ts/api/losses.js';
import { worstRatio } from './engine.js';

export type Named = Record<string, number[][]>;
export interface TorchCase {
  name: string; inputs: number; hiddenLayers: number[]; outputs: number;
  hidden: string; output: string; loss: string; regularization: null | 'l1' | 'l2'; alpha: number;
  x: number[][]; y: number[][]; params: Named; forward: number[][]; totalLoss: number; dataLoss: number; grads: Named;
  gdStep: { eta: number; params: Named }; adamSteps: { eta: number; steps: number; params: Named };
}

export const torchFixtures = JSON.parse(readFileSync(new URL('../fixtures/torch/reference.json', import.meta.url), 'utf8'));
export const torchCases: TorchCase[] = torchFixtures.cases;
export const flat = (m: number[][]) => m.flat();

function build(c: TorchCase, eta: number, threads: number | undefined): FeedForwardNeuralNets {
  const net = new FeedForwardNeuralNets({
    inputs: c.inputs, outputs: c.outputs, hiddenLayers: c.hiddenLayers, eta, seed: 3,
    g: activationFromName(c.hidden, 't', 'g'), O: activationFromName(c.output, 't', 'O'),
    L: lossFromName(c.loss, { alpha: c.alpha, regularization: c.regularization }, 't'),
    ...(threads !== undefined ? { threads } : {}),
  });
  net.setParameters(c.params);
  return net;
}

function expectParams(actual: Record<string, Matrix>, expected: Named, atol: number, rtol: number): void {
  for (const [name, m] of Object.entries(expected)) expect(worstRatio(actual[name].data, flat(m), atol, rtol), name).toBeLessThanOrEqual(1);
}

/** Forward outputs, loss, gradients, one GD step and the Adam steps of one case, against PyTorch. */
export function checkTorchCase(c: TorchCase, threads?: number): void {
  const net = build(c, c.gdStep.eta, threads);
  const X = Matrix.from(c.x);
  const Y = Matrix.from(c.y);
  expect(worstRatio(net.forwardPropagation(X).data, flat(c.forward), 1e-6, 1e-5)).toBeLessThanOrEqual(1);
  expect(net.loss(X, Y)).toBeCloseTo(c.totalLoss, 5);
  const grads = net.backPropagation(net.forwardPropagation(X), Y, X);
  for (const [name, g] of Object.entries(c.grads)) expect(worstRatio(grads[`d${name}`].data, flat(g), 1e-6, 1e-3), `d${name}`).toBeLessThanOrEqual(1);
  net.gradientDescent();
  expectParams(net.parameters, c.gdStep.params, 1e-6, 1e-4);
  net.dispose();

  const adamNet = build(c, c.adamSteps.eta, threads);
  for (let s = 0; s < c.adamSteps.steps; s++) {
    adamNet.backPropagation(adamNet.forwardPropagation(X), Y, X);
    adamNet.adam();
  }
  expect(adamNet.t).toBe(c.adamSteps.steps);
  // Adam divides by √v, which magnifies float32 noise in tiny gradients: a looser atol.
  expectParams(adamNet.parameters, c.adamSteps.params, 2e-5, 1e-3);
  adamNet.dispose();
}
