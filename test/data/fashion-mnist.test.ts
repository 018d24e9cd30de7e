// loadFashionMnist: reads Debian's dataset-fashion-mnist when it is installed; says how to
// install it when it is not.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEBIAN_DIR, loadFashionMnist } from '../../ts/data/fashion-mnist.js';
import { DatasetUnavailableError } from '../../ts/data/mnist.js';

const installed = existsSync(join(FASHION_MNIST_DEBIAN_DIR, 'train-images-idx3-ubyte.gz'));
if (!installed) {
  // Printed so a skipped run is never mistaken for a passing one.
  console.warn(`Fashion-MNIST tests skipped: ${FASHION_MNIST_DEBIAN_DIR} is missing (apt-get install dataset-fashion-mnist)`);
}

describe('Fashion-MNIST', () => {
  const savedEnv = process.env.FASHION_MNIST_DIR;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.FASHION_MNIST_DIR;
    else process.env.FASHION_MNIST_DIR = savedEnv;
  });

  it('names its 10 classes in label order', () => {
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    expect(FASHION_MNIST_CLASSES[0]).toBe('T-shirt/top');
    expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
  });

  it.skipIf(!installed)(`loads from ${FASHION_MNIST_DEBIAN_DIR} (skipped when dataset-fashion-mnist is not installed)`, async () => {
    const data = await loadFashionMnist();
    expect(data.train).toMatchObject({ count: 60000, rows: 28, cols: 28 });
    expect(data.test).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    expect(Array.from(data.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(data.test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const counts = (labels: Uint8Array) => labels.reduce((acc, l) => (acc[l]!++, acc), new Array<number>(10).fill(0));
    expect(counts(data.train.labels)).toEqual(new Array(10).fill(6000));
    expect(counts(data.test.labels)).toEqual(new Array(10).fill(1000));
    const mean = data.train.images.reduce((s, p) => s + p, 0) / data.train.images.length / 255;
    expect(mean).toBeCloseTo(0.286041, 5);
  });

  it('says how to install it when the folder is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mlp-wasm-fashion-'));
    process.env.FASHION_MNIST_DIR = empty;
    try {
      const error = await loadFashionMnist().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(DatasetUnavailableError);
      expect(error!.message).toContain(join(empty, 'train-images-idx3-ubyte.gz'));
      expect(error!.message).toContain('FASHION_MNIST_DIR');
      expect(error!.message).toContain('apt-get install dataset-fashion-mnist');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('suggests apt-get whenever the files are missing', async () => {
    const error = await loadFashionMnist({ dir: '/nonexistent/fashion' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect(error!.message).toContain('/nonexistent/fashion/train-images-idx3-ubyte.gz');
    expect(error!.message).toContain('apt-get install dataset-fashion-mnist');
  });
});
