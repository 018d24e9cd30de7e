// One training job's settings, their defaults (the report's baseline), how they become a
// network, and how they travel with a saved model (its metadata) so that `--resume` and
// `evaluate` rebuild exactly the same data pipeline.

import { CrossEntropyLoss, Linear, ReLU, Sigmoid, SquaredErrorLoss, Tanh, type Activation, type Loss } from '../index.js';
import type { U8Transform } from '../index.js';
import { DataFormatError, ValueError, describe } from '../api/errors.js';
import { inRange, nonNegativeInteger, oneOf, positiveFinite, positiveFloat32, positiveInteger } from '../api/validate.js';
import {
  DATASETS,
  HIDDEN_ACTIVATIONS,
  INITS,
  LOSSES,
  OPTIMIZERS,
  STANDARDIZATIONS,
  UsageError,
  type DatasetChoice,
  type HiddenActivation,
  type InitChoice,
  type LossChoice,
  type StandardizeChoice,
} from './args.js';

export interface TrainConfig {
  dataset: DatasetChoice;
  hidden: number[];
  activation: HiddenActivation;
  loss: LossChoice;
  /** L1 or L2 strength; null for none. */
  regularization: { kind: 'l1' | 'l2'; alpha: number } | null;
  init: InitChoice;
  optimizer: 'gd' | 'adam';
  eta: number;
  /** Learning rate at epoch e is eta·lrDecay^(e−1); 1 keeps it constant. */
  lrDecay: number;
  epochs: number;
  batchSize: number;
  seed: number;
  standardize: StandardizeChoice;
  validationSize: number;
  trainLimit: number | null;
  testLimit: number | null;
  logEvery: number;
}

/** The report's baseline (sections 3.1 and 3.2). */
export const BASELINE: Readonly<TrainConfig> = Object.freeze({
  dataset: 'mnist',
  hidden: [500, 250, 100],
  activation: 'sigmoid',
  loss: 'cross-entropy',
  regularization: null,
  init: 'glorot',
  optimizer: 'gd',
  eta: 0.01,
  lrDecay: 1,
  epochs: 15,
  batchSize: 64,
  seed: 1,
  standardize: 'global',
  validationSize: 10_000,
  trainLimit: null,
  testLimit: null,
  logEvery: 200,
});

/** Seed of the train/validation split: fixed, so every run sees the same validation set. */
export const SPLIT_SEED = 0;

/** Applies the data-size flags (--train-limit, --validation, --test-limit, --log-every) that
 *  `train` and `experiments` share, and checks that a validation split is left to train on. */
export function applyDataFlags(c: TrainConfig, v: Record<string, unknown>): void {
  if (v['train-limit'] !== undefined) {
    c.trainLimit = v['train-limit'] as number;
    // The report holds out 10,000 of 60,000 (one sixth); keep that share for subsets.
    if (v.validation === undefined) c.validationSize = Math.min(c.validationSize, Math.floor(c.trainLimit / 6));
  }
  if (v.validation !== undefined) c.validationSize = v.validation as number;
  if (v['test-limit'] !== undefined) c.testLimit = v['test-limit'] as number;
  if (v['log-every'] !== undefined) c.logEvery = v['log-every'] as number;
  const available = Math.min(c.trainLimit ?? 60_000, 60_000);
  if (c.validationSize >= available) {
    throw new UsageError(`--validation (${c.validationSize}) must be smaller than the ${available} training images${c.trainLimit !== null ? ' of --train-limit' : ''}`);
  }
}

export function hiddenActivation(name: HiddenActivation): Activation {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'tanh':
      return new Tanh();
    case 'linear':
      return new Linear();
    default:
      return new Sigmoid();
  }
}

export function lossOf(config: TrainConfig): Loss {
  const options = config.regularization ? { alpha: config.regularization.alpha, regularization: config.regularization.kind } : {};
  return config.loss === 'squared-error' ? new SquaredErrorLoss(options) : new CrossEntropyLoss(options);
}

/** The learning-rate schedule, or undefined for a constant rate (nothing is set per epoch). */
export function scheduleOf(config: TrainConfig): ((epoch: number) => number) | undefined {
  if (config.lrDecay === 1) return undefined;
  return (epoch) => config.eta * config.lrDecay ** (epoch - 1);
}

/** "784-500-250-100-10". */
export function architecture(config: TrainConfig, inputs = 784, outputs = 10): string {
  return [inputs, ...config.hidden, outputs].join('-');
}

