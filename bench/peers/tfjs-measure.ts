// Measures TensorFlow.js on the reference network inside the current process. Run it in a
// fresh process per backend (see tfjs-child.ts): TF.js keeps global engine state, and the
// wasm backend can only be initialised once per process.

import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { summarize, timeIt, toRate, type Summary } from '../lib/stats.js';
import { syntheticMnistLike } from '../lib/synthetic.js';
import { INFERENCE_BATCH, LEARNING_RATE, REFERENCE_LAYERS, TRAIN_BATCH } from '../lib/reference-net.js';

export type TfjsBackend = 'wasm' | 'cpu';

/** Prefixes of the lines the child process answers with (TF.js may print other lines). */
export const MARKERS = { result: '@@tfjs-result@@', ready: '@@tfjs-ready@@', sample: '@@tfjs-sample@@' } as const;

export interface TfjsOptions {
  backend: TfjsBackend;
  quick: boolean;
  /** Requested XNNPACK threads for the wasm backend. In Node TF.js never enables its threaded
   *  build (WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false there), so the real count is reported. */
  threads?: number;
}

export interface TfjsResult {
  peer: 'tfjs';
  version: string;
  backend: TfjsBackend;
  /** wasm: WASM_HAS_SIMD_SUPPORT as TF.js detected it; cpu: null. */
  simd: boolean | null;
  /** wasm: the .wasm file that was really instantiated, identified by its bytes; cpu: null. */
  wasmBinary: string | null;
  /** Threads the backend really computes with (wasm: XNNPACK pool size; cpu backend: 1). */
  threads: number;
  threadsRequested: number | null;
  /** Samples/s, manual step: optimizer.minimize per batch, tidy'd, one dataSync per window. */
  trainStep: Summary;
  /** Samples/s of model.fit(batchSize 64, 1 epoch, shuffle false). */
  trainFit: Summary;
  /** Samples/s of model.predict on a batch of 1000 plus dataSync, the input tensor made once
   *  (resident in the backend, as a caller predicting on the same tensor again has it). */
  inference: Summary;
  /** The same with the input copied in per call: tf.tensor2d from the Float32Array, predict,
   *  dataSync, both tensors disposed (as a caller with fresh data in JS does). */
  inferenceCopied: Summary;
  setup: {
    layers: number[];
    batch: number;
    inferenceBatch: number;
    batchesPerWindow: number;
    fitSamples: number;
    repeats: number;
    minSecondsPerRepeat: number;
  };
  /** Wall-clock seconds for the whole measurement, including backend start-up. */
  seconds: number;
}

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Folder holding the backend's .wasm files, found through Node resolution (works in any install layout). */
function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

/**
 * Records the bytes handed to WebAssembly.instantiate while the backend starts, so we can say
 * which binary (plain / simd / threaded-simd) really runs instead of trusting a flag.
 */
function spyOnInstantiate(): { sizes: number[]; restore: () => void } {
  const original = WebAssembly.instantiate;
  const sizes: number[] = [];
  const spy = ((source: unknown, imports?: WebAssembly.Imports) => {
    if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) sizes.push(source.byteLength);
    return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
  }) as typeof WebAssembly.instantiate;
  WebAssembly.instantiate = spy;
  return { sizes, restore: () => void (WebAssembly.instantiate = original) };
}

function identifyWasmBinary(dir: string, sizes: number[]): string | null {
  const candidates = readdirSync(dir).filter((f) => WASM_FILES.includes(f));
  for (const size of sizes) {
    // Byte length alone tells the three apart; confirm by reading the file's size on disk.
    const match = candidates.find((f) => readFileSync(path.join(dir, f)).byteLength === size);
    if (match) return match;
  }
  return null;
}

async function startBackend(opts: TfjsOptions): Promise<Pick<TfjsResult, 'simd' | 'wasmBinary' | 'threads' | 'threadsRequested'>> {
  if (opts.backend === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error('TF.js cpu backend failed to start');
    await tf.ready();
    return { simd: null, wasmBinary: null, threads: 1, threadsRequested: opts.threads ?? null };
  }
  const dir = wasmDistDir();
  // A plain folder path with a trailing separator works in Node: the emscripten loader
  // reads it with fs.readFileSync instead of fetch.
  tfwasm.setWasmPaths(dir + path.sep);
  if (opts.threads !== undefined) tfwasm.setThreadsCount(opts.threads);
  const spy = spyOnInstantiate();
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to start');
    await tf.ready();
  } finally {
    spy.restore();
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const wasmBinary = identifyWasmBinary(dir, spy.sizes);
  if (simd !== true || wasmBinary === null || !wasmBinary.includes('simd')) {
    // Benchmarking TF.js without SIMD would flatter us; refuse rather than report it.
    throw new Error(`TF.js wasm backend is not running SIMD (flag=${String(simd)}, binary=${wasmBinary})`);
  }
  return { simd, wasmBinary, threads: tfwasm.getThreadsCount(), threadsRequested: opts.threads ?? null };
}

