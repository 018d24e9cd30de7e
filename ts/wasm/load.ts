// Finding, compiling and instantiating the engine in Node, browsers and bundlers.
// `init()` once, then the whole API is synchronous.

import { NotInitializedError, ValueError, describe } from '../api/errors.js';
import { Engine } from './engine.js';
import { ABI_VERSION, type EngineExports } from './exports.js';

/** Where the .wasm comes from when the default location does not suit. */
export type WasmSource = URL | string | Response | Promise<Response> | BufferSource | WebAssembly.Module;

let engine: Engine | null = null;
let pending: Promise<void> | null = null;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** The engine, or an error telling the caller to initialise first. */
export function getEngine(where = 'mlp-wasm'): Engine {
  if (!engine) {
    throw new NotInitializedError(`${where}: the WebAssembly engine is not loaded yet: call \`await init()\` (or \`initSync(bytes)\`) first`);
  }
  return engine;
}

export function isInitialized(): boolean {
  return engine !== null;
}

/**
 * Loads the engine. With no argument it finds `mlp_engine.wasm` beside this module (read
 * from disk in Node, fetched in browsers); pass bytes, a URL, a `Response` or a compiled
 * `WebAssembly.Module` to load it from elsewhere. Calling it again is a no-op.
 */
export function init(source?: WasmSource): Promise<void> {
  if (engine) return Promise.resolve();
  pending ??= load(source).catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}

/** Synchronous initialisation from the module's bytes (or a compiled module), for scripts. */
export function initSync(source: BufferSource | WebAssembly.Module): void {
  if (engine) return;
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  adopt(new WebAssembly.Instance(module, {}));
}

function defaultUrl(): URL {
  return new URL('./mlp_engine.wasm', import.meta.url);
}

async function load(source: WasmSource | undefined): Promise<void> {
  if (source instanceof WebAssembly.Module) {
    adopt(await WebAssembly.instantiate(source, {}));
    return;
  }
  if (source === undefined) source = defaultUrl();
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(source.toString(), typeof location !== 'undefined' ? location.href : undefined);
    source = url.protocol === 'file:' && isNode ? await readFileBytes(url) : await fetchWasm(url);
  }
  const result = source instanceof Response || isPromise(source)
    ? await instantiateResponse(await source)
    : await WebAssembly.instantiate(source as BufferSource, {});
  adopt(result.instance);
}

function isPromise(x: unknown): x is Promise<Response> {
  return typeof (x as Promise<Response>)?.then === 'function';
}

async function readFileBytes(url: URL): Promise<Uint8Array> {
  // A computed specifier keeps bundlers from pulling node:fs into browser builds.
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  try {
    return await fs.readFile(url);
  } catch (e) {
    throw new ValueError(`init: could not read the engine at ${url.pathname} (${(e as Error).message}); pass the .wasm bytes or its URL to init()`);
  }
}

async function fetchWasm(url: URL): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ValueError(`init: fetching the engine from ${url} failed (${(e as Error).message}); serve mlp_engine.wasm there or pass its URL, bytes or a WebAssembly.Module to init()`);
  }
  if (!response.ok) {
    throw new ValueError(`init: fetching the engine from ${url} answered HTTP ${response.status}; serve mlp_engine.wasm there or pass its URL, bytes or a WebAssembly.Module to init()`);
  }
  return response;
}

async function instantiateResponse(response: Response): Promise<WebAssembly.WebAssemblyInstantiatedSource> {
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/wasm') && typeof WebAssembly.instantiateStreaming === 'function') {
    return WebAssembly.instantiateStreaming(response, {});
  }
  return WebAssembly.instantiate(await response.arrayBuffer(), {});
}

function adopt(instance: WebAssembly.Instance): void {
  const exports = instance.exports as unknown as EngineExports;
  if (typeof exports.mlp_abi_version !== 'function') {
    throw new ValueError(`init: the given module is not the mlp-wasm engine (it has no mlp_abi_version export; got ${describe(exports)})`);
  }
  const version = exports.mlp_abi_version();
  if (version !== ABI_VERSION) {
    throw new ValueError(`init: the engine's ABI version is ${version} but this package expects ${ABI_VERSION}; rebuild with npm run build:wasm`);
  }
  engine = new Engine(exports);
}