/** A short default run name, e.g. "mnist-sigmoid-gd" or "mnist-relu-adam-l2". */
export function defaultName(config: TrainConfig): string {
  const parts: string[] = [config.dataset, config.activation, config.optimizer];
  if (config.hidden.join(',') !== BASELINE.hidden.join(',')) parts.push(config.hidden.length ? config.hidden.join('x') : 'linear-model');
  if (config.regularization) parts.push(config.regularization.kind);
  return parts.join('-');
}

/** The settings as the report's configuration table shows them. */
export function configTable(config: TrainConfig, sizes: { train: number; val: number; test: number }): Record<string, string | number> {
  const reg = config.regularization ? `${config.regularization.kind.toUpperCase()}, alpha = ${config.regularization.alpha}` : 'none';
  return {
    Dataset: config.dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST',
    Architecture: architecture(config),
    'Hidden activation': config.activation,
    'Output activation': 'softmax',
    Loss: config.loss,
    Regularisation: reg,
    Initialisation: config.init,
    Optimiser: config.optimizer === 'gd' ? 'gradient descent' : 'Adam (β1 0.9, β2 0.999, ε 1e-8)',
    'Learning rate': config.lrDecay === 1 ? config.eta : `${config.eta} × ${config.lrDecay}^(epoch−1)`,
    'Batch size': config.batchSize,
    Epochs: config.epochs,
    Seed: config.seed,
    Standardisation: config.standardize,
    'Training / validation / test images': `${sizes.train} / ${sizes.val} / ${sizes.test}`,
    'Loss logged every': `${config.logEvery} iterations`,
  };
}

/** What the CLI stores in `save({ metadata })`. */
export interface CliMetadata {
  savedBy: 'mlp-wasm cli';
  dataset: DatasetChoice;
  config: TrainConfig;
  splitSeed: number;
  /** The preprocessing applied to the pixels: (pixel·scale − mean) / std. */
  transform: { scale: number; mean: number[]; std: number[] };
}

export function metadataFor(config: TrainConfig, transform: U8Transform): CliMetadata {
  return {
    savedBy: 'mlp-wasm cli',
    dataset: config.dataset,
    config: { ...config, hidden: [...config.hidden] },
    splitSeed: SPLIT_SEED,
    transform: { scale: transform.scale, mean: Array.from(transform.mean), std: Array.from(transform.std) },
  };
}

/**
 * The CLI metadata of a loaded model (from `file`), or null when the model was saved by
 * something else. Every field is checked, so a damaged file is a DataFormatError naming the
 * file and the field, not a TypeError half-way through a run. Settings missing from the
 * stored config (files from older versions) take the baseline's value.
 */
export function readMetadata(metadata: Record<string, unknown> | undefined, file: string): CliMetadata | null {
  if (!metadata || metadata.savedBy !== 'mlp-wasm cli') return null;
  return asDataFormatError(() => {
    const config = readConfig(metadata.config, file);
    const dataset = oneOf(metadata.dataset, DATASETS, file, 'metadata.dataset');
    if (dataset !== config.dataset) {
      throw new DataFormatError(`${file}: metadata.dataset (${JSON.stringify(dataset)}) must equal metadata.config.dataset (${JSON.stringify(config.dataset)})`);
    }
    if (metadata.splitSeed !== SPLIT_SEED) {
      throw new DataFormatError(`${file}: metadata.splitSeed must be ${SPLIT_SEED} (the only train/validation split this CLI makes), got ${describe(metadata.splitSeed)}`);
    }
    return { savedBy: 'mlp-wasm cli', dataset, config, splitSeed: SPLIT_SEED, transform: readTransform(metadata.transform, file) };
  });
}

/** Pixels of a 28x28 image: every dataset the CLI knows, so the length of a stored transform. */
const PIXELS = 784;

type FieldCheck<T> = (value: unknown, where: string, field: string) => T;

/** A whole number >= min below 2^53, which arithmetic keeps exact (epochs, counts, seeds). */
const wholeNumber = (min: 0 | 1): FieldCheck<number> => (value, where, field) =>
  min === 1 ? positiveInteger(value, where, field) : nonNegativeInteger(value, where, field);

const orNull = <T>(check: FieldCheck<T>): FieldCheck<T | null> => (value, where, field) => (value === null ? null : check(value, where, field));

const choiceOf = <T extends string>(choices: readonly T[]): FieldCheck<T> => (value, where, field) => oneOf(value, choices, where, field);

