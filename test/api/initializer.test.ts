import { beforeAll, describe, expect, it } from 'vitest';
import { init, ParameterInitializer, FeedForwardNeuralNets, ValueError } from '../../ts/index.js';

beforeAll(() => init());

function stats(values: Float32Array) {
  let sum = 0, sq = 0, min = Infinity, max = -Infinity;
  for (const v of values) { sum += v; sq += v * v; min = Math.min(min, v); max = Math.max(max, v); }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), min, max };
}

describe('ParameterInitializer', () => {
  it('returns W1, b1, … with the documented shapes', () => {
    const p = new ParameterInitializer({ seed: 3 }).initializeParameters(784, [500, 250, 100], 10);
    expect(Object.keys(p)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4']);
    expect(p.W1.shape).toEqual([784, 500]);
    expect(p.b4.shape).toEqual([1, 10]);
  });

  it('glorot: uniform within ±√(6/(in+out)), zero biases', () => {
    const p = new ParameterInitializer({ initialization: 'glorot', seed: 1 }).initializeParameters(784, [500], 10);
    const limit = Math.sqrt(6 / (784 + 500));
    const s = stats(p.W1.data);
    expect(s.min).toBeGreaterThanOrEqual(-limit);
    expect(s.max).toBeLessThan(limit);
    expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 3);
    expect(Math.abs(s.mean)).toBeLessThan(1e-3);
    expect(p.b1.data.every((v) => v === 0)).toBe(true);
  });

  it('random: uniform in [−0.1, 0.1) for weights and biases', () => {
    const p = new ParameterInitializer({ initialization: 'random', seed: 1 }).initializeParameters(300, [400], 2);
    const s = stats(p.W1.data);
    expect(s.min).toBeGreaterThanOrEqual(-0.1);
    expect(s.max).toBeLessThan(0.1);
    expect(s.std).toBeCloseTo(0.1 / Math.sqrt(3), 3);
    expect(p.b1.data.some((v) => v !== 0)).toBe(true);
  });

  it('gaussian: mean 0, standard deviation 0.1', () => {
    const p = new ParameterInitializer({ initialization: 'gaussian', seed: 1 }).initializeParameters(300, [400], 2);
    const s = stats(p.W1.data);
    expect(Math.abs(s.mean)).toBeLessThan(2e-3);
    expect(s.std).toBeCloseTo(0.1, 2);
  });

  it('the same seed gives the same values, and a network starts from exactly them', () => {
    const a = new ParameterInitializer({ seed: 9 }).initializeParameters(5, [4], 3);
    const b = new ParameterInitializer({ seed: 9 }).initializeParameters(5, [4], 3);
    const c = new ParameterInitializer({ seed: 10 }).initializeParameters(5, [4], 3);
    expect(a.W1.data).toEqual(b.W1.data);
    expect(a.W1.data).not.toEqual(c.W1.data);
    const net = new FeedForwardNeuralNets({ inputs: 5, outputs: 3, hiddenLayers: [4], seed: 9 });
    expect(net.parameters.W1.data).toEqual(a.W1.data);
    expect(net.parameters.W2.data).toEqual(a.W2.data);
    net.dispose();
  });

  it('rejects bad arguments', () => {
    expect(() => new ParameterInitializer({ initialization: 'xavier' as never })).toThrow(/initialization must be one of "random", "gaussian", "glorot", got "xavier"/);
    expect(() => new ParameterInitializer({ seed: -1 })).toThrow(ValueError);
    const init0 = new ParameterInitializer({ seed: 1 });
    expect(() => init0.initializeParameters(0, [3], 2)).toThrow(/inputs must be a positive integer, got 0/);
    expect(() => init0.initializeParameters(3, [3.5], 2)).toThrow(/hiddenLayers\[0\] must be a positive integer, got 3.5/);
    expect(() => init0.initializeParameters(3, 4 as never, 2)).toThrow(/hiddenLayers must be an array/);
  });
});
