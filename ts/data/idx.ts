// Reader for the IDX format used by MNIST and Fashion-MNIST: a big-endian header (magic, then
// one uint32 per dimension) followed by unsigned bytes. Only the two variants those datasets use
// are accepted: 3-D uint8 images (magic 2051) and 1-D uint8 labels (magic 2049).
//
// Every size in the header is checked against the real byte length before anything else is
// done with it, so a damaged or hostile header can never make us allocate or loop over
// gigabytes. Nothing is copied: pixels and labels are views into the given bytes.

import { DataFormatError, ShapeError, ValueError, describe } from '../api/errors.js';
import { nonNegativeInteger, positiveInteger } from '../api/validate.js';
import { gunzip } from './gunzip.js';

export const IDX_IMAGES_MAGIC = 2051; // 0x00000803: type 0x08 (uint8), 3 dimensions
export const IDX_LABELS_MAGIC = 2049; // 0x00000801: type 0x08 (uint8), 1 dimension

const IMAGES_HEADER_BYTES = 16; // magic, count, rows, cols
const LABELS_HEADER_BYTES = 8; // magic, count

export interface IdxImages {
  kind: 'images';
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols bytes, image after image, row-major; a view into the input. */
  pixels: Uint8Array;
}

export interface IdxLabels {
  kind: 'labels';
  count: number;
  /** count bytes; a view into the input. */
  labels: Uint8Array;
}

export type IdxFile = IdxImages | IdxLabels;

/** Builds the one message shape every IDX error uses: file, byte offset, expected vs actual. */
export function idxError(fileName: string, offset: number, what: string, expected: string, actual: string): DataFormatError {
  return new DataFormatError(`${fileName}: at byte offset ${offset}: ${what}: expected ${expected}, got ${actual}`);
}

