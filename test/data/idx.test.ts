// parseIdx and checkPair: valid files parse without copying; every kind of damage is a
// DataFormatError naming the file, the byte offset and expected vs actual.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../ts/api/errors.js';
import { checkPair, parseIdx, type IdxImages, type IdxLabels } from '../../ts/data/idx.js';
import { concatBytes, makeImagesIdx, makeLabelsIdx, withUint32 } from './idx-builders.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/idx/${name}`, import.meta.url)));

/** Asserts `fn` throws a DataFormatError whose message contains every one of `parts`. */
function expectDataFormatError(fn: () => unknown, ...parts: string[]): DataFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DataFormatError);
  const message = (caught as Error).message;
  for (const part of parts) expect(message).toContain(part);
  return caught as DataFormatError;
}

describe('parseIdx on valid files', () => {
  it('reads an images file as a view of the pixels', () => {
    const bytes = makeImagesIdx(3, 2, 2);
    const file = parseIdx(bytes, 'imgs') as IdxImages;
    expect(file).toMatchObject({ kind: 'images', count: 3, rows: 2, cols: 2 });
    expect(Array.from(file.pixels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(file.pixels.buffer).toBe(bytes.buffer); // no copy
    expect(file.pixels.byteOffset).toBe(16);
  });

  it('reads a labels file as a view of the labels', () => {
    const bytes = makeLabelsIdx([5, 0, 4]);
    const file = parseIdx(bytes, 'lbls') as IdxLabels;
    expect(file).toMatchObject({ kind: 'labels', count: 3 });
    expect(Array.from(file.labels)).toEqual([5, 0, 4]);
    expect(file.labels.buffer).toBe(bytes.buffer);
  });

  it('works on a subarray of a larger buffer (respects byteOffset)', () => {
    const inner = makeLabelsIdx([1, 2]);
    const outer = concatBytes(new Uint8Array([9, 9, 9]), inner, new Uint8Array([7]));
    const file = parseIdx(outer.subarray(3, 3 + inner.length), 'slice') as IdxLabels;
    expect(Array.from(file.labels)).toEqual([1, 2]);
  });

  it('parses every fixture as its README describes', () => {
    expect(parseIdx(fixture('images-3x2x2.idx3-ubyte'), 'f')).toMatchObject({ kind: 'images', count: 3, rows: 2, cols: 2 });
    expect(parseIdx(fixture('images-2x3x1.idx3-ubyte'), 'f')).toMatchObject({ kind: 'images', count: 2, rows: 3, cols: 1 });
    expect(parseIdx(fixture('images-1x28x28.idx3-ubyte'), 'f')).toMatchObject({ kind: 'images', count: 1, rows: 28, cols: 28 });
    expect(parseIdx(fixture('images-0x1x1.idx3-ubyte'), 'f')).toMatchObject({ kind: 'images', count: 0 });
    expect(Array.from((parseIdx(fixture('labels-3.idx1-ubyte'), 'f') as IdxLabels).labels)).toEqual([0, 9, 4]);
    expect(Array.from((parseIdx(fixture('labels-2.idx1-ubyte'), 'f') as IdxLabels).labels)).toEqual([7, 1]);
    expect(parseIdx(fixture('labels-0.idx1-ubyte'), 'f')).toMatchObject({ kind: 'labels', count: 0 });
  });
});

describe('parseIdx on damaged files', () => {
  it('rejects a file too short to hold the magic', () => {
    expectDataFormatError(() => parseIdx(new Uint8Array([0, 0, 8]), 'tiny.idx'), 'tiny.idx', 'byte offset 3', 'expected at least 4 bytes, got 3 bytes');
    expectDataFormatError(() => parseIdx(new Uint8Array(0), 'empty.idx'), 'empty.idx', 'byte offset 0');
  });

  it('rejects a wrong magic number at offset 0', () => {
    const bytes = withUint32(makeLabelsIdx([1]), 0, 2050);
    expectDataFormatError(() => parseIdx(bytes, 'bad-magic.idx'), 'bad-magic.idx', 'byte offset 0', 'expected 2051', '2049', 'got 2050');
  });

  it('rejects little-endian magic (the byte order matters)', () => {
    const bytes = makeLabelsIdx([1]);
    bytes.set([0x01, 0x08, 0x00, 0x00], 0);
    expectDataFormatError(() => parseIdx(bytes, 'le.idx'), 'le.idx', 'byte offset 0', 'got 17301504');
  });

  it('says when a gzip file was passed without decompressing', () => {
    expectDataFormatError(() => parseIdx(fixture('labels-3.idx1-ubyte.gz'), 'x.gz'), 'x.gz', 'gzip-compressed');
  });

  it('rejects a truncated header', () => {
    expectDataFormatError(() => parseIdx(makeImagesIdx(1, 2, 2).slice(0, 10), 'short-head.idx'), 'short-head.idx', 'byte offset 10', 'expected 16 header bytes, got 10 bytes');
    expectDataFormatError(() => parseIdx(makeLabelsIdx([1]).slice(0, 6), 'short-labels.idx'), 'short-labels.idx', 'byte offset 6', 'expected 8 header bytes');
  });

  it('rejects truncated data, at the offset where it ends', () => {
    const images = makeImagesIdx(3, 2, 2).slice(0, 25);
    expectDataFormatError(() => parseIdx(images, 'trunc.idx3'), 'trunc.idx3', 'byte offset 25', 'truncated', 'expected 28 bytes', 'got 25 bytes');
    const labels = makeLabelsIdx([1, 2, 3]).slice(0, 9);
    expectDataFormatError(() => parseIdx(labels, 'trunc.idx1'), 'trunc.idx1', 'byte offset 9', 'expected 11 bytes', 'got 9 bytes');
  });

  it('rejects extra bytes, at the offset where they start', () => {
    const images = concatBytes(makeImagesIdx(3, 2, 2), new Uint8Array(5));
    expectDataFormatError(() => parseIdx(images, 'long.idx3'), 'long.idx3', 'byte offset 28', 'extra bytes', 'expected 28 bytes', 'got 33 bytes');
    const labels = concatBytes(makeLabelsIdx([1]), new Uint8Array([0]));
    expectDataFormatError(() => parseIdx(labels, 'long.idx1'), 'long.idx1', 'byte offset 9', 'expected 9 bytes', 'got 10 bytes');
  });

  it('rejects zero rows or columns at their header offsets', () => {
    expectDataFormatError(() => parseIdx(withUint32(makeImagesIdx(1, 1, 1), 8, 0), 'rows.idx'), 'rows.idx', 'byte offset 8', 'row count', 'expected at least 1, got 0');
    expectDataFormatError(() => parseIdx(withUint32(makeImagesIdx(1, 1, 1), 12, 0), 'cols.idx'), 'cols.idx', 'byte offset 12', 'column count');
  });

  it('rejects dimensions that disagree with the data length', () => {
    const bytes = withUint32(makeImagesIdx(3, 2, 2), 12, 3); // claims 3x2x3 = 18 pixels, has 12
    expectDataFormatError(() => parseIdx(bytes, 'dims.idx'), 'dims.idx', 'expected 34 bytes', '3 images × 2 × 3 pixels', 'got 28 bytes');
  });

  it('fails fast and cheaply on a header claiming 2^31 images or 2^32-1 labels', () => {
    const images = withUint32(makeImagesIdx(1, 28, 28), 4, 2 ** 31);
    const labels = withUint32(makeLabelsIdx([1]), 4, 2 ** 32 - 1);
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    for (let i = 0; i < 1000; i++) {
      expect(() => parseIdx(images, 'huge.idx3')).toThrow(DataFormatError);
      expect(() => parseIdx(labels, 'huge.idx1')).toThrow(DataFormatError);
    }
    expect(performance.now() - start).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
    expectDataFormatError(() => parseIdx(images, 'huge.idx3'), 'huge.idx3', 'byte offset 800', `expected ${16 + 2 ** 31 * 784} bytes`, 'got 800 bytes');
    expectDataFormatError(() => parseIdx(labels, 'huge.idx1'), 'huge.idx1', `expected ${8 + 2 ** 32 - 1} bytes`);
  });

  it('handles a product of dimensions beyond 2^53 without wrapping around', () => {
    const bytes = withUint32(withUint32(withUint32(makeImagesIdx(0, 1, 1), 4, 0xffffffff), 8, 0xffffffff), 12, 0xffffffff);
    expectDataFormatError(() => parseIdx(bytes, 'overflow.idx'), 'overflow.idx', 'truncated');
  });
});

describe('checkPair', () => {
  const images = parseIdx(makeImagesIdx(3, 1, 1), 'i') as IdxImages;
  const names = { images: 'train-images.idx3', labels: 'train-labels.idx1' };

  it('accepts matching counts and labels below numClasses', () => {
    expect(() => checkPair(images, parseIdx(makeLabelsIdx([0, 9, 4]), 'l') as IdxLabels, names)).not.toThrow();
    expect(() => checkPair(images, parseIdx(makeLabelsIdx([0, 2, 1]), 'l') as IdxLabels, names, 3)).not.toThrow();
  });

  it('rejects a count mismatch, naming both files and the count offset', () => {
    const labels = parseIdx(makeLabelsIdx([0, 1]), 'l') as IdxLabels;
    expectDataFormatError(() => checkPair(images, labels, names), 'train-labels.idx1', 'byte offset 4', 'train-images.idx3', 'expected 3 labels, got 2');
  });

  it('rejects label 10 with the byte offset of the offending label', () => {
    const labels = parseIdx(makeLabelsIdx([0, 10, 4]), 'l') as IdxLabels;
    expectDataFormatError(() => checkPair(images, labels, names), 'train-labels.idx1', 'byte offset 9', 'sample 1', 'expected 0..9, got 10');
  });

  it('honours numClasses', () => {
    const labels = parseIdx(makeLabelsIdx([0, 1, 2]), 'l') as IdxLabels;
    expectDataFormatError(() => checkPair(images, labels, names, 2), 'byte offset 10', 'expected 0..1, got 2');
  });
});
