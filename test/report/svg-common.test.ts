import { describe, expect, it } from 'vitest';
import { escapeXml, formatTick, niceTicks } from '../../ts/report/svg/common.js';

describe('niceTicks', () => {
  it('picks 1-2-5 steps and widens the domain to whole steps', () => {
    expect(niceTicks(0.05, 2.3)).toEqual({ min: 0, max: 2.5, step: 0.5, values: [0, 0.5, 1, 1.5, 2, 2.5] });
    expect(niceTicks(1, 60, 6)).toMatchObject({ min: 0, max: 60, step: 10 });
    expect(niceTicks(0, 484, 5)).toMatchObject({ step: 100, max: 500 });
    expect(niceTicks(0.9712, 0.9821, 4).step).toBe(0.002);
  });

  it('produces exact decimal tick values (no 0.30000000000000004)', () => {
    const t = niceTicks(0, 1, 10);
    expect(t.values).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });

  it('always covers the range with a 1, 2 or 5 mantissa', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 500; k++) {
      const a = (rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6);
      const b = a + rand() * 10 ** Math.floor(rand() * 12 - 6);
      const target = 2 + Math.floor(rand() * 8);
      const t = niceTicks(a, b, target);
      expect(t.min).toBeLessThanOrEqual(a);
      expect(t.max).toBeGreaterThanOrEqual(b);
      const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-9);
      expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
      expect(t.values.length).toBeGreaterThanOrEqual(2);
      expect(t.values.length).toBeLessThanOrEqual(3 * target + 2);
    }
  });

  it('widens a single value and survives non-finite input', () => {
    const t = niceTicks(0.5, 0.5);
    expect(t.min).toBeLessThan(0.5);
    expect(t.max).toBeGreaterThan(0.5);
    expect(niceTicks(NaN, Infinity).values.every(Number.isFinite)).toBe(true);
  });
});

describe('formatTick', () => {
  it('uses just enough decimals for the step', () => {
    expect(formatTick(1.5, 0.5)).toBe('1.5');
    expect(formatTick(2, 0.5)).toBe('2.0');
    expect(formatTick(2000, 1000)).toBe('2000');
    expect(formatTick(0.002, 0.002)).toBe('0.002');
    expect(formatTick(0, 0.1)).toBe('0');
    expect(formatTick(3e7, 1e7)).toBe('3e+7');
  });

  it('gives exponent labels enough digits to tell neighbouring ticks apart', () => {
    expect(formatTick(1e7 + 0.1, 0.1)).toBe('1.00000001e+7');
    expect(formatTick(1.05e16, 5e14)).toBe('1.05e+16');
    expect(formatTick(1.2e-5, 2e-6)).toBe('1.2e-5');
    expect(formatTick(1.00002e6, 20)).toBe('1.00002e+6');
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and drops control characters', () => {
    expect(escapeXml('a<b & "c" \'d\'>\u0001')).toBe('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  });
});
