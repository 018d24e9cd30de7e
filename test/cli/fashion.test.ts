// `npm run mnist -- --dataset fashion-mnist`: the same job on Debian's Fashion-MNIST, with the
// classes named in the reports. Skipped (and said so) where dataset-fashion-mnist is missing.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FASHION_MNIST_DEBIAN_DIR } from '../../ts/data/fashion-mnist.js';
import { cli } from './helpers.js';

const installed = existsSync(join(FASHION_MNIST_DEBIAN_DIR, 'train-images-idx3-ubyte.gz'));
if (!installed) console.warn(`CLI Fashion-MNIST test skipped: ${FASHION_MNIST_DEBIAN_DIR} is missing (apt-get install dataset-fashion-mnist)`);

it.skipIf(!installed)('trains on Fashion-MNIST and names its classes in the reports', async () => {
  const r = await cli(['train', '--dataset', 'fashion-mnist', '--train-limit', '3000', '--test-limit', '1000', '--activation', 'relu', '--optimizer', 'adam', '--eta', '0.001', '--epochs', '3', '--hidden', '128', '--no-report']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const name of ['T-shirt/top', 'Trouser', 'Ankle boot']) expect(r.stdout).toContain(name);
  expect(r.stdout).toContain('Test set (1000 images):');
  // Well above chance (10%) after three epochs on 2,500 images.
  expect(Number(/Test accuracy: +([\d.]+)%/.exec(r.stdout)?.[1])).toBeGreaterThan(65);
});
