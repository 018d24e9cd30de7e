// Node side of the dataset loaders: reading files from a folder and finding the MNIST copy
// vendored in the package. Only mnist.ts imports this, dynamically and only under Node; the
// node: modules themselves are imported dynamically too, so bundlers never follow them.

import { DatasetUnavailableError, type DatasetFileReader } from './mnist.js';

/**
 * Where data/mnist/ can be relative to the running module: ts/data/*.ts when run from source
 * (tests, tsx), dist/index.js (or dist/index.cjs) when bundled by tsup.
 */
const VENDORED_MNIST_CANDIDATES = ['../../data/mnist/', '../data/mnist/'];

/** A marker file that tells a real MNIST folder from an empty or unrelated one. */
const MARKER_FILE = 'train-images-idx3-ubyte.gz';

/** Finds the vendored data/mnist/ folder; `tried` lists every path looked at, for messages. */
export async function findVendoredMnistDir(moduleUrl: string = import.meta.url): Promise<{ dir?: string; tried: string[] }> {
  const { fileURLToPath } = await import('node:url');
  const { stat } = await import('node:fs/promises');
  const tried: string[] = [];
  for (const candidate of VENDORED_MNIST_CANDIDATES) {
    let dir: string;
    try {
      const url = new URL(candidate, moduleUrl);
      if (url.protocol !== 'file:') continue;
      dir = fileURLToPath(url);
    } catch {
      continue; // moduleUrl is not a usable URL in this bundle; try the next candidate
    }
    tried.push(dir);
    const found = await stat(dir + MARKER_FILE).then((s) => s.isFile(), () => false);
    if (found) return { dir, tried };
  }
  return { tried };
}

/**
 * Reads dataset files from `dir`. A missing `name.gz` falls back to the uncompressed `name`
 * (as some downloads unpack them); when neither exists the error names the path and `hint`.
 */
export async function nodeFileReader(datasetName: string, dir: string, hint: string): Promise<DatasetFileReader> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return async (fileName) => {
    const gzPath = join(dir, fileName);
    const rawPath = gzPath.replace(/\.gz$/, '');
    for (const path of gzPath === rawPath ? [gzPath] : [gzPath, rawPath]) {
      try {
        const buffer = await readFile(path);
        return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), source: path };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new DatasetUnavailableError(`${datasetName} file ${path} could not be read: ${(error as Error).message}`);
      }
    }
    throw new DatasetUnavailableError(`${datasetName} file not found: ${gzPath}. ${hint}`);
  };
}
