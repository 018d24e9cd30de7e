import { beforeAll, describe, expect, it } from 'vitest';
import { init, CrossEntropyLoss, SquaredErrorLoss, ShapeError, ValueError, Matrix, Dataset } from '../../ts/index.js';

beforeAll(() => init());

const p = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
const y = [[1, 0, 0], [0, 0, 1]];
const W = [[0.5, -1], [2, 0]];

describe('losses', () => {
  it('cross-entropy is −(1/n) Σ y log p', () => {
    expect(new CrossEntropyLoss().compute(p, y)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8)) / 2, 6);
  });

  it('squared error is the mean over all elements', () => {
    const want = ((0.3 ** 2 + 0.2 ** 2 + 0.1 ** 2) + (0.1 ** 2 + 0.1 ** 2 + 0.2 ** 2)) / 6;
    expect(new SquaredErrorLoss().compute(p, y)).toBeCloseTo(want, 6);
  });

  it('adds L2 as (α/2) Σ W² and L1 as α Σ |W|, with their gradients', () => {
    const base = new CrossEntropyLoss().compute(p, y);
    const l2 = new CrossEntropyLoss({ alpha: 0.1, regularization: 'l2' });
    const l1 = new CrossEntropyLoss({ alpha: 0.1, regularization: 'l1' });
    expect(l2.compute(p, y, [W])).toBeCloseTo(base + 0.05 * (0.25 + 1 + 4), 6);
    expect(l1.compute(p, y, [W])).toBeCloseTo(base + 0.1 * 3.5, 6);
    expect(l2.gradient(p, y, [W]).weights[0].toArray().flat()).toEqual([0.05, -0.1, 0.2, 0].map((v) => Math.fround(v)));
    expect(l1.gradient(p, y, [W]).weights[0].toArray().flat()).toEqual([0.1, -0.1, 0.1, 0].map((v) => Math.fround(v)));
  });

  it('gradient with respect to the predictions', () => {
    const g = new SquaredErrorLoss().gradient(p, y).output;
    expect(g.get(0, 0)).toBeCloseTo((2 * (0.7 - 1)) / 6, 6);
    const c = new CrossEntropyLoss().gradient(p, y).output;
    expect(c.get(1, 2)).toBeCloseTo(-1 / 0.8 / 2, 5);
    expect(c.get(0, 1) === 0).toBe(true); // −0 is fine: −y/p·(1/n) with y = 0
  });

  it('stays finite for probabilities of exactly 0 and 1', () => {
    const ce = new CrossEntropyLoss();
    const value = ce.compute([[0, 1, 0]], [[1, 0, 0]]);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeCloseTo(-Math.log(1e-7), 3);
    expect(ce.gradient([[0, 1, 0]], [[1, 0, 0]]).output.data.every(Number.isFinite)).toBe(true);
  });

  it('describes itself like the report\'s __repr__', () => {
    expect(String(new CrossEntropyLoss())).toBe('CrossEntropyLoss(alpha=0, regularization=None)');
    expect(String(new SquaredErrorLoss({ alpha: 0.01, regularization: 'l2' }))).toBe('SquaredErrorLoss(alpha=0.01, regularization=l2)');
  });

  it('rejects bad options and inputs with named arguments', () => {
    expect(() => new CrossEntropyLoss({ alpha: -1 })).toThrow(/alpha must be a finite number >= 0, got -1/);
    expect(() => new CrossEntropyLoss({ regularization: 'l3' as never })).toThrow(ValueError);
    expect(() => new CrossEntropyLoss({ alfa: 1 } as never)).toThrow(/unknown option "alfa" \(did you mean "alpha"\?\)/);
    expect(() => new CrossEntropyLoss().compute([[0.5, 0.5]], [[1, 0, 0]])).toThrow(ShapeError);
    expect(() => new CrossEntropyLoss().compute([[0.5, 0.5]], [[2, -1]])).toThrow(/must hold probabilities/);
    expect(() => new CrossEntropyLoss().compute([[0.5, 0.5]], [[0.5, 0.2]])).toThrow(/sum to 1/);
    expect(() => new SquaredErrorLoss().compute([[NaN]], [[1]])).toThrow(/yPred must be finite, got NaN at row 0, column 0/);
  });

  it('names the first target that is not a probability, or the first row that does not sum to 1', () => {
    const ce = new CrossEntropyLoss();
    const p = [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]];
    expect(() => ce.compute(p, [[1, 0], [0, 1], [0, 1.5]])).toThrow(/yTrue must hold probabilities \(one-hot rows\) for cross-entropy, got 1\.5 at row 2, column 1/);
    expect(() => ce.compute(p, [[1, 0], [0.25, 0.25], [2, 0]])).toThrow(/each row of yTrue must sum to 1 .*, row 1 sums to 0\.5$/);
    expect(() => ce.compute(p, [[1, 0], [0.7, 0.3], [0.4, 0.6]])).not.toThrow();
    // within 1e-3 of 1 passes, beyond it does not
    expect(() => ce.compute([[0.5, 0.5]], [[0.4995, 0.5]])).not.toThrow();
    expect(() => ce.compute([[0.5, 0.5]], [[0.498, 0.5]])).toThrow(/row 0 sums to 0\.99799/); // the float32 targets, summed in float64
  });

  it('Dataset.fromMatrices names the first NaN or infinity of X or Y, checked in the engine', () => {
    const X = new Matrix(300, 4, new Float32Array(1200).fill(0.5));
    const Y = new Matrix(300, 2, new Float32Array(600).fill(0.5));
    X.data[1033] = NaN;
    expect(() => Dataset.fromMatrices(X, Y)).toThrow(/Dataset.fromMatrices: X must be finite, got NaN at row 258, column 1/);
    X.data[1033] = 0.5;
    Y.data[599] = -Infinity;
    expect(() => Dataset.fromMatrices(X, Y)).toThrow(/Y must be finite, got -Infinity at row 299, column 1/);
    Y.data[599] = 0.5;
    const ok = Dataset.fromMatrices(X, Y);
    expect(ok.n).toBe(300);
    ok.dispose();
  });

  it('a Dataset knows whether its targets are probability rows', () => {
    const X = new Matrix(3, 1, Float32Array.of(1, 2, 3));
    const oneHot = Dataset.fromMatrices(X, [[1, 0], [0, 1], [0.5, 0.5]]);
    const other = Dataset.fromMatrices(X, [[1, 0], [0, 1], [3, -2]]);
    expect([oneHot.probabilityTargets, other.probabilityTargets]).toEqual([true, false]);
    oneHot.dispose();
    other.dispose();
  });
});