function buildModel(): tf.Sequential {
  const model = tf.sequential();
  const hidden = REFERENCE_LAYERS.slice(1, -1);
  hidden.forEach((units, i) =>
    model.add(
      tf.layers.dense({
        units,
        activation: 'sigmoid',
        kernelInitializer: 'glorotUniform',
        ...(i === 0 ? { inputShape: [REFERENCE_LAYERS[0]] } : {}),
      }),
    ),
  );
  model.add(tf.layers.dense({ units: REFERENCE_LAYERS[REFERENCE_LAYERS.length - 1], activation: 'softmax', kernelInitializer: 'glorotUniform' }));
  model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: 'categoricalCrossentropy' });
  return model;
}

/** The hand-written training step most TF.js users write: raw variables + optimizer.minimize. */
function manualTrainer() {
  const init = tf.initializers.glorotUniform({ seed: 1 });
  const weights: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  for (let i = 1; i < REFERENCE_LAYERS.length; i++) {
    weights.push(tf.variable(init.apply([REFERENCE_LAYERS[i - 1], REFERENCE_LAYERS[i]]) as tf.Tensor2D));
    biases.push(tf.variable(tf.zeros([REFERENCE_LAYERS[i]])));
  }
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const vars = [...weights, ...biases];
  const step = (xb: tf.Tensor2D, yb: tf.Tensor2D) =>
    tf.tidy(() => {
      optimizer.minimize(() => {
        let h: tf.Tensor2D = xb;
        for (let l = 0; l < weights.length - 1; l++) h = tf.sigmoid(tf.add(tf.matMul(h, weights[l]), biases[l])) as tf.Tensor2D;
        const logits = tf.add(tf.matMul(h, weights[weights.length - 1]), biases[biases.length - 1]) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
      }, false, vars);
    });
  return { step, sync: () => biases[biases.length - 1].dataSync() };
}

/** Timed repeats of each measurement. */
export const tfjsRepeats = (quick: boolean) => (quick ? 3 : 5);

/** What one timed repeat measures: the manual step, model.fit, inference on a resident tensor,
 *  or inference with the input copied in per call. */
export type TfjsMeasure = 'step' | 'fit' | 'infer' | 'inferCopy';

/** A started backend with the reference network built and warmed up, ready to time repeats. */
export interface PreparedTfjs {
  /** One timed repeat of `what`: seconds per call and the samples a call processes. */
  repeat(what: TfjsMeasure): Promise<{ seconds: number; samples: number }>;
  /** The result of every repeat timed so far. */
  result(): TfjsResult;
  dispose(): void;
}

