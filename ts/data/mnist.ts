// Loads MNIST (and, through loadIdxDataset, any dataset laid out the same way: four gzip IDX
// files of 28x28 uint8 images and labels 0-9). Files come from a folder in Node or over HTTP
// (`baseUrl`) anywhere; each is checked against its known SHA-256 before it is parsed.
//
// The Node- and browser-specific readers live in mnist-node.ts / mnist-browser.ts and are
// imported dynamically, so a browser bundle never pulls in node:fs, node:zlib or node:crypto.

import { DataFormatError, MlpError, ValueError, describe } from '../api/errors.js';
import { checkOptions } from '../api/validate.js';
import { MNIST_SHA256, sha256Hex, type FileDigests } from './checksums.js';
import { gunzip, isNodeRuntime } from './gunzip.js';
import { checkPair, idxError, parseIdx, type IdxFile, type IdxImages, type IdxLabels } from './idx.js';

/** A dataset file could not be read or fetched: missing, unreadable, or the HTTP request failed. */
export class DatasetUnavailableError extends MlpError {
  override name = 'DatasetUnavailableError';
}

export interface LoadMnistOptions {
  /** Node only: folder holding the four .gz files. */
  dir?: string;
  /** Fetch the four .gz files from here (a folder URL, absolute or relative to the page). */
  baseUrl?: string;
  /** The fetch used with `baseUrl`; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Check each file's SHA-256 against the known value (default true). */
  verify?: boolean;
}

export interface MnistSplit {
  /** count * 28 * 28 pixels, 0-255, image after image, row-major (a view, not a copy). */
  images: Uint8Array;
  /** count labels, 0-9 (a view, not a copy). */
  labels: Uint8Array;
  count: number;
  rows: 28;
  cols: 28;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
}

/** The four file names every MNIST-style dataset uses. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** Reads one dataset file; `source` (path or URL) is what error messages show. */
export type DatasetFileReader = (fileName: string) => Promise<{ bytes: Uint8Array; source: string }>;

/** How one MNIST-style dataset differs from another. @internal */
export interface DatasetSpec {
  name: string;
  /** The public function, named in argument errors. */
  functionName: string;
  checksums: Readonly<Record<string, FileDigests>>;
  /** Added to every file-not-found message in Node: how to get the dataset, if we know. */
  installHint?: string;
  /** Environment variable that overrides the default folder in Node. */
  envVar: string;
  /** Node only: the folder to use when neither `dir` nor the env variable is given. */
  defaultDir: () => Promise<{ dir?: string; hint: string }>;
}

const MNIST_SPEC: DatasetSpec = {
  name: 'MNIST',
  functionName: 'loadMnist',
  checksums: MNIST_SHA256,
  envVar: 'MNIST_DIR',
  defaultDir: async () => {
    const { findVendoredMnistDir } = await import('./mnist-node.js');
    const { dir, tried } = await findVendoredMnistDir();
    return {
      dir,
      hint:
        `The copy bundled with mlp-wasm was not found (${tried.length ? `looked in ${tried.join(', ')}` : 'this bundle does not know its own file location'}); ` +
        'pass { dir } or set MNIST_DIR to a folder holding the four MNIST .gz files.',
    };
  },
};

/**
 * Loads MNIST: 60,000 training and 10,000 test images of 28x28 pixels with labels 0-9.
 * Node: from `dir`, else $MNIST_DIR, else the copy vendored in the package's data/mnist/.
 * Browser: from `baseUrl` (serve data/mnist/ and point baseUrl at it).
 */
export function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  return loadIdxDataset(MNIST_SPEC, options);
}

/** Shared by loadMnist and loadFashionMnist. @internal */
export async function loadIdxDataset(spec: DatasetSpec, options: LoadMnistOptions | undefined): Promise<MnistData> {
  const o = checkLoadOptions(spec, options);
  const verify = o.verify ?? true;
  const read = await chooseReader(spec, o);
  const load = (name: string) => readVerifiedIdx(read, name, spec, verify);
  // Loaded in parallel, but a failure is reported in file order so the error is deterministic.
  const settled = await Promise.allSettled([
    load(MNIST_FILES.trainImages),
    load(MNIST_FILES.trainLabels),
    load(MNIST_FILES.testImages),
    load(MNIST_FILES.testLabels),
  ]);
  const [trainImages, trainLabels, testImages, testLabels] = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }) as [LoadedIdx, LoadedIdx, LoadedIdx, LoadedIdx];
  return {
    train: toSplit(trainImages, trainLabels),
    test: toSplit(testImages, testLabels),
  };
}

