// The report's section 6 ("the same model in a standard framework", PyTorch there) with
// TensorFlow.js, the JavaScript counterpart: the same architecture, the same preprocessed
// data (copied out of our resident datasets), SGD with the same learning rate and batch size,
// Glorot-uniform weights and zero biases, cross-entropy on the softmax logits, and the loss
// logged every `logEvery` iterations like our runs.
//
// @tensorflow/tfjs is a devDependency, imported dynamically, so the library itself never
// depends on it. The WebAssembly backend (SIMD, no threads in Node) is used when it loads,
// else the pure-JS 'cpu' backend; both are slow next to our engine (~900 and ~200 samples/s
// on one core for this network).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PreparedData, TrainProgress } from '../index.js';
import type { TrainConfig } from './config.js';
import type { PeerRunResult } from './peer-run.js';
import type { ProgressReporter } from './progress.js';
import { mulberry32 } from '../util/mulberry32.js';

export interface TfjsRunResult extends PeerRunResult {
  backend: string;
}

// Minimal structural types for the parts of TF.js used here (it is an optional devDependency).
/* eslint-disable @typescript-eslint/no-explicit-any */
type Tf = any;

let loaded: Promise<{ tf: Tf; backend: string }> | null = null;

/** Loads TF.js once and picks the fastest backend available in Node without native add-ons. */
export function loadTfjs(): Promise<{ tf: Tf; backend: string }> {
  loaded ??= (async () => {
    let tf: Tf;
    // Computed specifiers: bundlers (tsup for dist/cli.js) must not pull TF.js into the CLI.
    const tfjsName = '@tensorflow/tfjs';
    const wasmName = '@tensorflow/tfjs-backend-wasm';
    try {
      tf = await import(/* @vite-ignore */ tfjsName);
    } catch (error) {
      throw new Error(`TensorFlow.js is not installed (npm install --save-dev @tensorflow/tfjs @tensorflow/tfjs-backend-wasm): ${(error as Error).message}`);
    }
    tf.enableProdMode(); // no per-op NaN checks, and no "install tfjs-node" banner
    try {
      const wasm = await import(/* @vite-ignore */ wasmName);
      const require = createRequire(import.meta.url);
      const pkg = dirname(require.resolve(`${wasmName}/package.json`));
      wasm.setWasmPaths(join(pkg, 'dist') + '/');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm' };
      }
    } catch {
      // fall through to the pure-JS backend
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu' };
  })();
  loaded.catch(() => (loaded = null));
  return loaded;
}


export interface TfjsOptions {
  signal?: AbortSignal;
  progress?: ProgressReporter | null;
}

