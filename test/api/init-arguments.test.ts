// init and initSync refuse what they cannot load with typed errors, on a fresh module each
// time (an initialised engine would return before looking at its arguments).

import { describe, expect, it, vi } from 'vitest';

async function fresh() {
  vi.resetModules();
  const m = await import('../../ts/index.js');
  expect(m.isInitialized()).toBe(false);
  return m;
}

describe('init arguments', () => {
  it('an unknown option, or more threads than the pool holds, is a ValueError', async () => {
    const m = await fresh();
    await expect(m.init({ thread: 2 } as never)).rejects.toThrow(/init: unknown option "thread" \(did you mean "threads"\?\)/);
    await expect(m.init({ threads: 100 })).rejects.toThrow(/init: threads must be an integer from 1 to 64, got 100/);
    expect(m.isInitialized()).toBe(false);
  });

  it('bytes that are not a module are a DataFormatError; a wrong type a ValueError', async () => {
    const m = await fresh();
    expect(() => m.initSync(new Uint8Array([1, 2, 3, 4]))).toThrow(m.DataFormatError);
    expect(() => m.initSync(null as never)).toThrow(/initSync: source must be the engine's bytes/);
    await expect(m.init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]))).rejects.toThrow(/init: the bytes are not a valid WebAssembly module/);
    await expect(m.init(42 as never)).rejects.toThrow(m.ValueError);
    expect(m.isInitialized()).toBe(false);
    await m.init({ threads: 1 });
    expect(m.isInitialized()).toBe(true);
  });
});
