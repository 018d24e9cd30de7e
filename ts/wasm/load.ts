// Finding, compiling and instantiating the engine in Node, browsers and bundlers.
// `init()` once, then the whole API is synchronous.
//
// Two builds sit side by side: mlp_engine.wasm (one thread, its own memory; runs anywhere)
// and mlp_engine_threads.wasm (imports a shared memory that worker instances share; see
// threads.ts). `init({ threads })` picks one: with more than one thread it loads the threads
// build and starts threads − 1 workers. The default is every core in Node, and in browsers
// every core when the page is crossOriginIsolated (shared memory needs it), else one thread
// with a one-line warning. `initSync` always runs on one thread. Each network can use fewer
// threads than the engine has (the `threads` option of FeedForwardNeuralNets).

import { DataFormatError, EngineLoadError, NotInitializedError, ValueError, describe } from '../api/errors.js';
import { checkOptions } from '../api/validate.js';
import { Engine } from './engine.js';
import { ABI_VERSION, type EngineExports } from './exports.js';
import { ThreadPool } from './threads.js';

/** Where the .wasm comes from when the default location does not suit. */
export type WasmSource = URL | string | Response | Promise<Response> | BufferSource | WebAssembly.Module;

export interface InitOptions {
  /**
   * Threads for training and inference, the calling thread included (a positive integer).
   * Default: every core in Node (`os.availableParallelism()`); in browsers every core
   * (`navigator.hardwareConcurrency`) when `crossOriginIsolated`, else 1. More than one
   * loads `mlp_engine_threads.wasm` (from beside this module unless `source` is given) and
   * starts that many − 1 workers, which sleep when idle, never keep Node from exiting, and
   * end with `shutdown()`. Results do not depend on the thread count.
   */
  threads?: number;
}

/** The engine's pool holds at most this many threads (`MAX_THREADS` in parallel.rs). */
export const MAX_THREADS = 64;

let engine: Engine | null = null;
let pending: Promise<void> | null = null;
let pool: ThreadPool | null = null;

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
 * Loads the engine. With no argument it finds `mlp_engine.wasm` (or, with more than one
 * thread, `mlp_engine_threads.wasm`) beside this module (read from disk in Node, fetched in
 * browsers); pass bytes, a URL, a `Response` or a compiled `WebAssembly.Module` to load it
 * from elsewhere (a single-thread build then runs on one thread whatever `threads` says).
 * `init({ threads })` or `init(source, { threads })` sets the thread count (see
 * `InitOptions`). Calling it again is a no-op.
 */
export function init(source?: WasmSource | InitOptions, options?: InitOptions): Promise<void> {
  if (engine) return Promise.resolve();
  if (isOptions(source)) {
    options = source;
    source = undefined;
  }
  try {
    checkOptions(options, ['threads'], 'init');
  } catch (e) {
    return Promise.reject(e);
  }
  pending ??= load(source, options ?? {}).catch((e) => {
    pending = null;
    throw e;
  });
  return pending;
}

/** Synchronous initialisation from the module's bytes (or a compiled module), for scripts. One thread. */
export function initSync(source: BufferSource | WebAssembly.Module): void {
  if (engine) return;
  if (!(source instanceof WebAssembly.Module) && !(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
    throw new ValueError(`initSync: source must be the engine's bytes (ArrayBuffer or typed array) or a WebAssembly.Module, got ${describe(source)}`);
  }
  const module = source instanceof WebAssembly.Module ? source : notAModule(() => new WebAssembly.Module(source), 'initSync');
  const memory = importsMemory(module) ? sharedMemory() : undefined;
  adopt(new WebAssembly.Instance(module, imports(memory)), memory);
}

/** Threads the engine has (the calling thread included): 1 before init and after `shutdown()`. */
export function threadCount(): number {
  return engine ? engine.exports.mlp_pool_size() : 1;
}

/**
 * Ends the engine's worker threads; the engine stays usable on one thread (networks keep
 * working). Node never waits for idle workers anyway: call this to free them early.
 */
export async function shutdown(): Promise<void> {
  await pending?.catch(() => undefined);
  const p = pool;
  pool = null;
  await p?.shutdown();
}

function isOptions(x: unknown): x is InitOptions {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

function defaultUrl(threads: boolean): URL {
  return threads ? new URL('./mlp_engine_threads.wasm', import.meta.url) : new URL('./mlp_engine.wasm', import.meta.url);
}

async function load(source: WasmSource | undefined, options: InitOptions): Promise<void> {
  const threads = await resolveThreads(options.threads);
  let module: WebAssembly.Module;
  if (source === undefined && threads > 1) {
    try {
      module = await compile(defaultUrl(true));
    } catch (e) {
      console.warn(`mlp-wasm: could not load the threads build (${(e as Error).message}); running on one thread`);
      module = await compile(defaultUrl(false));
    }
  } else {
    module = await compile(source ?? defaultUrl(false));
  }
  const memory = importsMemory(module) ? sharedMemory() : undefined;
  adopt(await WebAssembly.instantiate(module, imports(memory)), memory);
  if (memory && threads > 1) {
    try {
      pool = await ThreadPool.start((engine as Engine).exports, module, memory, threads - 1);
    } catch (e) {
      console.warn(`mlp-wasm: the worker threads did not start (${(e as Error).message}); running on one thread`);
    }
  }
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  try {
    return await compileSource(source);
  } catch (e) {
    throw compileError(e, 'init');
  }
}

async function compileSource(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(source.toString(), typeof location !== 'undefined' ? location.href : undefined);
    source = url.protocol === 'file:' && isNode ? await readFileBytes(url) : await fetchWasm(url);
  }
  if (source instanceof Response || isPromise(source)) return compileResponse(await source);
  if (!(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
    throw new ValueError(`init: source must be a URL, bytes, a Response or a WebAssembly.Module, got ${describe(source)}`);
  }
  return WebAssembly.compile(source as BufferSource);
}

/** Runs `f`, reporting a CompileError as bytes that are not the engine. */
function notAModule<T>(f: () => T, where: string): T {
  try {
    return f();
  } catch (e) {
    throw compileError(e, where);
  }
}

function compileError(e: unknown, where: string): unknown {
  return e instanceof WebAssembly.CompileError ? new DataFormatError(`${where}: the bytes are not a valid WebAssembly module (${e.message})`) : e;
}

/** The thread count to use: validated, defaulted, and 1 where shared memory is unavailable. */
async function resolveThreads(requested: number | undefined): Promise<number> {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS)) {
    throw new ValueError(`init: threads must be an integer from 1 to ${MAX_THREADS}, got ${describe(requested)}`);
  }
  if (isNode) {
    if (requested !== undefined) return requested;
    const osName = 'node:os';
    const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
    return Math.min(MAX_THREADS, Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length));
  }
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined';
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 1;
  const wanted = requested ?? Math.min(MAX_THREADS, cores);
  if (wanted > 1 && !isolated) {
    console.warn('mlp-wasm: running on one thread because the page is not crossOriginIsolated (serve it with the COOP/COEP headers to use every core)');
    return 1;
  }
  return wanted;
}

