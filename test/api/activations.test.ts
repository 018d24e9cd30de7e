import { beforeAll, describe, expect, it } from 'vitest';
import { init, ReLU, Sigmoid, Tanh, Linear, Softmax, Matrix, ShapeError, ValueError } from '../../ts/index.js';

beforeAll(() => init());

const xs = [[-3, -0.5, 0, 0.25, 4, 30, -30]];
const close = (a: ArrayLike<number>, b: number[], tol: number) => b.forEach((v, i) => expect(Math.abs(a[i] - v)).toBeLessThanOrEqual(tol));

describe('activations', () => {
  it('apply matches the formulas', () => {
    const x = xs[0];
    close(new ReLU().apply(xs).data, x.map((v) => Math.max(0, v)), 0);
    close(new Sigmoid().apply(xs).data, x.map((v) => 1 / (1 + Math.exp(-v))), 2e-7);
    close(new Tanh().apply(xs).data, x.map(Math.tanh), 3e-7);
    close(new Linear().apply(xs).data, x, 0);
  });

  it('the vectorised exp behind sigmoid, tanh and softmax is accurate over its whole range', () => {
    // 20,001 points in [-100, 100]: past the clamp at -87 / 88 too. Relative error of exp
    // shows in sigmoid(-x) = e^-x / (1 + e^-x) for large x, where the value is tiny.
    const grid = Float32Array.from({ length: 20_001 }, (_, i) => -100 + i / 100);
    const sig = new Sigmoid().apply(new Matrix(1, grid.length, grid)).data;
    let worst = 0;
    grid.forEach((x, i) => {
      const want = 1 / (1 + Math.exp(-x));
      if (want < 1e-37) expect(sig[i]).toBeLessThan(1e-37); // beyond float32's normal range: 0 or a denormal
      else worst = Math.max(worst, Math.abs(sig[i] - want) / want);
    });
    expect(worst).toBeLessThan(1e-6);
    const th = new Tanh().apply(new Matrix(1, grid.length, grid)).data;
    grid.forEach((x, i) => expect(Math.abs(th[i] - Math.tanh(x))).toBeLessThan(5e-7));
  });

  it('gradient is the element-wise derivative at x', () => {
    const x = xs[0];
    close(new ReLU().gradient(xs).data, x.map((v) => (v > 0 ? 1 : 0)), 0);
    close(new Sigmoid().gradient(xs).data, x.map((v) => { const s = 1 / (1 + Math.exp(-v)); return s * (1 - s); }), 2e-7);
    close(new Tanh().gradient(xs).data, x.map((v) => 1 - Math.tanh(v) ** 2), 5e-7);
    close(new Linear().gradient(xs).data, x.map(() => 1), 0);
  });

  it('softmax rows sum to one and survive ±1000 logits', () => {
    const p = new Softmax().apply([[1000, -1000, 0], [-1000, -1000, -1000], [1, 2, 3]]);
    for (let r = 0; r < 3; r++) expect(p.row(r).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Array.from(p.row(0))).toEqual([1, 0, 0]);
    close(p.row(1), [1 / 3, 1 / 3, 1 / 3], 1e-7);
    const e = [1, 2, 3].map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    close(p.row(2), e.map((v) => v / s), 1e-7);
  });

  it('softmax gradient returns one Jacobian per row', () => {
    const J = new Softmax().gradient([[0.1, 0.7, -0.3], [5, 5, 5]]);
    expect(J).toHaveLength(2);
    const p = new Softmax().apply([[0.1, 0.7, -0.3]]).row(0);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(J[0].get(i, j)).toBeCloseTo(p[i] * ((i === j ? 1 : 0) - p[j]), 7);
    expect(J[1].get(0, 0)).toBeCloseTo(2 / 9, 7);
  });

  it('handles sizes that are not multiples of four and a single row', () => {
    for (const cols of [1, 2, 3, 5, 7, 9]) {
      const m = new Matrix(1, cols, Float32Array.from({ length: cols }, (_, i) => i - 2));
      const out = new Sigmoid().apply(m);
      expect(out.cols).toBe(cols);
      out.data.forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-(i - 2))), 6));
    }
  });

  it('has readable names and rejects bad input', () => {
    expect(String(new ReLU())).toBe('ReLU()');
    expect(() => new ReLU().apply([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => new ReLU().apply('x' as never)).toThrow(ValueError);
    expect(() => new ReLU().apply([[1, 'a' as never]])).toThrow(/x\[0\]\[1\] must be a number/);
  });
});
