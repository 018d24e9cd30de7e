// The one object through which TypeScript talks to the wasm module: checked calls that
// turn status codes into typed errors, and scoped scratch memory for copying data in and
// out. Typed-array views into wasm memory are made fresh for each copy, because any call
// that allocates may grow (and so detach) the memory.

import { DisposedError, MlpError, OutOfMemoryError, ShapeError, ValueError, describe } from '../api/errors.js';
import { StatusCode, type EngineExports } from './exports.js';

export type Typed = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
type TypedCtor<T extends Typed> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

export class Engine {
  constructor(readonly exports: EngineExports) {}

  get memory(): WebAssembly.Memory {
    return this.exports.memory;
  }

  /** The engine's message for the last failed call. */
  lastError(): string {
    const ptr = this.exports.mlp_last_error_ptr();
    const len = this.exports.mlp_last_error_len();
    // A copy: TextDecoder refuses views of a SharedArrayBuffer (the threads build's memory).
    return new TextDecoder().decode(new Uint8Array(this.memory.buffer, ptr, len).slice());
  }

  /** Throws the typed error for a non-zero status; `where` names the public function. */
  check(status: number, where: string): void {
    if (status === StatusCode.Ok) return;
    throw this.error(status, where);
  }

  /** For constructors: a positive handle, or a thrown error. */
  checkHandle(handle: number, where: string): number {
    if (handle > 0) return handle;
    throw this.error(-handle, where);
  }

  error(status: number, where: string): MlpError {
    const message = `${where}: ${this.lastError()}`;
    switch (status) {
      case StatusCode.InvalidArgument:
        return new ValueError(message);
      case StatusCode.OutOfMemory:
        return new OutOfMemoryError(message);
      case StatusCode.InvalidHandle:
        return new DisposedError(message);
      case StatusCode.ShapeMismatch:
        return new ShapeError(message);
      default:
        return new MlpError(message);
    }
  }

  /** Runs `body` with a scratch allocator whose blocks are all freed afterwards. */
  scoped<T>(body: (s: Scratch) => T): T {
    const scratch = new Scratch(this);
    try {
      return body(scratch);
    } finally {
      scratch.release();
    }
  }

  view<T extends Typed>(ctor: TypedCtor<T>, ptr: number, length: number): T {
    return new ctor(this.memory.buffer as ArrayBuffer, ptr, length);
  }
}

/** Blocks of wasm memory that live until the end of one `Engine.scoped` call. */
export class Scratch {
  private blocks: [number, number][] = [];

  constructor(private readonly engine: Engine) {}

  alloc(bytes: number): number {
    // The engine takes a 32-bit size: a larger one would wrap and allocate the wrong amount.
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes >= 2 ** 32) {
      throw new OutOfMemoryError(`the engine cannot allocate ${bytes} bytes of wasm memory (wasm32 memory is limited to 4 GiB)`);
    }
    const ptr = this.engine.exports.mlp_alloc(bytes);
    if (ptr === 0) {
      throw new OutOfMemoryError(`the engine could not allocate ${bytes} bytes of wasm memory (wasm32 memory is limited to 4 GiB)`);
    }
    this.blocks.push([ptr, bytes]);
    return ptr;
  }

  /** Copies `data` into fresh wasm memory and returns its address. */
  copyIn(data: Typed): number {
    // A plain array or a typed array of another width would be read as raw float bytes.
    if (!ArrayBuffer.isView(data)) throw new ValueError(`the engine takes typed arrays, got ${describe(data)}`);
    const ptr = this.alloc(Math.max(data.byteLength, 1));
    new Uint8Array(this.engine.memory.buffer, ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return ptr;
  }

  /** Room for `length` elements of the given type. */
  allocOf<T extends Typed>(ctor: TypedCtor<T>, length: number): number {
    return this.alloc(Math.max(length * ctor.BYTES_PER_ELEMENT, 1));
  }

  /** A copy (not a view) of `length` elements at `ptr`. */
  copyOut<T extends Typed>(ctor: TypedCtor<T>, ptr: number, length: number): T {
    return this.engine.view(ctor, ptr, length).slice() as T;
  }

  release(): void {
    for (const [ptr, bytes] of this.blocks) this.engine.exports.mlp_free(ptr, bytes);
    this.blocks = [];
  }
}
