// The TF.js peer's turn-by-turn protocol (bench/peers/tfjs.ts ↔ tfjs-child.ts): one timed repeat
// per request, a summary of exactly those repeats at the end. Rates are only checked to be
// real numbers: no test asserts a time.

import { describe, expect, it } from 'vitest';
import { startTfjs } from '../../bench/peers/tfjs.js';

describe('the TF.js child in turns', () => {
  it('times one repeat per request and summarises exactly those', async () => {
    const tfjs = await startTfjs({ backend: 'wasm', quick: true });
    const rates = [await tfjs.rate('step'), await tfjs.rate('infer'), await tfjs.rate('step'), await tfjs.rate('fit'), await tfjs.rate('inferCopy')];
    for (const r of rates) expect(Number.isFinite(r) && r > 0).toBe(true);
    const result = await tfjs.finish();
    expect(result.simd).toBe(true);
    expect(result.trainStep.n).toBe(2);
    expect(result.inference.n).toBe(1);
    expect(result.inference.median).toBeCloseTo(rates[1], 6);
    expect(result.inferenceCopied.n).toBe(1);
    expect(result.inferenceCopied.median).toBeCloseTo(rates[4], 6);
    const byValue = (a: number, b: number) => a - b;
    expect([result.trainStep.min, result.trainStep.max].sort(byValue)).toEqual([rates[0], rates[2]].sort(byValue));
    expect(result.trainFit.n).toBe(1);
    expect(result.setup.repeats).toBe(2);
  });

  it('rejects, naming the cause, when the child fails instead of leaving the caller waiting', async () => {
    const tfjs = await startTfjs({ backend: 'wasm', quick: true });
    await expect(tfjs.finish()).rejects.toThrow(/no repeat of 'step' was timed/);
  });
});