export async function trainTfjs(config: TrainConfig, data: PreparedData, options: TfjsOptions = {}): Promise<TfjsRunResult> {
  const { tf, backend } = await loadTfjs();
  if (config.optimizer !== 'gd' || config.regularization || config.loss !== 'cross-entropy' || config.lrDecay !== 1) {
    throw new Error('the TensorFlow.js comparison supports plain SGD with cross-entropy only');
  }
  tf.engine().startScope();
  try {
    const toTensors = (ds: PreparedData['train']) => {
      const { X, Y } = ds.toMatrices();
      return { x: tf.tensor2d(X.data, [X.rows, X.cols]), y: tf.tensor2d(Y.data, [Y.rows, Y.cols]), n: X.rows };
    };
    const train = toTensors(data.train);
    const val = data.val ? toTensors(data.val) : null;
    const test = toTensors(data.test);

    const activation = config.activation === 'linear' ? 'linear' : config.activation;
    const model = tf.sequential();
    let seed = config.seed * 1000;
    const sizes = [data.features, ...config.hidden];
    config.hidden.forEach((units, i) =>
      model.add(tf.layers.dense({
        ...(i === 0 ? { inputShape: [sizes[0]] } : {}),
        units,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
        biasInitializer: 'zeros',
      })),
    );
    // Logits out; the softmax lives in the loss (as in our engine, exact for large logits).
    model.add(tf.layers.dense({
      ...(config.hidden.length === 0 ? { inputShape: [data.features] } : {}),
      units: data.classes,
      activation: 'linear',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
      biasInitializer: 'zeros',
    }));
    const optimizer = tf.train.sgd(config.eta);
    const lossOf = (x: Tf, y: Tf) => tf.losses.softmaxCrossEntropy(y, model.apply(x));

    const meanLoss = (set: { x: Tf; y: Tf; n: number }): number => {
      let total = 0;
      for (let start = 0; start < set.n; start += 2000) {
        const size = Math.min(2000, set.n - start);
        total += tf.tidy(() => lossOf(set.x.slice([start, 0], [size, -1]), set.y.slice([start, 0], [size, -1])).dataSync()[0] * size);
      }
      return total / set.n;
    };
    const predict = (set: { x: Tf; n: number }): Int32Array => {
      const out = new Int32Array(set.n);
      for (let start = 0; start < set.n; start += 2000) {
        const size = Math.min(2000, set.n - start);
        out.set(tf.tidy(() => model.apply(set.x.slice([start, 0], [size, -1])).argMax(1).dataSync()), start);
      }
      return out;
    };

    const random = mulberry32(config.seed);
    const n = train.n;
    const batchesPerEpoch = Math.ceil(n / config.batchSize);
    const history = { iteration: [] as number[], trainLoss: [] as number[], valLoss: [] as number[] };
    let iteration = 0;
    let windowLoss = 0;
    let windowCount = 0;
    let lastVal: number | null = null;
    let stopped = false;
    let samples = 0;
    const start = performance.now();
    const order = new Int32Array(n);
    outer: for (let epoch = 1; epoch <= config.epochs; epoch++) {
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (options.signal?.aborted) {
          stopped = true;
          break outer;
        }
        const idx = order.subarray(b * config.batchSize, Math.min(n, (b + 1) * config.batchSize));
        const loss = tf.tidy(() => {
          const indices = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(train.x, indices);
          const yb = tf.gather(train.y, indices);
          return optimizer.minimize(() => lossOf(xb, yb), true);
        });
        windowLoss += loss.dataSync()[0];
        loss.dispose();
        windowCount++;
        iteration++;
        samples += idx.length;
        const logged = iteration % config.logEvery === 0 || (epoch === config.epochs && b === batchesPerEpoch - 1);
        const trainLoss = windowLoss / windowCount;
        if (logged) {
          if (val) lastVal = meanLoss(val);
          history.iteration.push(iteration);
          history.trainLoss.push(trainLoss);
          if (val) history.valLoss.push(lastVal as number);
          windowLoss = 0;
          windowCount = 0;
        }
        if (options.progress && (b % 4 === 3 || logged || b === batchesPerEpoch - 1)) {
          const elapsed = (performance.now() - start) / 1000;
          const rate = samples / Math.max(elapsed, 1e-9);
          const p: TrainProgress = {
            epoch, epochs: config.epochs, batch: b + 1, batchesPerEpoch, iteration, trainLoss, valLoss: lastVal, logged,
            samplesPerSecond: rate, elapsedSeconds: elapsed, etaSeconds: ((config.epochs * batchesPerEpoch - iteration) * config.batchSize) / rate,
          };
          options.progress.update(p, 0);
        }
        // Let Ctrl-C (and the progress bar) through now and then.
        if (b % 8 === 7) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    options.progress?.finish();
    const seconds = (performance.now() - start) / 1000;
    const last = <T>(a: T[]) => (a.length ? a[a.length - 1]! : null);
    const result: TfjsRunResult = {
      backend,
      seconds,
      samples,
      stopped,
      history,
      trainPredictions: stopped ? new Int32Array(0) : predict(train),
      testPredictions: stopped ? new Int32Array(0) : predict(test),
      finalTrainLoss: last(history.trainLoss),
      finalValLoss: last(history.valLoss),
    };
    optimizer.dispose();
    model.dispose();
    return result;
  } finally {
    tf.engine().endScope();
  }
}