/** Parses an uncompressed IDX file. Throws DataFormatError on any deviation from the format. */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxFile {
  checkFileArguments(bytes, fileName, 'parseIdx');
  if (bytes.length < 4) {
    throw idxError(fileName, bytes.length, 'file too short for the IDX magic number', 'at least 4 bytes', `${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === IDX_IMAGES_MAGIC) return parseImages(bytes, view, fileName);
  if (magic === IDX_LABELS_MAGIC) return parseLabels(bytes, view, fileName);
  throw idxError(
    fileName,
    0,
    'unknown IDX magic number',
    `${IDX_IMAGES_MAGIC} (uint8 images) or ${IDX_LABELS_MAGIC} (uint8 labels)`,
    `${magic} (0x${magic.toString(16).padStart(8, '0')})${looksGzipped(bytes) ? '; the file looks gzip-compressed, decompress it first (decodeIdxFile does)' : ''}`,
  );
}

function parseImages(bytes: Uint8Array, view: DataView, fileName: string): IdxImages {
  requireHeader(bytes, fileName, IMAGES_HEADER_BYTES, 'images');
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows === 0) throw idxError(fileName, 8, 'image row count', 'at least 1', '0');
  if (cols === 0) throw idxError(fileName, 12, 'image column count', 'at least 1', '0');
  // Plain float arithmetic: exact below 2^53, and any product beyond that is far larger than
  // any real byte length, so the comparison below still rejects it.
  const expectedLength = IMAGES_HEADER_BYTES + count * rows * cols;
  requireExactLength(bytes, fileName, expectedLength, `${IMAGES_HEADER_BYTES}-byte header + ${count} images × ${rows} × ${cols} pixels`);
  return { kind: 'images', count, rows, cols, pixels: bytes.subarray(IMAGES_HEADER_BYTES) };
}

function parseLabels(bytes: Uint8Array, view: DataView, fileName: string): IdxLabels {
  requireHeader(bytes, fileName, LABELS_HEADER_BYTES, 'labels');
  const count = view.getUint32(4, false);
  requireExactLength(bytes, fileName, LABELS_HEADER_BYTES + count, `${LABELS_HEADER_BYTES}-byte header + ${count} labels`);
  return { kind: 'labels', count, labels: bytes.subarray(LABELS_HEADER_BYTES) };
}

function requireHeader(bytes: Uint8Array, fileName: string, headerBytes: number, kind: string): void {
  if (bytes.length < headerBytes) {
    throw idxError(fileName, bytes.length, `truncated IDX ${kind} header`, `${headerBytes} header bytes`, `${bytes.length} bytes in the whole file`);
  }
}

function requireExactLength(bytes: Uint8Array, fileName: string, expected: number, breakdown: string): void {
  if (bytes.length < expected) {
    throw idxError(fileName, bytes.length, 'file truncated, data ends early', `${expected} bytes (${breakdown})`, `${bytes.length} bytes`);
  }
  if (bytes.length > expected) {
    throw idxError(fileName, expected, 'extra bytes after the declared data', `${expected} bytes (${breakdown})`, `${bytes.length} bytes`);
  }
}

/** The bytes and name every IDX entry point takes (wrong ones are caller mistakes, not damaged files). */
function checkFileArguments(bytes: unknown, fileName: unknown, where: string): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new ValueError(`${where}: bytes must be a Uint8Array (the file's content; wrap an ArrayBuffer in new Uint8Array(buffer)), got ${describe(bytes)}`);
  }
  if (typeof fileName !== 'string' || fileName === '') {
    throw new ValueError(`${where}: fileName must be a non-empty string (it names the file in error messages), got ${describe(fileName)}`);
  }
}

function looksGzipped(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Names of the two files of an images/labels pair, used in error messages. */
export interface IdxPairNames {
  images: string;
  labels: string;
}

/**
 * Checks that an images file and a labels file belong together: same sample count, and every
 * label a valid class index (< numClasses).
 */
export function checkPair(images: IdxImages, labels: IdxLabels, fileNames: IdxPairNames, numClasses = 10): void {
  const where = 'checkPair';
  checkParsed(images, 'images', 'pixels', ['count', 'rows', 'cols'], where);
  checkParsed(labels, 'labels', 'labels', ['count'], where);
  checkPairNames(fileNames, where);
  positiveInteger(numClasses, where, 'numClasses');
  if (labels.count !== images.count) {
    throw idxError(
      fileNames.labels,
      4,
      `label count does not match the image count of ${fileNames.images}`,
      `${images.count} labels`,
      `${labels.count}`,
    );
  }
  const values = labels.labels;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! >= numClasses) {
      throw idxError(fileNames.labels, LABELS_HEADER_BYTES + i, `label of sample ${i} out of range`, `0..${numClasses - 1}`, `${values[i]}`);
    }
  }
}

/** An IdxImages or IdxLabels as parseIdx returns it: the right kind, whole-number header fields, and as many bytes as they say. */
function checkParsed(file: unknown, kind: IdxFile['kind'], data: 'pixels' | 'labels', dimensions: readonly string[], where: string): void {
  const f = file as Record<string, unknown> | null;
  if (typeof f !== 'object' || f === null || f.kind !== kind) {
    const got = typeof f === 'object' && f !== null && 'kind' in f ? `an object of kind ${describe(f.kind)}` : describe(file);
    throw new ValueError(`${where}: ${kind} must be what parseIdx returns for an ${kind} file (kind "${kind}"), got ${got}`);
  }
  const length = dimensions.reduce((product, name) => product * nonNegativeInteger(f[name], where, `${kind}.${name}`), 1);
  const bytes = f[data];
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new ShapeError(`${where}: ${kind}.${data} must be a Uint8Array of ${length} bytes (${dimensions.map((d) => `${kind}.${d}`).join(' × ')}), got ${describe(bytes)}`);
  }
}

function checkPairNames(fileNames: unknown, where: string): void {
  const names = fileNames as Record<string, unknown> | null;
  if (typeof names !== 'object' || names === null) {
    throw new ValueError(`${where}: fileNames must be { images, labels } (the two file names, for error messages), got ${describe(fileNames)}`);
  }
  for (const key of ['images', 'labels']) {
    if (typeof names[key] !== 'string') throw new ValueError(`${where}: fileNames.${key} must be a string, got ${describe(names[key])}`);
  }
}

/** Decompresses (when the bytes are gzip) and parses one IDX file. */
export async function decodeIdxFile(bytes: Uint8Array, fileName: string): Promise<IdxFile> {
  checkFileArguments(bytes, fileName, 'decodeIdxFile');
  return parseIdx(await gunzip(bytes, fileName), fileName);
}