function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** The shared memory of the threads build: 4 MiB to start, up to 4 GiB (1 GiB if the platform refuses). */
function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
  }
}

let mainMayWait = true;

/** The threads build's imports: its memory, and Atomics.wait/notify on it (see parallel.rs). */
export function imports(memory: WebAssembly.Memory | undefined): WebAssembly.Imports {
  if (!memory) return {};
  const cells = new Int32Array(memory.buffer); // the pool's words sit in static data, below the initial size
  return {
    env: {
      memory,
      // The main thread waits only while joining workers, and only where it may block (Node,
      // or a Web Worker); a browser's main thread throws, and then keeps spinning instead.
      mlp_wait: (addr: number, expected: number) => {
        if (!mainMayWait) return;
        try {
          Atomics.wait(cells, addr >>> 2, expected | 0);
        } catch {
          mainMayWait = false;
        }
      },
      mlp_notify: (addr: number) => void Atomics.notify(cells, addr >>> 2),
    },
  };
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
    throw new EngineLoadError(`init: could not read the engine at ${url.pathname} (${(e as Error).message}); pass the .wasm bytes or its URL to init()`);
  }
}

async function fetchWasm(url: URL): Promise<Response> {
  let response: Response;
  const file = url.pathname.split('/').pop() || 'the .wasm file';
  try {
    response = await fetch(url);
  } catch (e) {
    throw new EngineLoadError(`init: fetching the engine from ${url} failed (${(e as Error).message}); serve ${file} there or pass its URL, bytes or a WebAssembly.Module to init()`);
  }
  if (!response.ok) {
    throw new EngineLoadError(`init: fetching the engine from ${url} answered HTTP ${response.status}; serve ${file} there or pass its URL, bytes or a WebAssembly.Module to init()`);
  }
  return response;
}

async function compileResponse(response: Response): Promise<WebAssembly.Module> {
  const type = response.headers.get('content-type') ?? '';
  try {
    if (type.startsWith('application/wasm') && typeof WebAssembly.compileStreaming === 'function') {
      return await WebAssembly.compileStreaming(response);
    }
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (e) {
    if (!(e instanceof WebAssembly.CompileError)) throw e;
    // Typically a server's HTML fallback page served where the .wasm should be.
    const hint = type.startsWith('text/html') ? ' (an HTML page: the server has no file there; with Vite\'s dev server, add mlp-wasm to optimizeDeps.exclude)' : '';
    throw new DataFormatError(`init: ${response.url || 'the response'} (content-type ${type || 'none'}) is not a WebAssembly module${hint}: ${e.message}`);
  }
}

/** The exports that return an address. wasm returns an i32, which JavaScript reads as signed,
 *  so an address past 2 GiB would come out negative; these are read as unsigned. */
const POINTER_RESULTS = ['mlp_alloc', 'mlp_last_error_ptr', 'mlp_dataset_ptr', 'mlp_thread_stack_probe'] as const;

function adopt(instance: WebAssembly.Instance, memory?: WebAssembly.Memory): void {
  // The threads build imports its memory instead of exporting it.
  const exports = { ...instance.exports, ...(memory ? { memory } : {}) } as unknown as EngineExports;
  for (const name of POINTER_RESULTS) {
    const f = exports[name] as unknown;
    if (typeof f === 'function') (exports as unknown as Record<string, unknown>)[name] = (...args: number[]) => (f as (...a: number[]) => number)(...args) >>> 0;
  }
  if (typeof exports.mlp_abi_version !== 'function') {
    throw new ValueError(`init: the given module is not the mlp-wasm engine (it has no mlp_abi_version export; got ${describe(exports)})`);
  }
  const version = exports.mlp_abi_version();
  if (version !== ABI_VERSION) {
    throw new ValueError(`init: the engine's ABI version is ${version} but this package expects ${ABI_VERSION}; rebuild with npm run build:wasm`);
  }
  engine = new Engine(exports);
}
