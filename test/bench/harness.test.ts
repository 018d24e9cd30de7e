// The benchmark harness's arithmetic: the flop counts behind every GFLOP/s and ceiling share,
// the statistics, the number format, and the ceiling kernel itself (its result against a
// float32 reference, its bytes against ceiling.wat). Nothing here asserts a time.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getEngine } from '../../ts/wasm/load.js';
import { emitCeilingModule, flopsPerIteration } from '../../bench/ceiling/emit.js';
import { ceilingSampler } from '../../bench/ceiling/measure.js';
import { inferenceFlopsDone, inferenceFlopsPerSample, strassenMinHalf, trainFlopsPerSample } from '../../bench/ours.js';
import { median, summarize, toRate } from '../../bench/lib/stats.js';
import { formatNumber } from '../../bench/lib/table.js';
import { parseCpuTimes, stolenShare } from '../../bench/lib/host.js';

describe('flop counts', () => {
  it('inference counts one multiply and one add per weight', () => {
    expect(inferenceFlopsPerSample([784, 500, 250, 100, 10])).toBe(2 * (784 * 500 + 500 * 250 + 250 * 100 + 100 * 10));
    expect(inferenceFlopsPerSample([3, 2])).toBe(12);
  });
  it('training adds the weight gradient everywhere and the input gradient below the first layer', () => {
    // forward + weight gradient for layer 1; forward + weight gradient + dZ·Wᵀ above it
    expect(trainFlopsPerSample([784, 500, 250, 100, 10])).toBe(2 * (2 * 784 * 500 + 3 * (500 * 250 + 250 * 100 + 100 * 10)));
    expect(trainFlopsPerSample([3, 2])).toBe(2 * inferenceFlopsPerSample([3, 2]));
  });
});

describe('host contention', () => {
  const stat = (steal: number, idle: number) => `cpu  100 5 20 ${idle} 3 0 2 ${steal} 7 0\ncpu0 50 2 10 ${idle / 2} 1 0 1 ${steal / 2} 3 0\nintr 1 2 3\n`;
  it('reads the aggregate line of /proc/stat, leaving out guest time (already in user)', () => {
    expect(parseCpuTimes(stat(10, 800))).toEqual({ total: 100 + 5 + 20 + 800 + 3 + 0 + 2 + 10, steal: 10 });
    expect(parseCpuTimes('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    expect(parseCpuTimes('cpu  1 2 x 4 5 6 7 8\n')).toBeNull();
  });
  it('the stolen share is steal over all time between the readings', () => {
    expect(stolenShare(parseCpuTimes(stat(10, 800)), parseCpuTimes(stat(30, 980)))).toBeCloseTo(20 / 200);
    expect(stolenShare(null, parseCpuTimes(stat(30, 980)))).toBeNull();
    expect(stolenShare(parseCpuTimes(stat(10, 800)), parseCpuTimes(stat(10, 800)))).toBeNull();
  });
});

describe('statistics', () => {
  it('median of odd and even counts, and refuses none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
  it('toRate inverts seconds per call, the slowest call giving the lowest rate', () => {
    const rate = toRate(summarize([0.5, 0.25, 1]), 100);
    expect(rate).toEqual({ median: 200, min: 100, max: 400, n: 3 });
  });
  it('formats numbers as the tables show them', () => {
    expect(formatNumber(1234567.8)).toBe('1,234,568');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(0.01234)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
  });
});

describe('the SIMD128 ceiling kernel', () => {
  const run = (chains: number, n: number, m: number, k: number) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(emitCeilingModule(chains)));
    return (instance.exports.run as (n: number, m: number, k: number) => number)(n, m, k);
  };
  /** The same chains in float32 arithmetic: a ← a·m + k (no fused multiply-add), then the sum. */
  const reference = (chains: number, n: number, m: number, k: number) => {
    const f = Math.fround;
    const acc = Array.from({ length: chains }, (_, i) => i + 1);
    for (let step = 0; step < n; step++) for (let i = 0; i < chains; i++) acc[i] = f(f(acc[i] * f(m)) + f(k));
    return acc.reduce((s, a) => f(s + a));
  };

  it.each([1, 8, 12, 14])('%i chains compute exactly what float32 arithmetic gives', (chains) => {
    expect(run(chains, 1000, 0.999, 0.001)).toBe(reference(chains, 1000, 0.999, 0.001));
  });
  it('counts 8 flops per chain update (4 lanes, a multiply and an add)', () => {
    expect(flopsPerIteration(12)).toBe(96);
    expect(flopsPerIteration(12, 2)).toBe(192);
  });
  it('a ceiling sampler (sampled in every turn of the bench) returns a rate for its chain count', async () => {
    const sampler = await ceilingSampler(8, true);
    expect(sampler.chains).toBe(8);
    const gflops = await sampler.sample(0.001, 2);
    expect(Number.isFinite(gflops) && gflops > 0).toBe(true);
  });
  it('refuses chain counts it cannot encode', () => {
    expect(() => emitCeilingModule(0)).toThrow(RangeError);
    expect(() => emitCeilingModule(65)).toThrow(RangeError);
  });

  const hasWat2wasm = (() => {
    try {
      execFileSync('wat2wasm', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  // CI installs wabt, so there this always runs.
  it.skipIf(!hasWat2wasm)('is byte for byte the module ceiling.wat describes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ceiling-'));
    try {
      const out = path.join(dir, 'ceiling.wasm');
      execFileSync('wat2wasm', [path.join(__dirname, '../../bench/ceiling/ceiling.wat'), '-o', out]);
      expect(Buffer.from(emitCeilingModule(12, 1)).equals(readFileSync(out))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the flops inference does', () => {
  const plain = 2 * (784 * 500 + 500 * 250 + 250 * 100 + 100 * 10);
  afterEach(() => getEngine().exports.mlp_test_set_strassen(1));

  it('counts 7/8 of a layer run as Strassen half products, per evaluation chunk (as the engine runs them)', async () => {
    expect(inferenceFlopsPerSample()).toBe(plain);
    expect(await strassenMinHalf()).toBe(100);
    // chunks of 256, 256, 256, 232 rows: the two wide layers qualify in every chunk
    expect(await inferenceFlopsDone()).toBe((2 * (784 * 500 + 500 * 250) * 7) / 8 + 2 * (250 * 100 + 100 * 10));
    // 200 rows halve to 100: still; 198 rows halve below it; 201 rows are odd
    expect(await inferenceFlopsDone(undefined, 200)).toBe((2 * (784 * 500 + 500 * 250) * 7) / 8 + 2 * (250 * 100 + 100 * 10));
    expect(await inferenceFlopsDone(undefined, 198)).toBe(plain);
    expect(await inferenceFlopsDone(undefined, 201)).toBe(plain);
    // 456 rows: a chunk of 256 that qualifies, one of 200 that does too
    expect(await inferenceFlopsDone([784, 500, 10], 456)).toBe((2 * 784 * 500 * 7) / 8 + 2 * 500 * 10);
    // 300 rows: 256 qualify, the 44 after them do not
    expect(await inferenceFlopsDone([784, 500, 10], 300)).toBeCloseTo(((2 * 784 * 500 * 7) / 8) * (256 / 300) + 2 * 784 * 500 * (44 / 300) + 2 * 500 * 10, 6);
  });

  it('counts a plain product\'s flops with Strassen switched off', async () => {
    getEngine().exports.mlp_test_set_strassen(0);
    expect(await inferenceFlopsDone()).toBe(plain);
  });
});
