// Gzip decompression that runs in Node and in browsers without any dependency.
// Node uses node:zlib (faster, and can cap the output size up front); browsers use the standard
// DecompressionStream. node:zlib is only ever imported dynamically and only in Node, so a
// browser bundle never has to resolve it.

import { DataFormatError } from '../api/errors.js';

/**
 * Upper bound on the decompressed size. MNIST's largest file is 47 MB; the cap keeps a corrupt
 * or hostile file ("gzip bomb") from exhausting memory.
 */
export const DEFAULT_MAX_GUNZIP_BYTES = 512 * 1024 * 1024;

/** True when running under Node (or a Node-compatible runtime), where node: modules exist. */
export function isNodeRuntime(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** Gzip files start with the two magic bytes 1f 8b (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns the decompressed bytes when `bytes` is gzip, else `bytes` itself unchanged.
 * A damaged gzip stream (bad header, bad CRC, truncated, trailing garbage) or one that inflates
 * past `maxBytes` throws a DataFormatError naming `fileName`.
 */
export async function gunzip(bytes: Uint8Array, fileName: string, maxBytes = DEFAULT_MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  return isNodeRuntime() ? gunzipWithZlib(bytes, fileName, maxBytes) : gunzipWithStream(bytes, fileName, maxBytes);
}

/** Node path. Exported for tests. */
export async function gunzipWithZlib(bytes: Uint8Array, fileName: string, maxBytes = DEFAULT_MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  const zlib = await import('node:zlib');
  return new Promise((resolve, reject) => {
    zlib.gunzip(bytes, { maxOutputLength: maxBytes }, (error, result) => {
      if (!error) {
        // Small results may sit in Node's shared Buffer pool; copy those so callers own their
        // ArrayBuffer (and may transfer it). Large results already have one to themselves.
        const owned = result.byteOffset === 0 && result.byteLength === result.buffer.byteLength;
        resolve(owned ? new Uint8Array(result.buffer, 0, result.byteLength) : new Uint8Array(result));
      } else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(tooLarge(fileName, maxBytes));
      } else {
        reject(corrupt(fileName, error));
      }
    });
  });
}

/** Browser path (also works in Node 18+, which is how the tests exercise it). Exported for tests. */
export async function gunzipWithStream(bytes: Uint8Array, fileName: string, maxBytes = DEFAULT_MAX_GUNZIP_BYTES): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw tooLarge(fileName, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    throw error instanceof DataFormatError ? error : corrupt(fileName, error);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function corrupt(fileName: string, cause: unknown): DataFormatError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new DataFormatError(`${fileName}: corrupt gzip data (${reason}); the file is damaged or truncated, download it again`);
  (error as { cause?: unknown }).cause = cause;
  return error;
}

function tooLarge(fileName: string, maxBytes: number): DataFormatError {
  return new DataFormatError(`${fileName}: gzip data decompresses to more than ${maxBytes} bytes, the limit; the file is not a dataset this loader expects`);
}
