// The pieces every command shares: loading and preparing the data, building a network from a
// TrainConfig, the training loop (progress, Ctrl-C, checkpoints every N epochs) and the
// evaluation of a split into a classification report.

import {
  FeedForwardNeuralNets,
  classificationReport,
  confusionMatrix,
  loadFashionMnist,
  loadMnist,
  prepareMnist,
  type ClassificationReport,
  type Dataset,
  type MnistData,
  type PreparedData,
  type TrainProgress,
} from '../index.js';
import { SPLIT_SEED, hiddenActivation, lossOf, scheduleOf, type TrainConfig } from './config.js';
import type { DatasetChoice } from './args.js';
import type { ProgressReporter } from './progress.js';

const rawCache = new Map<DatasetChoice, Promise<MnistData>>();

/** The raw dataset (read and checked once per process). */
export function loadRaw(dataset: DatasetChoice): Promise<MnistData> {
  let p = rawCache.get(dataset);
  if (!p) {
    p = dataset === 'mnist' ? loadMnist() : loadFashionMnist();
    p.catch(() => rawCache.delete(dataset));
    rawCache.set(dataset, p);
  }
  return p;
}

/** Train / validation / test datasets as the config asks (split seed fixed at SPLIT_SEED). */
export async function loadData(config: TrainConfig): Promise<PreparedData> {
  const raw = await loadRaw(config.dataset);
  return prepareMnist(raw, {
    validationSize: config.validationSize,
    seed: SPLIT_SEED,
    standardize: config.standardize,
    ...(config.trainLimit !== null ? { trainLimit: config.trainLimit } : {}),
    ...(config.testLimit !== null ? { testLimit: config.testLimit } : {}),
  });
}

export function createNetwork(config: TrainConfig, data: PreparedData): FeedForwardNeuralNets {
  return new FeedForwardNeuralNets({
    inputs: data.features,
    outputs: data.classes,
    hiddenLayers: config.hidden,
    g: hiddenActivation(config.activation),
    L: lossOf(config),
    eta: config.eta,
    optimizer: config.optimizer,
    initializationMethod: config.init,
    batchSize: config.batchSize,
    seed: config.seed,
  });
}

export interface TrainLoopOptions {
  signal?: AbortSignal;
  progress?: ProgressReporter | null;
  /** Save every this many epochs (counted in total epochs, so resumed runs keep the rhythm). */
  checkpointEvery?: number | null;
  onCheckpoint?: (net: FeedForwardNeuralNets) => void;
}

export interface TrainLoopResult {
  /** Seconds spent inside trainAsync (excludes checkpoint saves). */
  seconds: number;
  samples: number;
  stopped: boolean;
  /** Where training stopped: the last progress report seen. */
  last: { epoch: number; batch: number; batchesPerEpoch: number; iteration: number } | null;
}

/**
 * Trains `net` until it has `config.epochs` epochs in total. With checkpoints, training runs
 * in stretches of whole epochs between saves; the weights are the same as in one stretch
 * (only the loss history gains a point at each boundary).
 */
export async function trainLoop(net: FeedForwardNeuralNets, config: TrainConfig, data: PreparedData, options: TrainLoopOptions = {}): Promise<TrainLoopResult> {
  const schedule = scheduleOf(config);
  const every = options.checkpointEvery ?? null;
  let seconds = 0;
  let samples = 0;
  let last: TrainLoopResult['last'] = null;
  while (net.epochsTrained < config.epochs) {
    const left = config.epochs - net.epochsTrained;
    const stretch = every ? Math.min(left, every - (net.epochsTrained % every)) : left;
    const offset = net.epochsTrained;
    const onProgress = (p: TrainProgress) => {
      last = { epoch: offset + p.epoch, batch: p.batch, batchesPerEpoch: p.batchesPerEpoch, iteration: p.iteration };
      options.progress?.update(p, offset);
    };
    const result = await net.trainAsync(stretch, {
      data: data.train,
      ...(data.val ? { validationData: data.val } : {}),
      logEvery: config.logEvery,
      onProgress,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(schedule ? { learningRate: schedule } : {}),
    });
    seconds += result.seconds;
    samples += result.iterations * Math.min(config.batchSize, data.train.n);
    if (result.stopped) {
      options.progress?.finish();
      return { seconds, samples, stopped: true, last };
    }
    if (every && net.epochsTrained % every === 0) options.onCheckpoint?.(net);
  }
  options.progress?.finish();
  return { seconds, samples, stopped: false, last };
}

export interface SplitEvaluation {
  labels: Int32Array;
  predictions: Int32Array;
  report: ClassificationReport;
  accuracy: number;
}

export function evaluateSplit(net: FeedForwardNeuralNets, ds: Dataset, targetNames?: readonly string[]): SplitEvaluation {
  const labels = ds.labels;
  const predictions = net.predict(ds);
  const options = targetNames ? { targetNames: [...targetNames], labels: targetNames.map((_, i) => i) } : {};
  const report = classificationReport(labels, predictions, options);
  return { labels, predictions, report, accuracy: report.accuracy };
}

export function confusionOf(e: SplitEvaluation, classes: number): { labels: number[]; matrix: number[][] } {
  const labels = Array.from({ length: classes }, (_, i) => i);
  const cm = confusionMatrix(e.labels, e.predictions, { labels });
  return { labels: cm.labels, matrix: cm.matrix };
}

/** The last logged losses (what the report calls "final training / validation loss"). */
export function finalLosses(net: FeedForwardNeuralNets): { train: number | null; val: number | null } {
  const h = net.history;
  return {
    train: h.trainLoss.length ? h.trainLoss[h.trainLoss.length - 1]! : null,
    val: h.valLoss.length ? h.valLoss[h.valLoss.length - 1]! : null,
  };
}
