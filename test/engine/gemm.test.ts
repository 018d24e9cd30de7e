import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../ts/index.js';
import { blocking, gemm, packedALength, layerLayouts, randomArray, rng, worstRatio } from '../helpers/engine.js';

beforeAll(() => init());

// Shapes around the 4x8 tile, the 800-deep K block and the 256-row row block, including 1s
// and primes.
const dims = [1, 3, 5, 6, 7, 8, 9, 13, 17];
const shapes: [number, number, number][] = [];
for (const m of dims) for (const n of dims) shapes.push([m, n, (m * 7 + n * 3) % 19 + 1]);
shapes.push([64, 500, 784], [64, 10, 100], [33, 257, 300], [7, 9, 801], [13, 20, 1601], [541, 19, 801], [300, 8, 40], [2, 3, 0]);

it('the shapes cross every blocking boundary of the engine', () => {
  const b = blocking();
  const crosses = (dim: number, block: number) => shapes.some((s) => s[dim] > 2 * block && s[dim] % block !== 0);
  expect(crosses(0, b.mr) && crosses(1, b.nr) && crosses(2, b.kc) && crosses(0, b.mcRows)).toBe(true);
  // one product across row blocks and K blocks at once
  expect(shapes.some(([m, , k]) => m > 2 * b.mcRows && m % b.mr !== 0 && k > b.kc)).toBe(true);
  // a large A (B packed once and shared) and a small one (B packed panel by panel), over
  // row blocks
  expect(shapes.some(([m, , k]) => m > b.mcRows && packedALength(m, k, b) > b.privateA)).toBe(true);
  expect(shapes.some(([m, , k]) => m > b.mcRows && packedALength(m, k, b) <= b.privateA)).toBe(true);
});

describe('SIMD GEMM against the scalar reference', () => {
  const next = rng(42);
  for (const [m, n, k] of shapes) {
    it(`${m}x${k} · ${k}x${n} in all three layouts`, () => {
      const A = randomArray(m * k, next);
      const B = randomArray(k * n, next);
      for (const { a, b } of layerLayouts(A, B, m, n, k)) {
        const fast = gemm(m, n, k, a, b, false);
        const ref = gemm(m, n, k, a, b, true);
        expect(worstRatio(fast, ref, 1e-5 * Math.sqrt(k + 1), 1e-5)).toBeLessThanOrEqual(1);
        if (k === 0) expect(Array.from(fast).every((v) => v === 0)).toBe(true);
      }
    });
  }
});
