// Expected SHA-256 of the dataset files, and the hashing that checks them.
// Each file has two digests: of the .gz as distributed, and of its uncompressed content. The
// loader accepts either, so a copy recompressed differently (or an HTTP server that decodes
// .gz on the way) still verifies as long as the data itself is the original.

import { MlpError } from '../api/errors.js';
import { isNodeRuntime } from './gunzip.js';

export interface FileDigests {
  /** SHA-256 of the .gz file, lowercase hex. */
  gz: string;
  /** SHA-256 of the uncompressed IDX file, lowercase hex. */
  raw: string;
}

/** MNIST, as vendored in data/mnist/ (byte-identical to the originally published files). */
export const MNIST_SHA256: Readonly<Record<string, FileDigests>> = {
  'train-images-idx3-ubyte.gz': {
    gz: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    raw: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  },
  'train-labels-idx1-ubyte.gz': {
    gz: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    raw: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  },
  't10k-images-idx3-ubyte.gz': {
    gz: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    raw: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  },
  't10k-labels-idx1-ubyte.gz': {
    gz: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    raw: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
};

/**
 * Fashion-MNIST. The .gz digests are of the files in Debian's dataset-fashion-mnist
 * (0.0~git20200523.55506a9-1), which are compressed differently from Zalando's downloads;
 * the uncompressed digests identify the data whichever copy is used.
 */
export const FASHION_MNIST_SHA256: Readonly<Record<string, FileDigests>> = {
  'train-images-idx3-ubyte.gz': {
    gz: 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7',
    raw: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  },
  'train-labels-idx1-ubyte.gz': {
    gz: '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056',
    raw: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  },
  't10k-images-idx3-ubyte.gz': {
    gz: 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa',
    raw: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  },
  't10k-labels-idx1-ubyte.gz': {
    gz: '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05',
    raw: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
};

/** SHA-256 as lowercase hex: node:crypto in Node (loaded lazily), Web Crypto elsewhere. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return isNodeRuntime() ? sha256HexNode(bytes) : sha256HexWeb(bytes);
}

/** Exported for tests. */
export async function sha256HexNode(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** Exported for tests. Needs a secure context in browsers (https or localhost). */
export async function sha256HexWeb(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new MlpError('SHA-256 needs Web Crypto (crypto.subtle), which browsers only offer on https:// or localhost pages; serve the page securely or pass verify: false');
  }
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