const layerSizes: FieldCheck<number[]> = (value, where, field) => {
  if (!Array.isArray(value)) throw new ValueError(`${where}: ${field} must be an array of layer sizes, got ${describe(value)}`);
  return value.map((size, i) => wholeNumber(1)(size, where, `${field}[${i}]`));
};

const regularization: FieldCheck<TrainConfig['regularization']> = orNull((value, where, field) => {
  const r = value as { kind?: unknown; alpha?: unknown } | undefined;
  if (typeof r !== 'object' || r === null) throw new ValueError(`${where}: ${field} must be null or { kind, alpha }, got ${describe(value)}`);
  return { kind: oneOf(r.kind, ['l1', 'l2'] as const, where, `${field}.kind`), alpha: inRange(r.alpha, 0, Infinity, where, `${field}.alpha`) };
});

const decayFactor: FieldCheck<number> = (value, where, field) => {
  const factor = positiveFinite(value, where, field);
  if (factor > 1) throw new ValueError(`${where}: ${field} must be in (0, 1] (the factor applied to the learning rate each epoch), got ${describe(value)}`);
  return factor;
};

/** One check per setting: the type makes a new TrainConfig field without a check an error. */
const CONFIG_CHECKS: { [K in keyof TrainConfig]: FieldCheck<TrainConfig[K]> } = {
  dataset: choiceOf(DATASETS),
  hidden: layerSizes,
  activation: choiceOf(HIDDEN_ACTIVATIONS),
  loss: choiceOf(LOSSES),
  regularization,
  init: choiceOf(INITS),
  optimizer: choiceOf(OPTIMIZERS),
  eta: positiveFloat32,
  lrDecay: decayFactor,
  epochs: wholeNumber(1),
  batchSize: wholeNumber(1),
  seed: wholeNumber(0),
  standardize: choiceOf(STANDARDIZATIONS),
  validationSize: wholeNumber(0),
  trainLimit: orNull(wholeNumber(1)),
  testLimit: orNull(wholeNumber(1)),
  logEvery: wholeNumber(1),
};

function readConfig(value: unknown, file: string): TrainConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFormatError(`${file}: metadata.config must be an object, got ${describe(value)}`);
  }
  const stored = value as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(CONFIG_CHECKS) as [keyof TrainConfig, FieldCheck<unknown>][]) {
    config[key] = check(key in stored ? stored[key] : BASELINE[key], file, `metadata.config.${key}`);
  }
  const c = config as unknown as TrainConfig;
  const available = Math.min(c.trainLimit ?? 60_000, 60_000);
  if (c.validationSize >= available) {
    throw new DataFormatError(`${file}: metadata.config.validationSize must be smaller than the ${available} training images, got ${c.validationSize}`);
  }
  return c;
}

function readTransform(value: unknown, file: string): CliMetadata['transform'] {
  const t = value as { scale?: unknown; mean?: unknown; std?: unknown } | undefined;
  if (typeof t !== 'object' || t === null) throw new DataFormatError(`${file}: metadata.transform must be an object { scale, mean, std }, got ${describe(value)}`);
  return {
    scale: positiveFloat32(t.scale, file, 'metadata.transform.scale'),
    mean: float32Array(t.mean, file, 'metadata.transform.mean', -Infinity),
    std: float32Array(t.std, file, 'metadata.transform.std', 0),
  };
}

/** PIXELS numbers >= min that stay finite as float32 (the engine's type for them). */
function float32Array(value: unknown, file: string, field: string, min: number): number[] {
  if (!Array.isArray(value) || value.length !== PIXELS) {
    throw new DataFormatError(`${file}: ${field} must be an array of ${PIXELS} numbers (one per pixel), got ${describe(value)}`);
  }
  value.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(Math.fround(x)) || x < min) {
      throw new DataFormatError(`${file}: ${field}[${i}] must be a finite float32 number${min === 0 ? ' >= 0' : ''}, got ${describe(x)}`);
    }
  });
  return value as number[];
}

/** The shared validators throw ValueError; in a file, a bad value is a DataFormatError. */
function asDataFormatError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ValueError) throw new DataFormatError(error.message);
    throw error;
  }
}

/** Float32 arrays equal to a stored transform? (a resumed run must see the same inputs) */
export function sameTransform(a: U8Transform, b: CliMetadata['transform']): boolean {
  if (a.scale !== b.scale || a.mean.length !== b.mean.length) return false;
  for (let i = 0; i < a.mean.length; i++) {
    if (a.mean[i] !== Math.fround(b.mean[i]!) || a.std[i] !== Math.fround(b.std[i]!)) return false;
  }
  return true;
}
