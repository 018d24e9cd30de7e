// Wrong arguments to the exported data functions (loadMnist, loadFashionMnist, parseIdx,
// checkPair, decodeIdxFile) are ValueErrors (ShapeErrors for inconsistent lengths) naming the
// function, the argument, the expected and the actual value: never a TypeError from inside,
// never silently accepted. Damaged files stay DataFormatErrors (idx.test.ts, mnist.test.ts).

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../ts/api/errors.js';
import { loadFashionMnist } from '../../ts/data/fashion-mnist.js';
import { checkPair, decodeIdxFile, parseIdx, type IdxImages, type IdxLabels } from '../../ts/data/idx.js';
import { loadMnist } from '../../ts/data/mnist.js';
import { makeImagesIdx, makeLabelsIdx } from './idx-builders.js';

const VENDORED = fileURLToPath(new URL('../../data/mnist/', import.meta.url));

/** The error `fn` throws (or its promise rejects with), checked for type and message parts. */
async function expectError(fn: () => unknown, type: new (...args: never[]) => Error, ...parts: string[]): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ${type.name}`).toBeInstanceOf(type);
  for (const part of parts) expect((caught as Error).message).toContain(part);
}

const anything = (x: unknown) => x as never;

describe('loadMnist and loadFashionMnist options', () => {
  for (const [name, load] of [['loadMnist', loadMnist], ['loadFashionMnist', loadFashionMnist]] as const) {
    it(`${name}: null or a non-object is a ValueError, not a TypeError`, async () => {
      await expectError(() => load(anything(null)), ValueError, `${name}: options must be an object, got null`);
      await expectError(() => load(anything('data/mnist')), ValueError, `${name}: options must be an object, got "data/mnist"`);
      await expectError(() => load(anything([VENDORED])), ValueError, 'an array of length 1');
    });

    it(`${name}: an unknown option key is refused, naming it and the known ones`, async () => {
      await expectError(() => load(anything({ directory: VENDORED })), ValueError, `${name}: unknown option "directory"`, 'known options: dir, baseUrl, fetch, verify');
      await expectError(() => load(anything({ dir: VENDORED, verfiy: false })), ValueError, '"verfiy" (did you mean "verify"?)');
    });

    it(`${name}: fetch without baseUrl would be ignored, so it is refused`, async () => {
      await expectError(() => load({ dir: VENDORED, fetch: globalThis.fetch }), ValueError, `${name}: options.fetch is only used with options.baseUrl`);
    });
  }

  it('still loads with undefined options and explicit undefined values', async () => {
    const data = await loadMnist({ dir: VENDORED, baseUrl: undefined });
    expect(data.test.count).toBe(10_000);
  });
});

describe('parseIdx and decodeIdxFile arguments', () => {
  const labels = makeLabelsIdx([1, 2]);

  it('parseIdx: bytes must be a Uint8Array', async () => {
    await expectError(() => parseIdx(anything(null), 'f'), ValueError, 'parseIdx: bytes must be a Uint8Array', 'got null');
    await expectError(() => parseIdx(anything('abc'), 'f'), ValueError, 'parseIdx: bytes must be a Uint8Array', 'got "abc"');
    await expectError(() => parseIdx(anything(labels.buffer), 'f'), ValueError, 'new Uint8Array(buffer)', 'ArrayBuffer');
    await expectError(() => parseIdx(anything([0, 0, 8, 1]), 'f'), ValueError, 'got an array of length 4');
  });

  it('parseIdx: fileName must be a non-empty string', async () => {
    await expectError(() => parseIdx(labels, anything(undefined)), ValueError, 'parseIdx: fileName must be a non-empty string', 'got undefined');
    await expectError(() => parseIdx(labels, ''), ValueError, 'parseIdx: fileName', 'got ""');
  });

  it('decodeIdxFile: the same checks, as a rejected promise', async () => {
    await expectError(() => decodeIdxFile(anything(null), 'f'), ValueError, 'decodeIdxFile: bytes must be a Uint8Array', 'got null');
    await expectError(() => decodeIdxFile(anything('abc'), 'f'), ValueError, 'decodeIdxFile: bytes', 'got "abc"');
    await expectError(() => decodeIdxFile(labels, anything(7)), ValueError, 'decodeIdxFile: fileName', 'got 7');
    expect(await decodeIdxFile(labels, 'f')).toMatchObject({ kind: 'labels', count: 2 });
  });
});

describe('checkPair arguments', () => {
  const images = parseIdx(makeImagesIdx(2, 1, 1), 'i') as IdxImages;
  const labels = parseIdx(makeLabelsIdx([0, 1]), 'l') as IdxLabels;
  const names = { images: 'imgs', labels: 'lbls' };

  it('images and labels must be what parseIdx returns, of the right kind', async () => {
    await expectError(() => checkPair(anything(null), labels, names), ValueError, 'checkPair: images must be', 'got null');
    await expectError(() => checkPair(images, anything(undefined), names), ValueError, 'checkPair: labels must be', 'got undefined');
    await expectError(() => checkPair(anything(labels), anything(images), names), ValueError, 'checkPair: images', 'of kind "labels"');
    await expectError(() => checkPair(images, anything('labels'), names), ValueError, 'checkPair: labels', 'got "labels"');
  });

  it('header fields must be whole numbers and the data as long as they say', async () => {
    await expectError(() => checkPair({ ...images, count: NaN }, labels, names), ValueError, 'checkPair: images.count must be a non-negative integer, got NaN');
    await expectError(() => checkPair(images, { ...labels, count: anything('2') }, names), ValueError, 'checkPair: labels.count', 'got "2"');
    await expectError(() => checkPair({ ...images, rows: 2 }, labels, names), ShapeError, 'checkPair: images.pixels must be a Uint8Array of 4 bytes', 'got a Uint8Array of length 2');
    await expectError(() => checkPair(images, { ...labels, labels: anything([0, 1]) }, names), ShapeError, 'checkPair: labels.labels', 'got an array of length 2');
  });

  it('fileNames must hold both names', async () => {
    await expectError(() => checkPair(images, labels, anything(null)), ValueError, 'checkPair: fileNames must be { images, labels }', 'got null');
    await expectError(() => checkPair(images, labels, anything({ images: 'imgs' })), ValueError, 'checkPair: fileNames.labels must be a string, got undefined');
  });

  it('numClasses must be a positive integer (NaN used to accept every label)', async () => {
    for (const bad of [NaN, 0, -1, 2.5, Infinity, anything('10')]) {
      await expectError(() => checkPair(images, labels, names, bad), ValueError, 'checkPair: numClasses must be a positive integer');
    }
    expect(() => checkPair(images, labels, names, 2)).not.toThrow();
  });
});
