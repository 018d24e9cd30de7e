// Preprocessing as the report describes (section 2): a seeded split of the training images
// into training and validation sets, normalisation to [0, 1], standardisation with the
// *training* set's statistics (global, or per pixel), flattening and one-hot labels.
// The uint8 → float32 expansion happens once, inside the engine, straight into the
// resident datasets the network trains on.

import { Dataset, type U8Transform } from '../api/dataset.js';
import { Matrix } from '../api/matrix.js';
import { ShapeError, ValueError, describe } from '../api/errors.js';
import { MAX_ENGINE_COUNT, checkOptions, nonNegativeInteger, oneOf, positiveInteger, seedParts } from '../api/validate.js';
import { getEngine } from '../wasm/load.js';
import type { MnistData, MnistSplit } from './mnist.js';

export type Standardization = 'global' | 'per-pixel' | 'none';

export interface PrepareOptions {
  /** Training images held out for validation (default 10,000; 0 for none). */
  validationSize?: number;
  /** Seed of the train/validation split (default 0). */
  seed?: number;
  /** 'global' (one mean and deviation, the default), 'per-pixel', or 'none' (only / 255). */
  standardize?: Standardization;
  /** Use only the first N training images (before the split), e.g. for quick runs. */
  trainLimit?: number;
  /** Use only the first N test images. */
  testLimit?: number;
  classes?: number;
}

export interface PreparedData {
  train: Dataset;
  val: Dataset | null;
  test: Dataset;
  /** What was applied to the pixels: reuse it for new images (see `imagesToMatrix`). */
  transform: U8Transform;
  features: number;
  classes: number;
  dispose(): void;
}

/** Resident, standardised train / validation / test datasets from raw MNIST-style data. */
export function prepareMnist(data: MnistData, options: PrepareOptions = {}): PreparedData {
  const where = 'prepareMnist';
  const o = checkOptions(options, ['validationSize', 'seed', 'standardize', 'trainLimit', 'testLimit', 'classes'], where) as PrepareOptions;
  if (data === null || typeof data !== 'object') throw new ValueError(`${where}: data must be { train, test } as loadMnist returns, got ${describe(data)}`);
  checkSplit(data.train, where, 'data.train');
  checkSplit(data.test, where, 'data.test');
  if (data.test.rows * data.test.cols !== data.train.rows * data.train.cols) {
    throw new ShapeError(`${where}: data.test images have ${data.test.rows * data.test.cols} pixels but data.train images ${data.train.rows * data.train.cols}`);
  }
  const features = data.train.rows * data.train.cols;
  const classes = positiveInteger(o.classes ?? 10, where, 'classes');
  const trainCount = Math.min(data.train.count, o.trainLimit === undefined ? Infinity : positiveInteger(o.trainLimit, where, 'trainLimit'));
  const testCount = Math.min(data.test.count, o.testLimit === undefined ? Infinity : positiveInteger(o.testLimit, where, 'testLimit'));
  const validationSize = nonNegativeInteger(o.validationSize ?? 10_000, where, 'validationSize');
  if (validationSize >= trainCount) {
    throw new ShapeError(`${where}: validationSize must be smaller than the ${trainCount} training images, got ${validationSize}`);
  }
  const standardize = oneOf(o.standardize ?? 'global', ['global', 'per-pixel', 'none'] as const, where, 'standardize');
  const order = permutation(trainCount, o.seed ?? 0, where);
  const trainRows = order.slice(0, trainCount - validationSize).sort();
  const valRows = order.slice(trainCount - validationSize).sort();

  const transform = statistics(data.train, trainRows, features, standardize);
  const source = { pixels: data.train.images, labels: data.train.labels, features };
  const made: Dataset[] = [];
  try {
    const train = Dataset.fromU8(source, trainRows, classes, transform, where);
    made.push(train);
    const val = validationSize > 0 ? Dataset.fromU8(source, valRows, classes, transform, where) : null;
    if (val) made.push(val);
    const testSource = { pixels: data.test.images, labels: data.test.labels, features };
    const test = Dataset.fromU8(testSource, identity(testCount), classes, transform, where);
    made.push(test);
    return { train, val, test, transform, features, classes, dispose: () => made.forEach((d) => d.dispose()) };
  } catch (e) {
    made.forEach((d) => d.dispose());
    throw e;
  }
}

