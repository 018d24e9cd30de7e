// One training job's settings, their defaults (the report's baseline), how they become a
// network, and how they travel with a saved model (its metadata) so that `--resume` and
// `evaluate` rebuild exactly the same data pipeline.

import { CrossEntropyLoss, Linear, ReLU, Sigmoid, SquaredErrorLoss, Tanh, type Activation, type Loss } from '../index.js';
import { UsageError, type DatasetChoice, type HiddenActivation, type InitChoice, type LossChoice, type StandardizeChoice } from './args.js';
import type { U8Transform } from '../index.js';

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

/** The CLI metadata of a loaded model, or null when the model was saved by something else. */
export function readMetadata(metadata: Record<string, unknown> | undefined): CliMetadata | null {
  if (!metadata || metadata.savedBy !== 'mlp-wasm cli') return null;
  const config = metadata.config as Partial<TrainConfig> | undefined;
  if (!config || typeof config !== 'object') return null;
  return { ...(metadata as unknown as CliMetadata), config: { ...BASELINE, ...config } as TrainConfig };
}

/** Float32 arrays equal to a stored transform? (a resumed run must see the same inputs) */
export function sameTransform(a: U8Transform, b: CliMetadata['transform']): boolean {
  if (a.scale !== b.scale || a.mean.length !== b.mean.length) return false;
  for (let i = 0; i < a.mean.length; i++) {
    if (a.mean[i] !== Math.fround(b.mean[i]!) || a.std[i] !== Math.fround(b.std[i]!)) return false;
  }
  return true;
}
