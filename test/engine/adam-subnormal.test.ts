// Adam never computes with float32 subnormals (an x86 core takes a slow microcode assist for
// each SIMD operation that meets one, and WebAssembly cannot switch on flush-to-zero): gradients
// whose square would be subnormal count as 0, and new moments too small for β·m to stay normal
// are stored as 0. Checked bit for bit against a float32 emulation of optim.rs, on a parameter
// count that leaves a scalar tail after the SIMD lanes; NaN gradients must still be refused.

import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { sameBits } from '../helpers/engine.js';

const f = Math.fround;
const MIN_NORMAL = 2 ** -126;

beforeAll(async () => {
  await init({ threads: 1 });
});

/** 4-6-3: 51 parameters, 48 in SIMD lanes and 3 in the scalar tail. */
function net(beta1 = 0.9, beta2 = 0.999): FeedForwardNeuralNets {
  return new FeedForwardNeuralNets({ inputs: 4, outputs: 3, hiddenLayers: [6], optimizer: 'adam', eta: 0.01, beta1, beta2, epsilon: 1e-8, seed: 1 });
}

const handle = (n: FeedForwardNeuralNets) => (n as unknown as { handle: number }).handle;

/** optim.rs `adam` and `adam_limits` in float32 arithmetic (f64 where the engine uses f64). */
function expected(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, eta: number, eps: number, t: number) {
  [b1, b2, eta, eps] = [b1, b2, eta, eps].map(f);
  const [c1, c2] = [f(1 - b1), f(1 - b2)];
  const above = (x: number) => f(x * (1 + 1e-6));
  const gMin = above(Math.max(Math.sqrt(MIN_NORMAL), Math.sqrt(MIN_NORMAL / (1 - b2)), MIN_NORMAL / (1 - b1)));
  const mMin = above(MIN_NORMAL / Math.min(b1, 1));
  const vMin = above(MIN_NORMAL / Math.min(b2, 1));
  const flush = (x: number, limit: number) => (Math.abs(x) < limit ? 0 : x);
  const step = f(eta / (1 - b1 ** t));
  const inv = f(1 / Math.sqrt(1 - b2 ** t));
  const out = { w: new Float32Array(w.length), m: new Float32Array(w.length), v: new Float32Array(w.length) };
  for (let i = 0; i < w.length; i++) {
    const gi = flush(g[i], gMin);
    const mi = flush(f(f(b1 * m[i]) + f(c1 * gi)), mMin);
    const vi = flush(f(f(b2 * v[i]) + f(c2 * f(gi * gi))), vMin);
    const denom = f(f(f(Math.sqrt(vi)) * inv) + eps);
    out.w[i] = f(w[i] - f(step * f(mi / denom)));
    out.m[i] = mi;
    out.v[i] = vi;
  }
  return { ...out, limits: { gMin, mMin, vMin } };
}


describe('Adam and subnormal numbers', () => {
  it('flushes subnormal-making gradients and moments to 0 and is otherwise the plain update, bit for bit', () => {
    const n = net();
    const P = 51;
    const w = n.readVector(0, 'test');
    // Gradients: 0, normal ones, ones whose square is subnormal, ones just above the limit.
    const tiny = [0, 1e-3, -2e-2, 1e-20, -3e-19, 5e-19, 1e-17, -2e-17, 3e-18, -1e-30, 1e-37, 4e-18];
    const g = Float32Array.from({ length: P }, (_, i) => tiny[i % tiny.length]);
    // Moments: some a step away from the subnormals (β·m would fall below 2^-126).
    const m = Float32Array.from({ length: P }, (_, i) => [1.2e-38, -1.25e-38, 1e-36, 0, 1e-4][i % 5]);
    const v = Float32Array.from({ length: P }, (_, i) => [1.18e-38, 1e-37, 0, 2e-8][i % 4]);
    n.writeVector(1, g, 'test');
    n.writeVector(2, m, 'test');
    n.writeVector(3, v, 'test');
    const want = expected(w, g, m, v, 0.9, 0.999, 0.01, 1e-8, 1);
    // The cases really sit on both sides of each limit.
    expect(tiny.some((x) => x !== 0 && Math.abs(x) < want.limits.gMin) && tiny.some((x) => Math.abs(x) > want.limits.gMin && Math.abs(x) < 1e-16)).toBe(true);
    expect(getEngine().exports.mlp_network_apply(handle(n), 1)).toBe(0);
    const [w1, m1, v1] = [0, 2, 3].map((k) => n.readVector(k, 'test'));
    expect(sameBits(m1, want.m)).toBe(true);
    expect(sameBits(v1, want.v)).toBe(true);
    expect(sameBits(w1, want.w)).toBe(true);
    for (const x of [...m1, ...v1]) expect(x === 0 || Math.abs(x) >= MIN_NORMAL).toBe(true);
    // Some moments were flushed, and no weight moved because of a flushed gradient.
    expect(m1.filter((x, i) => x === 0 && m[i] !== 0).length).toBeGreaterThan(0);
    n.dispose();
  });

  it('stores no subnormal moment while they decay under zero gradients, for other betas too', () => {
    for (const [b1, b2] of [[0.9, 0.999], [0.5, 0.6], [0.99, 0.9999]] as const) {
      const n = net(b1, b2);
      n.writeVector(2, new Float32Array(51).fill(1e-30), 'test');
      n.writeVector(3, new Float32Array(51).fill(1e-33), 'test');
      n.writeVector(1, new Float32Array(51), 'test');
      for (let s = 0; s < 3000; s++) {
        expect(getEngine().exports.mlp_network_apply(handle(n), 1)).toBe(0);
        if (s % 100 !== 99) continue;
        for (const x of [...n.readVector(2, 'test'), ...n.readVector(3, 'test')]) expect(x === 0 || Math.abs(x) >= MIN_NORMAL).toBe(true);
      }
      // By now m (β1 ≤ 0.99) has decayed through the subnormal range to 0.
      expect(n.readVector(2, 'test').every((x) => x === 0)).toBe(true);
      n.dispose();
    }
  });

  it('still refuses a NaN or infinite gradient (the flush keeps NaN) and changes nothing', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const n = net();
      const before = [0, 2, 3].map((k) => n.readVector(k, 'test'));
      const g = new Float32Array(51).fill(1e-20);
      g[7] = bad;
      n.writeVector(1, g, 'test');
      expect(getEngine().exports.mlp_network_apply(handle(n), 1)).toBe(4); // Status::Diverged
      const after = [0, 2, 3].map((k) => n.readVector(k, 'test'));
      after.forEach((a, i) => expect(sameBits(a, before[i])).toBe(true));
      n.dispose();
    }
  });
});
