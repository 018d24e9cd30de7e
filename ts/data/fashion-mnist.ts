// Fashion-MNIST (Zalando): same layout as MNIST (60,000 + 10,000 images of 28x28, 10 classes),
// clothing instead of digits. Not vendored (30 MB); in Node it is read from Debian's
// dataset-fashion-mnist package by default.

import { FASHION_MNIST_SHA256 } from './checksums.js';
import { loadIdxDataset, type DatasetSpec, type LoadMnistOptions, type MnistData } from './mnist.js';

/** Class names, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Where Debian's dataset-fashion-mnist package installs the four .gz files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

const FASHION_MNIST_SPEC: DatasetSpec = {
  name: 'Fashion-MNIST',
  functionName: 'loadFashionMnist',
  checksums: FASHION_MNIST_SHA256,
  envVar: 'FASHION_MNIST_DIR',
  installHint: `On Debian/Ubuntu, \`apt-get install dataset-fashion-mnist\` installs it in ${FASHION_MNIST_DEBIAN_DIR}.`,
  defaultDir: async () => ({
    dir: FASHION_MNIST_DEBIAN_DIR,
    hint: 'To use a copy elsewhere, pass { dir } or set FASHION_MNIST_DIR to the folder holding its four .gz files.',
  }),
};

/**
 * Loads Fashion-MNIST. Node: from `dir`, else $FASHION_MNIST_DIR, else
 * /usr/share/datasets/fashion-mnist. Browser: from `baseUrl`. Labels index FASHION_MNIST_CLASSES.
 */
export function loadFashionMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  return loadIdxDataset(FASHION_MNIST_SPEC, options);
}
