// init and initSync refuse what they cannot load with typed errors, on a fresh module each
// time (an initialised engine would return before looking at its arguments).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

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

describe('init from a URL that does not serve the engine', () => {
  // /missing answers 404, /page answers an HTML page with 200 (a dev server's fallback).
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/page.wasm') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>app</p>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('an HTTP error or an unreachable host is an EngineLoadError naming the URL and the file', async () => {
    const m = await fresh();
    await expect(m.init(`${base}/engine/mlp_engine_threads.wasm`)).rejects.toThrow(m.EngineLoadError);
    await expect(m.init(`${base}/engine/mlp_engine_threads.wasm`)).rejects.toThrow(/answered HTTP 404; serve mlp_engine_threads\.wasm there/);
    await expect(m.init('http://127.0.0.1:1/mlp_engine.wasm')).rejects.toThrow(/fetching the engine from http:\/\/127\.0\.0\.1:1\/mlp_engine\.wasm failed/);
  });

  it('an HTML page where the .wasm should be is a DataFormatError that says so', async () => {
    const m = await fresh();
    await expect(m.init(`${base}/page.wasm`)).rejects.toThrow(m.DataFormatError);
    await expect(m.init(`${base}/page.wasm`)).rejects.toThrow(/\/page\.wasm \(content-type text\/html\) is not a WebAssembly module \(an HTML page: the server has no file there/);
    expect(m.isInitialized()).toBe(false);
  });
});
