// Loading the engine: errors before init, idempotent init, overrides.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { init, initSync, isInitialized, Sigmoid, NotInitializedError, FeedForwardNeuralNets } from '../../ts/index.js';

const wasmBytes = readFileSync(new URL('../../ts/wasm/mlp_engine.wasm', import.meta.url));

describe('init', () => {
  it('refuses to work before init and says to call init()', () => {
    expect(isInitialized()).toBe(false);
    expect(() => new Sigmoid().apply([[0]])).toThrow(NotInitializedError);
    expect(() => new Sigmoid().apply([[0]])).toThrow(/await init\(\)/);
    expect(() => new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [] })).toThrow(NotInitializedError);
  });

  it('rejects a module that is not the engine, and stays usable afterwards', async () => {
    // A module instance of its own, so this file's shared one stays uninitialised for the
    // other cases and this one really goes through a failed, then a successful, load.
    vi.resetModules();
    const m = await import('../../ts/index.js');
    expect(m.isInitialized()).toBe(false);
    // A minimal valid wasm module with no exports.
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(m.init(empty)).rejects.toThrow(/not the mlp-wasm engine/);
    expect(m.isInitialized()).toBe(false);
    // The failed load is forgotten: a new init() loads the engine instead of replaying the rejection.
    await m.init();
    expect(m.isInitialized()).toBe(true);
    expect(new m.Sigmoid().apply([[0]]).get(0, 0)).toBe(0.5);
    await m.shutdown(); // the default may have started workers
  });

  it('names the file when the wasm cannot be read', async () => {
    await expect(init(new URL('file:///nonexistent/mlp_engine.wasm'))).rejects.toThrow(/nonexistent\/mlp_engine\.wasm/);
  });

  it('initSync from bytes works, and a second init is a no-op', async () => {
    initSync(wasmBytes);
    expect(isInitialized()).toBe(true);
    const before = new Sigmoid().apply([[0, 2]]);
    await init(); // no-op
    initSync(new Uint8Array(8)); // no-op: already initialised, bytes never read
    expect(new Sigmoid().apply([[0, 2]]).data).toEqual(before.data);
    expect(before.get(0, 0)).toBeCloseTo(0.5, 7);
  });
});
