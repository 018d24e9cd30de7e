// Inputs that used to abort the whole process: a chart whose range is a few ULPs wide (the
// tick loop never ended and V8 died with "invalid size"), and a confusion matrix of 1e5
// labels (1e10 cells, heap OOM). Each runs in a child process with a time and heap limit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatTick, type Ticks } from '../../ts/report/svg/common.js';
import { expectCleanSvg } from './svg-check.js';
import { textContents } from './xml-check.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./crash-cases.child.ts', import.meta.url));

function runChild(name: string, input?: unknown): unknown {
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', '--import', 'tsx', CHILD, name], {
    cwd: ROOT,
    encoding: 'utf8',
    input: input === undefined ? '' : JSON.stringify(input),
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect({ timedOut: r.error !== undefined, status: r.status, signal: r.signal }, r.stderr.slice(-2000)).toEqual({
    timedOut: false,
    status: 0,
    signal: null,
  });
  return JSON.parse(r.stdout);
}

describe('charts of a range only a few ULPs wide', () => {
  it('lineChartSvg draws y = [0.1 + 0.2, 0.3] around 0.3 with distinct ticks', () => {
    const svg = runChild('line-ulp') as string;
    const doc = expectCleanSvg(svg);
    const yTicks = textContents(doc).filter((t) => t.startsWith('0.'));
    expect(yTicks).toContain('0.30');
    expect(new Set(yTicks).size).toBe(yTicks.length);
    expect(yTicks.length).toBeGreaterThanOrEqual(3);
    expect(yTicks.length).toBeLessThanOrEqual(20);
    // the two points are the same value to the eye: both dots on one height (the legend's
    // dot sits in a group without a fill)
    const dots = doc.elements.filter((e) => e.name === 'circle' && e.parent?.attrs.fill !== undefined);
    expect(dots).toHaveLength(2);
    expect(dots[0]!.attrs.cy).toBe(dots[1]!.attrs.cy);
  });

  it('lineChartSvg draws x = [1e16, 1e16 + 2] with distinct tick labels', () => {
    const doc = expectCleanSvg(runChild('line-1e16') as string);
    const xTicks = textContents(doc).filter((t) => t.includes('e+'));
    expect(xTicks).toContain('1e+16');
    expect(new Set(xTicks).size).toBe(xTicks.length);
    expect(xTicks.length).toBeLessThanOrEqual(20);
  });

  it('barChartSvg draws bars 0.1 + 0.2 and 0.3 with yMin 0.3 as two equal bars', () => {
    const doc = expectCleanSvg(runChild('bar-ulp') as string);
    const bars = doc.elements.filter((e) => e.name === 'rect' && e.attrs.rx === '2');
    expect(bars).toHaveLength(2);
    expect(bars[0]!.attrs.height).toBe(bars[1]!.attrs.height);
    expect(Number(bars[0]!.attrs.height)).toBeGreaterThan(0);
    expect(textContents(doc).filter((t) => t === '0.3')).toHaveLength(2);
  });
});

describe('niceTicks on degenerate and extreme ranges', () => {
  const max = Number.MAX_VALUE;
  const fixed: [number, number, number][] = [
    [0.1 + 0.2, 0.3, 5],
    [0.3, 0.1 + 0.2, 5],
    [1e16, 1e16 + 2, 5],
    [-1e16 - 2, -1e16, 5],
    [1, 1 + 2 ** -52, 5],
    [1e7, 1e7 + 0.5, 5],
    [0, 5e-324, 5],
    [5e-324, 1e-323, 5],
    [1e-250, 3e-250, 5],
    [-max, max, 1],
    [-max, max, 5],
    [1e308, max, 5],
    [0, 1, 1e9],
    [0, 1, 0],
    [0, 1, -3],
  ];
  // random pairs from 1 ULP to a few orders of magnitude apart, at every scale
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const fuzz: [number, number, number][] = Array.from({ length: 5000 }, () => {
    const a = (rand() - 0.5) * 10 ** Math.floor(rand() * 600 - 300);
    const ulps = Math.floor(rand() * 8);
    const b = rand() < 0.5 ? a + Math.abs(a) * ulps * 2 ** -52 : a + Math.abs(a) * 10 ** -Math.floor(rand() * 16);
    return [a, b, 2 + Math.floor(rand() * 10)];
  });

  it('returns a few finite, increasing ticks covering the range, with distinct labels', () => {
    const cases = [...fixed, ...fuzz];
    const results = runChild('ticks', cases) as Ticks[];
    expect(results).toHaveLength(cases.length);
    const problems: string[] = [];
    results.forEach((t, i) => {
      const [a, b, target] = cases[i]!;
      const [lo, hi] = [Math.max(-1e300, Math.min(a, b)), Math.min(1e300, Math.max(a, b))];
      const labels = t.values.map((v) => formatTick(v, t.step));
      const intervals = Math.min(1000, Math.max(1, target));
      const ok =
        t.values.length >= 2 &&
        t.values.length <= 3 * intervals + 2 &&
        t.values.every((v, k) => Number.isFinite(v) && (k === 0 || v > t.values[k - 1]!)) &&
        t.min <= lo &&
        t.max >= hi &&
        Number.isFinite(t.max - t.min) &&
        new Set(labels).size === labels.length;
      if (!ok) problems.push(`niceTicks(${a}, ${b}, ${target}) = ${JSON.stringify(t)} labels ${labels.join(' ')}`);
    });
    expect(problems.slice(0, 5)).toEqual([]);
  });
});

describe('confusionMatrix of 1e5 distinct labels', () => {
  it('throws a ValueError naming yTrue and yPred instead of allocating 1e10 cells', () => {
    expect(runChild('confusion-1e5')).toEqual({
      error: 'ValueError',
      message: expect.stringMatching(/^confusionMatrix: arguments yTrue and yPred must hold at most 1000 distinct labels .*got 100000/),
    });
  });
});
