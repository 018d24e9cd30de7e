import { describe, expect, it } from 'vitest';
import { numpyMean, numpySum } from '../../ts/report/numpy-sum.js';
import { formatFixed, padLeft } from '../../ts/report/python-format.js';

describe('formatFixed (Python format(x, ".Nf"))', () => {
  it('rounds exact ties half to even, unlike toFixed', () => {
    expect((0.125).toFixed(2)).toBe('0.13'); // the JavaScript behaviour we must not copy
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(1.5, 0)).toBe('2');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(0.25, 1)).toBe('0.2');
    expect(formatFixed(-0.125, 2)).toBe('-0.12');
  });

  it('rounds non-ties to nearest (the binary value decides, as in Python)', () => {
    expect(formatFixed(0.615, 2)).toBe('0.61'); // 0.615 is stored as 0.61499999...
    expect(formatFixed(0.9166666666666666, 2)).toBe('0.92');
    expect(formatFixed(1 / 3, 14)).toBe('0.33333333333333');
    expect(formatFixed(1, 2)).toBe('1.00');
  });
});

describe('padLeft', () => {
  it('pads by code points like Python', () => {
    expect(padLeft('ab', 5)).toBe('   ab');
    expect(padLeft('😀', 3)).toBe('  😀');
    expect(padLeft('toolong', 3)).toBe('toolong');
  });
});

describe('numpySum', () => {
  it('sums in numpy pairwise order (differs from a left-to-right sum)', () => {
    const values = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16, 1];
    let naive = 0;
    for (const v of values) naive += v;
    // numpy: 8 partial sums, combined pairwise, then the rest; checked against numpy 1.24.
    expect(numpySum(values)).toBe(7);
    expect(naive).not.toBe(numpySum(values));
    expect(numpyMean([1, 2, 3, 4])).toBe(2.5);
  });
});
