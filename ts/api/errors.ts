// The package's small set of typed errors. Every message names the function, the argument,
// what was expected and what was given, so a user can fix the call without reading our code.

/** Base class: catch this to catch every error mlp-wasm throws on purpose. */
// Each class names itself with a literal: minifying bundlers rename classes, and
// `constructor.name` would then print as "h: …".
export class MlpError extends Error {
  override name = 'MlpError';
}

/** A matrix or array has the wrong shape for where it is used. */
export class ShapeError extends MlpError {
  override name = 'ShapeError';
}

/** An argument has a wrong value: out of range, not finite, unknown option, wrong type. */
export class ValueError extends MlpError {
  override name = 'ValueError';
}

/** A file or serialized model is damaged, truncated or of an unknown format/version. */
export class DataFormatError extends MlpError {
  override name = 'DataFormatError';
}

/** `init()` could not read or fetch the engine's .wasm (a wrong path or URL, a server error). */
export class EngineLoadError extends MlpError {
  override name = 'EngineLoadError';
}

/** The engine was used before `init()` (or `initSync()`) finished. */
export class NotInitializedError extends MlpError {
  override name = 'NotInitializedError';
}

/** A network, dataset or other handle was used after `dispose()`. */
export class DisposedError extends MlpError {
  override name = 'DisposedError';
}

/** Training produced a NaN or infinite loss; the network keeps its last finite weights. */
export class DivergenceError extends MlpError {
  override name = 'DivergenceError';
  constructor(
    message: string,
    readonly epoch: number,
    readonly iteration: number,
  ) {
    super(message);
  }
}

/** The engine could not allocate memory (wasm32 has a 4 GiB address space at most). */
export class OutOfMemoryError extends MlpError {
  override name = 'OutOfMemoryError';
}

/** Formats a value for an error message: short, unambiguous, never huge. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'function') return 'a function';
  const name = classNameOf(value as object);
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** An object's class name for messages: the class's literal `className` where it has one
 *  (bundlers minify `constructor.name`), else `constructor.name`. */
export function classNameOf(value: object): string {
  const ctor = value.constructor as { className?: string; name?: string } | undefined;
  return ctor?.className ?? ctor?.name ?? '';
}
