import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { init, Tanh } from '../../ts/index.js';

it('init accepts a compiled WebAssembly.Module', async () => {
  const module = new WebAssembly.Module(readFileSync(new URL('../../ts/wasm/mlp_engine.wasm', import.meta.url)));
  await init(module);
  expect(new Tanh().apply([[0.5]]).get(0, 0)).toBeCloseTo(Math.tanh(0.5), 6);
});

it('init accepts a Response', async () => {
  // Already initialised by the test above in this file's module: a no-op that must not throw.
  const response = new Response(readFileSync(new URL('../../ts/wasm/mlp_engine.wasm', import.meta.url)), { headers: { 'content-type': 'application/wasm' } });
  await expect(init(response)).resolves.toBeUndefined();
});
