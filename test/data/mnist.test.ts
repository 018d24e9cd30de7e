// loadMnist on the vendored files, and every way loading can go wrong: missing files, wrong
// checksums, wrong shapes, bad labels, failed fetches, bad options.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError, ValueError } from '../../ts/api/errors.js';
import { MNIST_SHA256, sha256HexNode, sha256HexWeb } from '../../ts/data/checksums.js';
import { DatasetUnavailableError, loadMnist, MNIST_FILES, type MnistData } from '../../ts/data/mnist.js';
import { findVendoredMnistDir } from '../../ts/data/mnist-node.js';
import { makeImagesIdx, makeLabelsIdx } from './idx-builders.js';

const VENDORED = fileURLToPath(new URL('../../data/mnist/', import.meta.url));
const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temp folder holding copies of the vendored files, with `replace` written over some. */
function datasetDir(replace: Record<string, Uint8Array | null> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlp-wasm-mnist-'));
  tempDirs.push(dir);
  for (const name of Object.values(MNIST_FILES)) {
    if (name in replace) {
      const bytes = replace[name];
      if (bytes) writeFileSync(join(dir, name), bytes);
    } else {
      copyFileSync(join(VENDORED, name), join(dir, name));
    }
  }
  return dir;
}

/** A temp folder holding four tiny gzip IDX files (use with verify: false). */
function tinyDatasetDir(trainImages: Uint8Array, trainLabels: Uint8Array, testImages = trainImages, testLabels = trainLabels): string {
  return datasetDir({
    [MNIST_FILES.trainImages]: gzipSync(trainImages),
    [MNIST_FILES.trainLabels]: gzipSync(trainLabels),
    [MNIST_FILES.testImages]: gzipSync(testImages),
    [MNIST_FILES.testLabels]: gzipSync(testLabels),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the promise to reject').toBeInstanceOf(Error);
  return error as Error;
}

const gunzipVendored = (name: string) => new Uint8Array(gunzipSync(readFileSync(join(VENDORED, name))));
const oneImage = makeImagesIdx(1, 28, 28);

describe('loadMnist on the vendored files', () => {
  let mnist: MnistData;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it('has 60,000 training and 10,000 test images of 28x28', () => {
    expect(mnist.train).toMatchObject({ count: 60000, rows: 28, cols: 28 });
    expect(mnist.test).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(mnist.train.labels.length).toBe(60000);
    expect(mnist.test.images.length).toBe(10000 * 784);
    expect(mnist.test.labels.length).toBe(10000);
  });

  it('keeps the original order', () => {
    expect(Array.from(mnist.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(mnist.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it('has the published label counts', () => {
    const counts = (labels: Uint8Array) => labels.reduce((acc, l) => (acc[l]!++, acc), new Array<number>(10).fill(0));
    expect(counts(mnist.train.labels)).toEqual(TRAIN_LABEL_COUNTS);
    expect(counts(mnist.test.labels)).toEqual(TEST_LABEL_COUNTS);
  });

  it('has the well-known pixel means', () => {
    const mean = (pixels: Uint8Array) => pixels.reduce((s, p) => s + p, 0) / pixels.length / 255;
    expect(mean(mnist.train.images)).toBeCloseTo(0.13066, 5);
    expect(mean(mnist.test.images)).toBeCloseTo(0.132515, 5);
  });

  it('loads the same from an explicit dir and from MNIST_DIR', async () => {
    const fromDir = await loadMnist({ dir: VENDORED });
    expect(fromDir.test.labels).toEqual(mnist.test.labels);
    const saved = process.env.MNIST_DIR;
    process.env.MNIST_DIR = VENDORED;
    try {
      expect((await loadMnist()).test.count).toBe(10000);
    } finally {
      if (saved === undefined) delete process.env.MNIST_DIR;
      else process.env.MNIST_DIR = saved;
    }
  });
});

describe('finding the vendored copy', () => {
  it('finds data/mnist/ from the source tree and from a tsup bundle in dist/', async () => {
    const fromSource = await findVendoredMnistDir(new URL('../../ts/data/mnist-node.ts', import.meta.url).href);
    expect(fromSource.dir).toBe(VENDORED);
    const fromDist = await findVendoredMnistDir(new URL('../../dist/index.js', import.meta.url).href);
    expect(fromDist.dir).toBe(VENDORED);
  });

  it('reports where it looked when there is no copy', async () => {
    const result = await findVendoredMnistDir('file:///nonexistent/a/b/index.js');
    expect(result.dir).toBeUndefined();
    expect(result.tried).toEqual(['/nonexistent/data/mnist/', '/nonexistent/a/data/mnist/']);
    expect((await findVendoredMnistDir('https://example.invalid/index.js')).tried).toEqual([]);
  });
});

describe('loadMnist errors', () => {
  const savedEnv = process.env.MNIST_DIR;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.MNIST_DIR;
    else process.env.MNIST_DIR = savedEnv;
  });

  it('names the missing file and what to do', async () => {
    const dir = datasetDir({ [MNIST_FILES.testLabels]: null });
    const error = await rejection(loadMnist({ dir }));
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect(error.message).toContain(join(dir, MNIST_FILES.testLabels));
    expect(error.message).toContain('options.dir');
  });

  it('says when MNIST_DIR points at the wrong place', async () => {
    process.env.MNIST_DIR = '/nonexistent/mnist';
    const error = await rejection(loadMnist());
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect(error.message).toContain('/nonexistent/mnist/train-images-idx3-ubyte.gz');
    expect(error.message).toContain('MNIST_DIR');
  });

  it('detects a modified file by its SHA-256 and names file, expected and actual', async () => {
    // Valid gzip, valid IDX, one label changed: only the checksum can notice.
    const labels = gunzipVendored(MNIST_FILES.trainLabels);
    labels[8] = 3; // first label, was 5
    const modified = new Uint8Array(gzipSync(labels));
    const dir = datasetDir({ [MNIST_FILES.trainLabels]: modified });
    const error = await rejection(loadMnist({ dir }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toContain(join(dir, MNIST_FILES.trainLabels));
    expect(error.message).toContain('SHA-256 mismatch');
    expect(error.message).toContain(MNIST_SHA256[MNIST_FILES.trainLabels]!.gz);
    expect(error.message).toContain(await sha256HexNode(modified));
    expect(error.message).toContain('verify: false');

    const unverified = await loadMnist({ dir, verify: false });
    expect(unverified.train.labels[0]).toBe(3);
  });

  it('reports a damaged .gz as a checksum mismatch', async () => {
    const damaged = new Uint8Array(readFileSync(join(VENDORED, MNIST_FILES.testLabels)));
    damaged[2000]! ^= 0x10;
    const dir = datasetDir({ [MNIST_FILES.testLabels]: damaged });
    const error = await rejection(loadMnist({ dir }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toContain(`${MNIST_FILES.testLabels}: SHA-256 mismatch`);
    // Without verification the gzip CRC still catches it.
    const unverified = await rejection(loadMnist({ dir, verify: false }));
    expect(unverified).toBeInstanceOf(DataFormatError);
    expect(unverified.message).toContain(MNIST_FILES.testLabels);
  });

  it('accepts the original data compressed differently, and uncompressed files', async () => {
    const dir = datasetDir({
      [MNIST_FILES.testImages]: gzipSync(gunzipVendored(MNIST_FILES.testImages), { level: 1 }),
      [MNIST_FILES.testLabels]: null,
    });
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), gunzipVendored(MNIST_FILES.testLabels));
    const mnist = await loadMnist({ dir });
    expect(Array.from(mnist.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('rejects images that are not 28x28, at the header offset', async () => {
    const dir = tinyDatasetDir(makeImagesIdx(1, 28, 27), makeLabelsIdx([1]));
    const error = await rejection(loadMnist({ dir, verify: false }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: at byte offset 12: image width: expected 28 columns, got 27/);
  });

  it('rejects a label of 10, naming the labels file and offset', async () => {
    const dir = tinyDatasetDir(oneImage, makeLabelsIdx([10]));
    const error = await rejection(loadMnist({ dir, verify: false }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toMatch(/train-labels-idx1-ubyte\.gz: at byte offset 8: .*expected 0\.\.9, got 10/);
  });

  it('rejects a count mismatch between images and labels', async () => {
    const dir = tinyDatasetDir(oneImage, makeLabelsIdx([1]), makeImagesIdx(2, 28, 28), makeLabelsIdx([1]));
    const error = await rejection(loadMnist({ dir, verify: false }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toMatch(/t10k-labels-idx1-ubyte\.gz: at byte offset 4: .*t10k-images-idx3-ubyte\.gz.*expected 2 labels, got 1/);
  });

  it('rejects a labels file where images belong', async () => {
    const dir = tinyDatasetDir(makeLabelsIdx([1]), makeLabelsIdx([1]));
    const error = await rejection(loadMnist({ dir, verify: false }));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz: at byte offset 0: .*expected 2051 \(images\), got 2049 \(labels\)/);
  });

  it('rejects bad options with ValueError', async () => {
    expect(await rejection(loadMnist({ dir: VENDORED, baseUrl: 'http://x/' }))).toBeInstanceOf(ValueError);
    expect(await rejection(loadMnist({ dir: 5 as unknown as string }))).toBeInstanceOf(ValueError);
    expect(await rejection(loadMnist({ verify: 'yes' as unknown as boolean }))).toBeInstanceOf(ValueError);
    expect((await rejection(loadMnist({ baseUrl: '' }))).message).toContain('loadMnist: options.baseUrl');
  });
});

describe('loadMnist over HTTP (baseUrl)', () => {
  /** A fetch that serves data/mnist/ under http://data.test/mnist/ and records the URLs. */
  function fakeFetch(requested: string[]): typeof fetch {
    return (async (input: RequestInfo | URL) => {
      const url = String(input);
      requested.push(url);
      const prefix = 'http://data.test/mnist/';
      if (!url.startsWith(prefix)) return new Response('not found', { status: 404, statusText: 'Not Found' });
      try {
        return new Response(readFileSync(join(VENDORED, url.slice(prefix.length))));
      } catch {
        return new Response('not found', { status: 404, statusText: 'Not Found' });
      }
    }) as typeof fetch;
  }

  it('fetches and verifies the four files', async () => {
    const requested: string[] = [];
    const mnist = await loadMnist({ baseUrl: 'http://data.test/mnist', fetch: fakeFetch(requested) });
    expect(mnist.train.count).toBe(60000);
    expect(requested.sort()).toEqual(Object.values(MNIST_FILES).map((f) => `http://data.test/mnist/${f}`).sort());
  });

  it('names the URL of a failed request', async () => {
    const error = await rejection(loadMnist({ baseUrl: 'http://data.test/elsewhere/', fetch: fakeFetch([]) }));
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect(error.message).toContain('http://data.test/elsewhere/');
    expect(error.message).toContain('HTTP 404 Not Found');
  });

  it('names the URL when the network fails', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const error = await rejection(loadMnist({ baseUrl: 'http://down.test/mnist/', fetch: failing }));
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect(error.message).toMatch(/http:\/\/down\.test\/mnist\/.*-ubyte\.gz: fetch failed/);
  });
});

describe('SHA-256', () => {
  it('gives the same digest through node:crypto and Web Crypto', async () => {
    const bytes = readFileSync(join(VENDORED, MNIST_FILES.testLabels));
    const expected = MNIST_SHA256[MNIST_FILES.testLabels]!.gz;
    expect(await sha256HexNode(bytes)).toBe(expected);
    expect(await sha256HexWeb(new Uint8Array(bytes))).toBe(expected);
  });
});
