// Fuzzes the IDX decoder (gunzip + parseIdx + checkPair) with thousands of damaged variants of
// the tiny files in test/fixtures/idx/. Replay or widen a run with
//   IDX_FUZZ_SEED=123 IDX_FUZZ_CASES=100000 npx vitest run test/fuzz

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../ts/api/errors.js';
import { gunzipWithStream, isGzip } from '../../ts/data/gunzip.js';
import { decodeIdxFile, parseIdx } from '../../ts/data/idx.js';
import { loadSeedCorpus, makeCase, oracle, runIdxFuzz } from './idx-fuzz-driver.js';

const SEED = Number(process.env.IDX_FUZZ_SEED ?? 0x1d7c0de);
const CASES = Number(process.env.IDX_FUZZ_CASES ?? 3000);
const corpus = loadSeedCorpus(fileURLToPath(new URL('../fixtures/idx/', import.meta.url)));

describe('IDX decoder fuzzing', () => {
  it('has a seed corpus of valid files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(5);
    for (const file of corpus) expect(oracle(file.bytes), file.name).not.toBeNull();
  });

  it('makes the same cases for the same seed', () => {
    const a = makeCase(SEED, 17, corpus);
    const b = makeCase(SEED, 17, corpus);
    expect(a.mutations).toEqual(b.mutations);
    expect(Array.from(a.bytes)).toEqual(Array.from(b.bytes));
  });

  it(`every one of ${CASES} mutated files (seed ${SEED}) parses correctly or throws DataFormatError`, async () => {
    const report = await runIdxFuzz({ seed: SEED, cases: CASES, corpus });
    const summary = `${report.parsed} parsed, ${report.rejected} rejected in ${report.elapsedMs.toFixed(0)} ms; ` +
      `max RSS growth ${(report.maxRssGrowth / 2 ** 20).toFixed(1)} MiB; mutations ${JSON.stringify(report.mutationCounts)}`;
    console.log(`idx fuzz: ${summary}`);
    expect(report.failures.slice(0, 5), summary).toEqual([]);
    expect(report.parsed + report.rejected).toBe(CASES);
    // Both outcomes and every kind of damage must actually occur, or the fuzzer tests little.
    expect(report.parsed).toBeGreaterThan(CASES * 0.05);
    expect(report.rejected).toBeGreaterThan(CASES * 0.5);
    for (const name of ['flipBits', 'setByte', 'truncate', 'extend', 'editHeader', 'splice', 'gzip', 'gzip-truncate', 'gzip-flipBits']) {
      expect(report.mutationCounts[name] ?? 0, name).toBeGreaterThan(0);
    }
    // Nothing may allocate from a declared size: a few thousand tiny files stay tiny.
    expect(report.maxRssGrowth).toBeLessThan(256 * 2 ** 20);
  });

  it('also holds on the browser gzip path (DecompressionStream)', async () => {
    const decode = async (bytes: Uint8Array, name: string) => parseIdx(isGzip(bytes) ? await gunzipWithStream(bytes, name) : bytes, name);
    const report = await runIdxFuzz({ seed: SEED + 1, cases: Math.ceil(CASES / 3), corpus, decode });
    expect(report.failures.slice(0, 5)).toEqual([]);
  });

  // The driver itself must catch broken decoders, or a green run would mean nothing.
  it('reports a decoder that throws something other than DataFormatError', async () => {
    const decode = async (bytes: Uint8Array, name: string) => {
      try {
        return await decodeIdxFile(bytes, name);
      } catch {
        throw new RangeError('offset out of bounds');
      }
    };
    const report = await runIdxFuzz({ seed: SEED, cases: 200, corpus, decode });
    expect(report.failures.length).toBe(report.failures.filter((f) => f.problem.includes('RangeError')).length);
    expect(report.failures.length).toBeGreaterThan(100);
  });

  it('reports a decoder that accepts trailing bytes', async () => {
    const decode = async (bytes: Uint8Array, name: string) => {
      try {
        return await decodeIdxFile(bytes, name);
      } catch (error) {
        if (!(error instanceof DataFormatError) || !error.message.includes('extra bytes')) throw error;
        return { kind: 'labels' as const, count: 0, labels: new Uint8Array(0) };
      }
    };
    const report = await runIdxFuzz({ seed: SEED, cases: 500, corpus, decode });
    expect(report.failures.some((f) => f.problem.includes('not a valid IDX file') || f.problem.includes('expected'))).toBe(true);
  });
});
