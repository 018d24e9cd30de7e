// The worker pool of the threads build (mlp_engine_threads.wasm).
//
// The main instance owns the shared WebAssembly.Memory and does all allocation. Each worker
// (Node `worker_threads`, or a browser Web Worker) instantiates the same compiled module on
// that memory, sets its instance's `__stack_pointer` to the top of a stack block the main
// instance allocated for it (globals are per instance, so without this every worker would
// run on the main thread's stack), and calls `mlp_worker_main(index)`, which does not return
// until the pool shuts down. Inside, the Rust side (crates/engine/src/parallel.rs) splits
// each matrix product over the threads with a fork/join on atomics in shared memory: workers
// spin briefly between jobs and then sleep in `Atomics.wait` (the module's `env.mlp_wait`
// import), so idle workers cost no CPU; the main thread wakes them with `Atomics.notify`
// (`env.mlp_notify`).
//
// Node workers are `unref()`ed, so they never keep a process alive; `shutdown()` ends them.
// Nothing here imports `node:worker_threads` statically: browser bundles never see it.

import type { EngineExports } from './exports.js';

/** Stack per worker instance: the kernels need little (no recursion, small frames). */
const WORKER_STACK_BYTES = 256 * 1024;

/** How long the workers may take to instantiate the module before start() gives up. */
const START_TIMEOUT_MS = 60_000;

// Plain JavaScript that runs in every worker, in Node (a CommonJS `eval` worker) and in
// browsers (a classic worker from a Blob URL).
const WORKER_SOURCE = `
'use strict';
function run(post, data) {
  const cells = new Int32Array(data.memory.buffer);
  const env = {
    memory: data.memory,
    mlp_wait: (addr, expected) => void Atomics.wait(cells, addr >>> 2, expected | 0),
    mlp_notify: (addr) => void Atomics.notify(cells, addr >>> 2),
  };
  const instance = new WebAssembly.Instance(data.module, { env });
  instance.exports.__stack_pointer.value = data.stackTop;
  post({ ready: data.index });
  instance.exports.mlp_worker_main(data.index);
}
if (typeof self === 'undefined' && typeof require === 'function') {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', (data) => {
    try { run((m) => parentPort.postMessage(m), data); }
    catch (e) { parentPort.postMessage({ error: String(e && e.stack || e) }); }
    parentPort.close();
  });
} else {
  self.onmessage = (event) => {
    self.onmessage = null;
    try { run((m) => self.postMessage(m), event.data); }
    catch (e) { self.postMessage({ error: String(e && e.stack || e) }); }
    self.close();
  };
}
`;

/** What the pool needs of a worker, in Node or in a browser. */
interface PoolWorker {
  post(message: unknown): void;
  /** Listens for messages and errors; returns the function that stops listening. */
  listen(onMessage: (message: { ready?: number; error?: string }) => void, onError: (error: unknown) => void): () => void;
  terminate(): Promise<unknown> | void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function spawn(): Promise<PoolWorker> {
  if (isNode) {
    // A computed specifier keeps bundlers from pulling node:worker_threads into browser builds.
    const name = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
    // No execArgv: the worker is plain JavaScript and needs none of the parent's loaders.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    return {
      post: (message) => worker.postMessage(message),
      // A 'message' listener left on a worker keeps Node from exiting even after unref(), so
      // the pool stops listening once the worker is running.
      listen: (onMessage, onError) => {
        worker.on('message', onMessage);
        worker.on('error', onError);
        return () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
      },
      terminate: () => worker.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  try {
    const worker = new Worker(url);
    return {
      post: (message) => worker.postMessage(message),
      listen: (onMessage, onError) => {
        const message = (e: MessageEvent) => onMessage(e.data);
        const error = (e: ErrorEvent) => onError(e.message ?? e);
        worker.addEventListener('message', message);
        worker.addEventListener('error', error);
        return () => {
          worker.removeEventListener('message', message);
          worker.removeEventListener('error', error);
        };
      },
      terminate: () => worker.terminate(),
    };
  } finally {
    // The worker has its own reference to the script once constructed.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export class ThreadPool {
  private constructor(
    private readonly exports: EngineExports,
    private workers: PoolWorker[],
    private stacks: number[],
  ) {}

  /** Threads in use, the main one included. */
  get size(): number {
    return this.exports.mlp_pool_size();
  }

  /**
   * Starts `count` workers on the module's shared memory and waits until all are inside
   * `mlp_worker_main`. On failure every started worker is ended and the error is thrown;
   * the engine then simply goes on with one thread.
   */
  static async start(exports: EngineExports, module: WebAssembly.Module, memory: WebAssembly.Memory, count: number): Promise<ThreadPool> {
    const workers: PoolWorker[] = [];
    const stacks: number[] = [];
    const pool = new ThreadPool(exports, workers, stacks);
    try {
      const ready: Promise<void>[] = [];
      for (let index = 1; index <= count; index++) {
        const stack = exports.mlp_alloc(WORKER_STACK_BYTES);
        if (stack === 0) throw new Error(`could not allocate a ${WORKER_STACK_BYTES}-byte stack for worker ${index}`);
        stacks.push(stack);
        const worker = await spawn();
        workers.push(worker);
        ready.push(
          new Promise<void>((resolve, reject) => {
            const stop = worker.listen(
              (m) => {
                if (m?.ready === index) {
                  stop();
                  resolve();
                } else if (m?.error) {
                  stop();
                  reject(new Error(`worker ${index}: ${m.error}`));
                }
              },
              (e) => {
                stop();
                reject(new Error(`worker ${index}: ${String((e as Error)?.message ?? e)}`));
              },
            );
          }),
        );
        // The stack grows down from its top, which must stay 16-byte aligned.
        worker.post({ module, memory, index, stackTop: (stack + WORKER_STACK_BYTES) & ~15 });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
        (timer as { unref?: () => void }).unref?.();
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
      // Each worker posted `ready` right before entering mlp_worker_main: this waits (µs)
      // until they are all inside, then lets the products use them.
      exports.mlp_pool_start(count);
      return pool;
    } catch (e) {
      await pool.shutdown();
      throw e;
    }
  }

  /** Ends every worker (they leave wasm first, then the threads stop) and frees their stacks. */
  async shutdown(): Promise<void> {
    this.exports.mlp_pool_shutdown();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
    for (const stack of this.stacks) this.exports.mlp_free(stack, WORKER_STACK_BYTES);
    this.stacks = [];
  }
}