export async function prepareTfjs(opts: TfjsOptions): Promise<PreparedTfjs> {
  const t0 = performance.now();
  const backendInfo = await startBackend(opts);

  const slow = opts.backend === 'cpu'; // ~5x slower than wasm: smaller workloads keep quick mode quick
  const minSeconds = opts.quick ? 0.25 : 1.0;
  const batchesPerWindow = slow ? 1 : 4;
  const poolBatches = 8; // distinct batches cycled through by the manual step
  const fitSamples = TRAIN_BATCH * (slow ? 2 : 10) * (opts.quick ? 1 : 4);

  const nData = Math.max(poolBatches * TRAIN_BATCH, fitSamples, INFERENCE_BATCH);
  const data = syntheticMnistLike(nData, 1);
  const inDim = REFERENCE_LAYERS[0];
  const outDim = REFERENCE_LAYERS[REFERENCE_LAYERS.length - 1];

  // Manual step: data already split into batch tensors, so only training is timed.
  const xs: tf.Tensor2D[] = [];
  const ys: tf.Tensor2D[] = [];
  for (let b = 0; b < poolBatches; b++) {
    xs.push(tf.tensor2d(data.x.subarray(b * TRAIN_BATCH * inDim, (b + 1) * TRAIN_BATCH * inDim), [TRAIN_BATCH, inDim]));
    ys.push(tf.tensor2d(data.y.subarray(b * TRAIN_BATCH * outDim, (b + 1) * TRAIN_BATCH * outDim), [TRAIN_BATCH, outDim]));
  }
  const trainer = manualTrainer();
  let next = 0;
  const window = () => {
    for (let i = 0; i < batchesPerWindow; i++) {
      trainer.step(xs[next], ys[next]);
      next = (next + 1) % poolBatches;
    }
    trainer.sync(); // one device sync per window, as a real loop reading the loss now and then would
  };

  // model.fit over fitSamples, one epoch.
  const model = buildModel();
  const xFit = tf.tensor2d(data.x.subarray(0, fitSamples * inDim), [fitSamples, inDim]);
  const yFit = tf.tensor2d(data.y.subarray(0, fitSamples * outDim), [fitSamples, outDim]);
  const fitArgs = { batchSize: TRAIN_BATCH, epochs: 1, shuffle: false, verbose: 0 as const };
  const fit = async () => {
    const h = await model.fit(xFit, yFit, fitArgs);
    if (!Number.isFinite(h.history.loss[0] as number)) throw new Error('TF.js fit diverged');
  };

  // Inference, batch 1000, including the read-back a caller needs: on a tensor made once
  // (resident in the backend), and from the same Float32Array copied in on every call.
  const xInfData = data.x.subarray(0, INFERENCE_BATCH * inDim);
  const xInf = tf.tensor2d(xInfData, [INFERENCE_BATCH, inDim]);
  const infer = () => {
    // predict() splits into batches of 32 unless told otherwise; we want one batch of 1000.
    const p = model.predict(xInf, { batchSize: INFERENCE_BATCH }) as tf.Tensor;
    p.dataSync();
    p.dispose();
  };
  const inferCopy = () => {
    const x = tf.tensor2d(xInfData, [INFERENCE_BATCH, inDim]);
    const p = model.predict(x, { batchSize: INFERENCE_BATCH }) as tf.Tensor;
    p.dataSync();
    tf.dispose([x, p]);
  };

  const runs: Record<TfjsMeasure, { fn: () => unknown; warmup: number; minSeconds: number; samples: number }> = {
    step: { fn: window, warmup: 2, minSeconds, samples: batchesPerWindow * TRAIN_BATCH },
    fit: { fn: fit, warmup: 1, minSeconds: 0, samples: fitSamples },
    infer: { fn: infer, warmup: slow ? 1 : 2, minSeconds, samples: INFERENCE_BATCH },
    inferCopy: { fn: inferCopy, warmup: slow ? 1 : 2, minSeconds, samples: INFERENCE_BATCH },
  };
  const seconds: Record<TfjsMeasure, number[]> = { step: [], fit: [], infer: [], inferCopy: [] };
  for (const run of Object.values(runs)) await timeIt(run.fn, { warmup: run.warmup, repeats: 1 });

  const rate = (what: TfjsMeasure): Summary => {
    if (seconds[what].length === 0) throw new Error(`TF.js ${opts.backend}: no repeat of '${what}' was timed, so there is nothing to summarise`);
    return toRate(summarize(seconds[what]), runs[what].samples);
  };
  return {
    async repeat(what) {
      const run = runs[what];
      const t = await timeIt(run.fn, { warmup: 0, repeats: 1, minSeconds: run.minSeconds });
      seconds[what].push(t.samples[0]);
      return { seconds: t.samples[0], samples: run.samples };
    },
    result: () => ({
      peer: 'tfjs',
      version: tf.version.tfjs,
      backend: opts.backend,
      ...backendInfo,
      trainStep: rate('step'),
      trainFit: rate('fit'),
      inference: rate('infer'),
      inferenceCopied: rate('inferCopy'),
      setup: {
        layers: [...REFERENCE_LAYERS],
        batch: TRAIN_BATCH,
        inferenceBatch: INFERENCE_BATCH,
        batchesPerWindow,
        fitSamples,
        repeats: seconds.step.length,
        minSecondsPerRepeat: minSeconds,
      },
      seconds: (performance.now() - t0) / 1000,
    }),
    dispose() {
      tf.dispose([...xs, ...ys, xFit, yFit, xInf]);
      model.dispose();
    },
  };
}

/** Every measurement, `repeats` times in turns (step, fit, inference resident, inference copied, step, ...). */
export async function measureTfjsInProcess(opts: TfjsOptions): Promise<TfjsResult> {
  const tfjs = await prepareTfjs(opts);
  for (let r = 0; r < tfjsRepeats(opts.quick); r++) {
    for (const what of ['step', 'fit', 'infer', 'inferCopy'] as const) await tfjs.repeat(what);
  }
  const result = tfjs.result();
  tfjs.dispose();
  return result;
}
