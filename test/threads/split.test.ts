// The split of a product's units over threads (parallel.rs `Split`): each thread owns a
// contiguous home range and steals from the back of the others' once its own is done. Run
// here by one thread alone, which must then steal everything else.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';

beforeAll(() => init());

function runAlone(total: number, threads: number, t: number): number[] {
  const engine = getEngine();
  return engine.scoped((s) => {
    const out = s.allocOf(Uint32Array, Math.max(total, 1));
    engine.check(engine.exports.mlp_test_split(total, threads, t, out), 'split');
    return Array.from(engine.view(Uint32Array, out, total));
  });
}

describe('home ranges with stealing', () => {
  it('runs its own range front to back, then the others from the back, each item once', () => {
    // 10 items over 3 threads: homes [0,3) [3,6) [6,10); thread 1 alone
    expect(runAlone(10, 3, 1)).toEqual([3, 4, 5, 9, 8, 7, 6, 2, 1, 0]);
  });

  for (const [total, threads] of [[0, 1], [1, 2], [5, 8], [63, 2], [252, 2], [1000, 64]] as const) {
    it(`${total} items over ${threads} threads: every item exactly once from any thread`, () => {
      for (const t of [0, threads - 1]) {
        const order = runAlone(total, threads, t);
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
        const home = [Math.floor((t * total) / threads), Math.floor(((t + 1) * total) / threads)];
        expect(order.slice(0, home[1] - home[0])).toEqual(Array.from({ length: home[1] - home[0] }, (_, i) => home[0] + i));
      }
    });
  }

  it('refuses a bad thread index or count with an error, not a trap', () => {
    expect(() => runAlone(4, 2, 2)).toThrow(/bad split: 2 threads, thread 2/);
    expect(() => runAlone(4, 0, 0)).toThrow(/bad split/);
    expect(() => runAlone(4, 65, 0)).toThrow(/bad split/);
  });
});
