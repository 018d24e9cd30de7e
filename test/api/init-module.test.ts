import { readFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';

const wasm = readFileSync(new URL('../../ts/wasm/mlp_engine.wasm', import.meta.url));

// A module instance of its own per case: the engine is a module-level singleton, and once it
// is loaded init() returns before looking at its argument, so a shared one would prove nothing.
async function fresh() {
  vi.resetModules();
  const m = await import('../../ts/index.js');
  expect(m.isInitialized()).toBe(false);
  return m;
}

afterEach(() => {
  vi.restoreAllMocks();
});

it('init accepts a compiled WebAssembly.Module', async () => {
  const m = await fresh();
  await m.init(new WebAssembly.Module(wasm));
  expect(m.isInitialized()).toBe(true);
  expect(new m.Tanh().apply([[0.5]]).get(0, 0)).toBeCloseTo(Math.tanh(0.5), 6);
});

it('init accepts a Response served as application/wasm (compiled streaming)', async () => {
  const m = await fresh();
  const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
  const response = new Response(wasm, { headers: { 'content-type': 'application/wasm' } });
  await m.init(response);
  expect(streaming).toHaveBeenCalledWith(response);
  expect(response.bodyUsed).toBe(true);
  expect(m.isInitialized()).toBe(true);
  expect(new m.Tanh().apply([[0.5]]).get(0, 0)).toBeCloseTo(Math.tanh(0.5), 6);
});

it('init accepts a Response with another content type (compiled from its bytes)', async () => {
  // compileStreaming rejects anything but application/wasm: the fallback must not use it.
  const m = await fresh();
  const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
  const response = new Response(wasm, { headers: { 'content-type': 'application/octet-stream' } });
  await m.init(Promise.resolve(response));
  expect(streaming).not.toHaveBeenCalled();
  expect(response.bodyUsed).toBe(true);
  expect(m.isInitialized()).toBe(true);
  expect(new m.Tanh().apply([[0.5]]).get(0, 0)).toBeCloseTo(Math.tanh(0.5), 6);
});