async function chooseReader(spec: DatasetSpec, options: LoadMnistOptions): Promise<DatasetFileReader> {
  if (options.baseUrl !== undefined) {
    const { fetchFileReader } = await import('./mnist-browser.js');
    return fetchFileReader(spec, options.baseUrl, options.fetch);
  }
  if (!isNodeRuntime()) {
    throw new ValueError(`${spec.functionName}: outside Node the files are fetched over HTTP; pass { baseUrl: 'URL of the folder holding the four .gz files' }`);
  }
  const { nodeFileReader } = await import('./mnist-node.js');
  const withInstall = (hint: string) => (spec.installHint ? `${hint} ${spec.installHint}` : hint);
  if (options.dir !== undefined) {
    return nodeFileReader(spec.name, options.dir, withInstall(`Check options.dir (${JSON.stringify(options.dir)}).`));
  }
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[spec.envVar];
  if (fromEnv) {
    const hint = `${spec.envVar} is set to ${JSON.stringify(fromEnv)}; point it at the folder holding the four .gz files, or unset it.`;
    return nodeFileReader(spec.name, fromEnv, withInstall(hint));
  }
  const { dir, hint } = await spec.defaultDir();
  if (dir === undefined) throw new DatasetUnavailableError(`${spec.name} files not found. ${withInstall(hint)}`);
  return nodeFileReader(spec.name, dir, withInstall(hint));
}

const LOAD_OPTIONS = ['dir', 'baseUrl', 'fetch', 'verify'] as const;

function checkLoadOptions(spec: DatasetSpec, given: unknown): LoadMnistOptions {
  const fn = spec.functionName;
  // An unknown key is most likely a typo ({ directory } for { dir }): refused, not ignored.
  const options = checkOptions(given, LOAD_OPTIONS, fn) as LoadMnistOptions;
  for (const key of ['dir', 'baseUrl'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new ValueError(`${fn}: options.${key} must be a non-empty string, got ${describe(value)}`);
    }
  }
  if (options.dir !== undefined && options.baseUrl !== undefined) {
    throw new ValueError(`${fn}: pass either options.dir (Node, a folder) or options.baseUrl (HTTP), not both`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ValueError(`${fn}: options.fetch must be a function, got ${describe(options.fetch)}`);
  }
  if (options.fetch !== undefined && options.baseUrl === undefined) {
    throw new ValueError(`${fn}: options.fetch is only used with options.baseUrl (the files are read from disk otherwise); pass both, or neither`);
  }
  if (options.verify !== undefined && typeof options.verify !== 'boolean') {
    throw new ValueError(`${fn}: options.verify must be a boolean, got ${describe(options.verify)}`);
  }
  return options;
}

/** Reads, verifies (when asked), decompresses and parses one file. */
async function readVerifiedIdx(read: DatasetFileReader, name: string, spec: DatasetSpec, verify: boolean): Promise<LoadedIdx> {
  const { bytes, source } = await read(name);
  const digests = spec.checksums[name]!;
  // The .gz digest is checked first because it is cheap; only when it differs is the data
  // decompressed and its own digest compared (a recompressed copy of the same data is fine).
  const actualGz = verify ? await sha256Hex(bytes) : '';
  const gzMatches = !verify || actualGz === digests.gz;
  let raw: Uint8Array;
  try {
    raw = await gunzip(bytes, source);
  } catch (error) {
    if (!gzMatches) throw checksumError(spec, source, digests, actualGz, 'its gzip data is corrupt too');
    throw error;
  }
  if (!gzMatches) {
    const actualRaw = raw === bytes ? actualGz : await sha256Hex(raw);
    if (actualRaw !== digests.raw) throw checksumError(spec, source, digests, actualGz, `uncompressed: ${actualRaw}`);
  }
  return { file: parseIdx(raw, source), source };
}

function checksumError(spec: DatasetSpec, source: string, expected: FileDigests, actual: string, detail: string): DataFormatError {
  return new DataFormatError(
    `${source}: SHA-256 mismatch: expected ${expected.gz} (the .gz file) or ${expected.raw} (its uncompressed content), ` +
      `got ${actual} (${detail}). The file is damaged or is not the original ${spec.name} file: replace it with a fresh copy, ` +
      `or pass { verify: false } to load it anyway.`,
  );
}

/** A parsed file and the path or URL it came from (for error messages). */
interface LoadedIdx {
  file: IdxFile;
  source: string;
}

function toSplit(images: LoadedIdx, labels: LoadedIdx): MnistSplit {
  const imageFile = requireImages(images);
  const labelFile = requireLabels(labels);
  if (imageFile.rows !== 28) throw idxError(images.source, 8, 'image height', '28 rows', `${imageFile.rows}`);
  if (imageFile.cols !== 28) throw idxError(images.source, 12, 'image width', '28 columns', `${imageFile.cols}`);
  checkPair(imageFile, labelFile, { images: images.source, labels: labels.source }, 10);
  return { images: imageFile.pixels, labels: labelFile.labels, count: imageFile.count, rows: 28, cols: 28 };
}

// A labels file where images are expected (or the reverse) parses fine, so check the kind.
function requireImages({ file, source }: LoadedIdx): IdxImages {
  if (file.kind === 'images') return file;
  throw idxError(source, 0, 'IDX magic number of an images file', '2051 (images)', '2049 (labels)');
}

function requireLabels({ file, source }: LoadedIdx): IdxLabels {
  if (file.kind === 'labels') return file;
  throw idxError(source, 0, 'IDX magic number of a labels file', '2049 (labels)', '2051 (images)');
}