/** New 8-bit images (count x features) preprocessed exactly like the training data. */
export function imagesToMatrix(pixels: Uint8Array, transform: U8Transform): Matrix {
  if (!(pixels instanceof Uint8Array)) throw new ValueError(`imagesToMatrix: pixels must be a Uint8Array, got ${describe(pixels)}`);
  if (transform === null || typeof transform !== 'object' || !(transform.mean instanceof Float32Array)) {
    throw new ValueError(`imagesToMatrix: transform must be { scale, mean, std } with Float32Array mean and std (as prepareMnist returns), got ${describe(transform)}`);
  }
  const d = transform.mean.length;
  const count = Math.floor(pixels.length / d);
  if (count * d !== pixels.length || count === 0) {
    throw new ShapeError(`imagesToMatrix: pixels must be a whole, non-zero number of ${d}-byte images, got ${pixels.length} bytes`);
  }
  const ds = Dataset.fromU8({ pixels, labels: new Uint8Array(count), features: d }, identity(count), 1, transform, 'imagesToMatrix');
  try {
    return ds.toMatrices().X;
  } finally {
    ds.dispose();
  }
}

/** One split as loadMnist returns it: byte arrays whose lengths agree with the counts. */
function checkSplit(split: MnistSplit, where: string, arg: string): void {
  if (split === null || typeof split !== 'object') throw new ValueError(`${where}: ${arg} must be { images, labels, count, rows, cols }, got ${describe(split)}`);
  for (const key of ['count', 'rows', 'cols'] as const) positiveInteger(split[key], where, `${arg}.${key}`, MAX_ENGINE_COUNT);
  for (const key of ['images', 'labels'] as const) {
    if (!(split[key] instanceof Uint8Array)) throw new ValueError(`${where}: ${arg}.${key} must be a Uint8Array, got ${describe(split[key])}`);
  }
  const pixels = split.count * split.rows * split.cols;
  if (split.images.length !== pixels) throw new ShapeError(`${where}: ${arg}.images must hold count x rows x cols = ${pixels} bytes, got ${split.images.length}`);
  if (split.labels.length !== split.count) throw new ShapeError(`${where}: ${arg}.labels must hold count = ${split.count} labels, got ${split.labels.length}`);
}

function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

function permutation(n: number, seed: number, where: string): Uint32Array {
  const [lo, hi] = seedParts(seed, where);
  const engine = getEngine(where);
  return engine.scoped((s) => {
    const out = s.allocOf(Uint32Array, n);
    engine.check(engine.exports.mlp_permutation(lo, hi, n, out), where);
    return s.copyOut(Uint32Array, out, n);
  });
}

/** Mean and deviation of the selected training rows, computed by the engine. */
function statistics(split: MnistSplit, rows: Uint32Array, d: number, mode: Standardization): U8Transform {
  const scale = 1 / 255;
  if (mode === 'none') return { scale, mean: new Float32Array(d), std: new Float32Array(d).fill(1) };
  // Gather the selected rows contiguously (row copies, no per-pixel work here).
  const gathered = new Uint8Array(rows.length * d);
  rows.forEach((r, i) => gathered.set(split.images.subarray(r * d, (r + 1) * d), i * d));
  const engine = getEngine('prepareMnist');
  return engine.scoped((s) => {
    const mean = s.allocOf(Float32Array, d);
    const std = s.allocOf(Float32Array, d);
    engine.check(engine.exports.mlp_u8_statistics(s.copyIn(gathered), gathered.length, d, scale, mode === 'per-pixel' ? 1 : 0, mean, std), 'prepareMnist');
    return { scale, mean: s.copyOut(Float32Array, mean, d), std: s.copyOut(Float32Array, std, d) };
  });
}
