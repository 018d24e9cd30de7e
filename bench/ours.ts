// mlp-wasm measured the same way as the peers: the reference network on the same synthetic
// data (training samples/s at batch 64, inference at batch 1000), each product's GFLOP/s at
// the network's real shapes, memory behaviour, and the report's full MNIST baseline.

import { init, threadCount, FeedForwardNeuralNets, Dataset, Matrix, loadMnist, prepareMnist } from '../ts/index.js';
import { getEngine } from '../ts/wasm/load.js';
import { syntheticMnistLike } from './lib/synthetic.js';
import { REFERENCE_LAYERS, TRAIN_BATCH, INFERENCE_BATCH, LEARNING_RATE, forwardMacsPerSample } from './lib/reference-net.js';
import { summarize, timeIt, type Summary } from './lib/stats.js';
import { ceilingSampler } from './ceiling/measure.js';
import { blocking } from './lib/blocking.js';

export interface OursResult {
  threads: number;
  train: Summary;
  /** Inference with the input copied in per call (a Matrix over a JS Float32Array). */
  inference: Summary;
  /** Inference with the input resident in the engine (a Dataset made once). */
  inferenceResident: Summary;
  /** This count's rate ÷ the first count's (one thread) in the same turn, turn by turn. */
  trainVsFirst: Summary;
  /** The training ratios themselves, in turn order: a slow spell of the host shows as a run
   *  of low ones. */
  trainVsFirstByTurn: number[];
  inferenceVsFirst: Summary;
  inferenceResidentVsFirst: Summary;
}

/** The SIMD128 ceiling sampled in every turn of `benchOurs`, and one thread's rates as shares
 *  of it turn by turn: the share of the ceiling the engine reaches, whatever the host's speed
 *  did during the run. */
export interface CeilingInTurns {
  chains: number;
  gflops: Summary;
  trainShare: Summary;
  /** Inference with the input copied in per call. */
  inferenceShare: Summary;
  /** Inference with the input resident. */
  inferenceResidentShare: Summary;
}

export interface KernelResult {
  name: string;
  shape: string;
  /** One thread. */
  gflops: Summary;
  /** The whole pool (`threads` threads), same product. */
  gflopsAll: Summary;
  threads: number;
}

export interface MemoryResult {
  wasmBytesAfterFirstEpoch: number;
  wasmBytesAfterLastEpoch: number;
  peakRssBytes: number;
}

export interface BaselineResult {
  epochs: number;
  measuredEpochs: number;
  seconds: number;
  /** True when only some epochs were run and the time was scaled up (quick mode). */
  estimated: boolean;
  testAccuracy: number | null;
}

/** Builds the reference network on exactly `threads` threads (a network left without the
 *  option uses the whole pool, so the one-thread figure must ask for one). */
function referenceNet(data: Dataset, threads: number): FeedForwardNeuralNets {
  const net = new FeedForwardNeuralNets({ inputs: data, hiddenLayers: REFERENCE_LAYERS.slice(1, -1) as number[], batchSize: TRAIN_BATCH, eta: LEARNING_RATE, seed: 1, threads });
  if (threadCount() < threads) throw new Error(`the engine has ${threadCount()} thread(s), ${threads} were asked for`);
  return net;
}

/** One network of ours on `threads` threads, warmed up, timing one repeat per call. */
export interface OursSampler {
  threads: number;
  /** One epoch over the synthetic data: samples/s. */
  train(): Promise<number>;
  /** Inference on a batch of 1000 given as a Matrix over a JS Float32Array, repeated for at
   *  least 0.2 s: samples/s. Every call copies the input into wasm memory and checks it is
   *  finite, as a caller with fresh data in JS pays. */
  infer(): Promise<number>;
  /** The same batch as a Dataset made once, resident in wasm memory (as TF.js's input tensor
   *  is): only the output is copied out. */
  inferResident(): Promise<number>;
  dispose(): void;
}

/** What the engine is measured on: the synthetic data every peer gets (standardised Gaussian
 *  noise: no value repeats, so every product is dense), or MNIST's images standardised as the
 *  report and `npm run mnist` do (their background is one value: the first layer's products
 *  skip it; see crates/engine/src/sparse.rs). */
export type BenchData = 'synthetic' | 'mnist';

/** n training rows and an inference batch (as a Matrix, and the same rows resident) of `kind`. */
async function benchData(kind: BenchData, n: number): Promise<{ data: Dataset; batch: Matrix; residentBatch: Dataset; dispose(): void }> {
  if (kind === 'mnist') {
    const prepared = prepareMnist(await loadMnist(), { seed: 0, validationSize: 0, trainLimit: n, testLimit: INFERENCE_BATCH });
    return { data: prepared.train, batch: prepared.test.toMatrices().X, residentBatch: prepared.test, dispose: () => prepared.dispose() };
  }
  const syn = syntheticMnistLike(n, 1);
  const data = Dataset.fromMatrices(new Matrix(n, 784, syn.x), new Matrix(n, 10, syn.y));
  const batch = new Matrix(INFERENCE_BATCH, 784, syn.x.subarray(0, INFERENCE_BATCH * 784));
  // The same rows copied into the engine once (evaluate ignores the targets).
  const residentBatch = Dataset.fromMatrices(batch, new Matrix(INFERENCE_BATCH, 10, syn.y.subarray(0, INFERENCE_BATCH * 10)));
  return { data, batch, residentBatch, dispose: () => (data.dispose(), residentBatch.dispose()) };
}

/** Samplers for each thread count in `threads`, sharing one data set of `data`'s kind. */
export async function oursSamplers(opts: { quick: boolean; threads: number[]; data?: BenchData }): Promise<OursSampler[]> {
  await init();
  const n = opts.quick ? 3200 : 12_800;
  const { data, batch, residentBatch, dispose } = await benchData(opts.data ?? 'synthetic', n);
  let alive = opts.threads.length;
  return opts.threads.map((threads) => {
    const net = referenceNet(data, threads);
    net.train(1); // warm-up: tier-up of the module in every worker, workspace allocation
    for (let w = 0; w < 2; w++) {
      net.evaluate(batch);
      net.evaluate(residentBatch);
    }
    return {
      threads,
      train: async () => n / (await timeIt(() => net.train(1), { warmup: 0, repeats: 1 })).samples[0],
      infer: async () => INFERENCE_BATCH / (await timeIt(() => net.evaluate(batch), { warmup: 0, repeats: 1, minSeconds: 0.2 })).samples[0],
      inferResident: async () => INFERENCE_BATCH / (await timeIt(() => net.evaluate(residentBatch), { warmup: 0, repeats: 1, minSeconds: 0.2 })).samples[0],
      dispose: () => {
        net.dispose();
        if (--alive === 0) dispose();
      },
    };
  });
}

/**
 * Training and inference throughput (inference with the input copied in and resident) on each
 * thread count in `threads`. The counts take turns measure by measure (train on 1 and N, then
 * on N and 1, ...), so a slow spell of this shared machine hits them alike and the ratio
 * between them stays fair.
 */
export async function benchOurs(opts: { quick: boolean; threads: number[]; ceilingChains: number }): Promise<{ results: OursResult[]; mnist: OursResult[]; ceiling: CeilingInTurns }> {
  // The synthetic data's samplers, then MNIST's (same thread counts), in the same turns.
  const synthetic = await oursSamplers(opts);
  const samplers = [...synthetic, ...(await oursSamplers({ ...opts, data: 'mnist' }))];
  const counts = synthetic.length;
  const ceiling = await ceilingSampler(opts.ceilingChains, opts.quick);
  // 11 turns: the host's speed changes from spell to spell (seconds long; 2026-12-04 one
  // thread trained 10,200-15,000 samples/s turn by turn), and more turns steady the medians.
  const repeats = opts.quick ? 3 : 11;
  const train: number[][] = samplers.map(() => []);
  const infer: number[][] = samplers.map(() => []);
  const inferResident: number[][] = samplers.map(() => []);
  const peak: number[] = [];
  for (let r = 0; r < repeats; r++) {
    peak.push(await ceiling.sample(0.05, 3));
    // Each measure on every thread count back to back, first in one order and then in the
    // other, so the turns a ratio compares lie next to each other and a drift of the host's
    // speed favours neither count.
    const order = [...samplers.keys()];
    if (r % 2 === 1) order.reverse();
    for (const [rates, measure] of [[train, 'train'], [infer, 'infer'], [inferResident, 'inferResident']] as const) {
      for (const i of order) rates[i][r] = await samplers[i][measure]();
    }
  }
  samplers.forEach((s) => s.dispose());
  // Against the first thread count on the same data.
  const ratios = (rates: number[][], i: number) => rates[i].map((v, r) => v / rates[i < counts ? 0 : counts][r]);
  const vsFirst = (rates: number[][], i: number) => summarize(ratios(rates, i));
  const shareOfPeak = (rates: number[], flopsPerSample: number) => summarize(rates.map((v, r) => (v * flopsPerSample) / (peak[r] * 1e9)));
  const results = samplers.map((s, i) => ({
    threads: s.threads,
    train: summarize(train[i]),
    inference: summarize(infer[i]),
    inferenceResident: summarize(inferResident[i]),
    trainVsFirst: vsFirst(train, i),
    trainVsFirstByTurn: ratios(train, i),
    inferenceVsFirst: vsFirst(infer, i),
    inferenceResidentVsFirst: vsFirst(inferResident, i),
  }));
  return {
    results: results.slice(0, counts),
    mnist: results.slice(counts),
    ceiling: {
      chains: ceiling.chains,
      gflops: summarize(peak),
      trainShare: shareOfPeak(train[0], trainFlopsPerSample()),
      inferenceShare: shareOfPeak(infer[0], inferenceFlopsPerSample()),
      inferenceResidentShare: shareOfPeak(inferResident[0], inferenceFlopsPerSample()),
    },
  };
}

/** FLOPs of one training sample: forward X·W, weight gradient Xᵀ·dZ, and dZ·Wᵀ for every
 *  layer but the first (the input needs no gradient). */
export function trainFlopsPerSample(layers: readonly number[] = REFERENCE_LAYERS): number {
  let macs = 0;
  for (let l = 1; l < layers.length; l++) macs += layers[l - 1] * layers[l] * (l > 1 ? 3 : 2);
  return 2 * macs;
}

/** FLOPs of one inference sample: the forward products X·W only. */
export function inferenceFlopsPerSample(layers: readonly number[] = REFERENCE_LAYERS): number {
  return 2 * forwardMacsPerSample(layers);
}

/** The flops inference really does per sample at batch `INFERENCE_BATCH`, as the engine counts
 *  them (crates/engine/src/evaluation.rs `product_flops`): a layer's product taken as Strassen's
 *  seven half products in an evaluation chunk counts 7/8. */
export async function inferenceFlopsDone(layers: readonly number[] = REFERENCE_LAYERS, rows = INFERENCE_BATCH): Promise<number> {
  await init();
  const engine = getEngine();
  return engine.scoped((s) => {
    const out = s.allocOf(Float64Array, 1);
    engine.check(engine.exports.mlp_test_eval_flops(s.copyIn(Uint32Array.from(layers)), layers.length, rows, out), 'bench');
    return engine.view(Float64Array, out, 1)[0] / rows;
  });
}

/** Strassen's smallest half (every dimension of a product taken that way is at least twice it). */
export async function strassenMinHalf(): Promise<number> {
  await init();
  return blocking().strassenMinHalf;
}

/** GFLOP/s of each matrix product of one training step of the reference network. */
export async function benchKernels(opts: { quick: boolean }): Promise<KernelResult[]> {
  await init();
  const pool = threadCount();
  const engine = getEngine();
  const b = TRAIN_BATCH;
  const out: KernelResult[] = [];
  const layers = REFERENCE_LAYERS;
  for (let l = 1; l < layers.length; l++) {
    const [fin, fout] = [layers[l - 1], layers[l]];
    // [name, m, n, k, a rows-stride, a col-stride, a length, b rows-stride, b col-stride, b length]
    const products: [string, number, number, number, number, number, number, number, number, number][] = [
      [`forward X·W${l}`, b, fout, fin, fin, 1, b * fin, fout, 1, fin * fout],
      [`weight grad Xᵀ·dZ${l}`, fin, fout, b, 1, fin, b * fin, fout, 1, b * fout],
    ];
    if (l > 1) products.push([`backward dZ${l}·W${l}ᵀ`, b, fin, fout, fout, 1, b * fout, 1, fout, fin * fout]);
    // A product whose operands stay in L1/L2: what the micro-kernel does when memory costs
    // nothing, in this run (on a shared host it falls when a neighbour contends for the core's
    // caches, which the register-only ceiling does not see).
    if (l === layers.length - 1) products.push(['in-cache product (operands in L1/L2)', 64, 64, 64, 64, 1, 64 * 64, 64, 1, 64 * 64]);
    for (const [name, m, n, k, ars, acs, alen, brs, bcs, blen] of products) {
      const repeats = Math.max(1, Math.round((opts.quick ? 2e7 : 6e7) / (2 * m * n * k)));
      const [samples, samplesAll] = engine.scoped((s) => {
        const a = s.copyIn(new Float32Array(alen).map((_, i) => Math.sin(i)));
        const bb = s.copyIn(new Float32Array(blen).map((_, i) => Math.cos(i)));
        const c = s.allocOf(Float32Array, m * n);
        const call = (threads: number, times = repeats) => engine.check(engine.exports.mlp_test_gemm(threads, m, n, k, a, alen, ars, acs, bb, blen, brs, bcs, c, n, 0, times), 'gemm');
        warmUp(call, pool, opts.quick);
        return gflopsInTurns(call, pool, 2 * m * n * k * repeats, opts.quick);
      });
      out.push({ name, shape: `${m}x${k} · ${k}x${n}`, gflops: summarize(samples), gflopsAll: summarize(samplesAll), threads: pool });
    }
  }
  out.push(...(await sparseKernels(opts)));
  return out;
}

/** Untimed calls on one thread and on `pool` for a while, not a number of times: V8 runs a
 *  wasm function as baseline code until it has run hot for a while, then swaps in optimised
 *  code from a background compile. Five calls of each (about 10 ms) had left the first
 *  product measured, forward X·W1, at 7.3 GFLOP/s in every turn against 56 once warm (2-core
 *  EPYC, 2026-12-05). */
function warmUp(call: (threads: number) => void, pool: number, quick: boolean): void {
  const until = performance.now() + (quick ? 100 : 300);
  for (let round = 0; round < 5 || performance.now() < until; round++) [1, pool].forEach((t) => call(t));
}

/** GFLOP/s of `call(threads)` (doing `flops`) on one thread and on `pool`, taking turns call
 *  by call so that a slow spell of this shared machine hits both alike. */
function gflopsInTurns(call: (threads: number, times?: number) => void, pool: number, flops: number, quick: boolean): [number[], number[]] {
  const rates: [number[], number[]] = [[], []];
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    [1, pool].forEach((threads, i) => {
      // The workers fall asleep while one thread computes; in a training step they are awake
      // (products follow each other), so wake them before timing, untimed. Timed straight
      // after the one-thread call, the big products' speed-up read 1.8x for the 1.95x they
      // reach awake (2-core Xeon, 2026-12-03).
      if (threads > 1) call(threads, 1);
      const t = performance.now();
      call(threads);
      rates[i].push(flops / ((performance.now() - t) / 1000) / 1e9);
    });
  }
  return rates;
}

/** The value `x` holds most often: the background as the engine picks it, from the first row
 *  (crates/engine/src/sparse.rs `first_row_background`). */
function mostCommon(x: Float32Array): number {
  const counts = new Map<number, number>();
  for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

/** The first layer's two products the sparse way (crates/engine/src/sparse.rs) on a training
 *  batch of MNIST images standardised as the report does, compression included, at the flops
 *  they do: two per value that differs from the background, per column, and the column sums. */
async function sparseKernels(opts: { quick: boolean }): Promise<KernelResult[]> {
  const engine = getEngine();
  const pool = threadCount();
  const [b, d, n] = [TRAIN_BATCH, REFERENCE_LAYERS[0], REFERENCE_LAYERS[1]];
  const prepared = prepareMnist(await loadMnist(), { seed: 0, validationSize: 0, trainLimit: b, testLimit: 1 });
  const x = prepared.train.toMatrices().X.data as Float32Array;
  prepared.dispose();
  const background = mostCommon(x.subarray(0, d));
  const differing = x.reduce((count, v) => count + (v !== background ? 1 : 0), 0);
  const out: KernelResult[] = [];
  for (const [name, transpose, k] of [['forward X·W1, sparse (MNIST batch)', 0, d], ['weight grad Xᵀ·dZ1, sparse (MNIST batch)', 1, b]] as const) {
    const m = transpose ? d : b;
    // Multiply-adds done, and the column sums' adds (k per column).
    const flops = 2 * differing * n + k * n;
    const repeats = Math.max(1, Math.round((opts.quick ? 2e7 : 6e7) / flops));
    const [samples, samplesAll] = engine.scoped((s) => {
      const xp = s.copyIn(x);
      const bLen = k * n + 4;
      const bp = s.copyIn(new Float32Array(bLen).map((_, i) => Math.cos(i)));
      const c = s.allocOf(Float32Array, m * n);
      const call = (threads: number, times = repeats) => engine.check(engine.exports.mlp_test_sparse_gemm(threads, b, d, n, xp, bp, bLen, c, transpose, times), 'sparse gemm');
      warmUp(call, pool, opts.quick);
      return gflopsInTurns(call, pool, flops * repeats, opts.quick);
    });
    out.push({ name: `${name}: ${((100 * differing) / x.length).toFixed(0)}% of X not the background, at the flops done`, shape: `${m}x${k} · ${k}x${n}`, gflops: summarize(samples), gflopsAll: summarize(samplesAll), threads: pool });
  }
  return out;
}

/** The report's baseline on real MNIST: 15 epochs, validation loss every 200 iterations. */
export async function benchBaseline(opts: { quick: boolean; threads: number }): Promise<{ baseline: BaselineResult; memory: MemoryResult }> {
  await init();
  const engine = getEngine();
  const data = prepareMnist(await loadMnist(), { seed: 0 });
  const net = referenceNet(data.train, opts.threads);
  const epochs = 15;
  const measured = opts.quick ? 1 : epochs;
  const start = performance.now();
  net.train(1, { validationData: data.val!, logEvery: 200 });
  const afterFirst = engine.memory.buffer.byteLength;
  if (measured > 1) net.train(measured - 1, { validationData: data.val!, logEvery: 200 });
  const seconds = (performance.now() - start) / 1000;
  const afterLast = engine.memory.buffer.byteLength;
  const predictions = net.predict(data.test);
  const labels = data.test.labels;
  const accuracy = measured === epochs ? predictions.filter((p, i) => p === labels[i]).length / labels.length : null;
  net.dispose();
  data.dispose();
  return {
    baseline: { epochs, measuredEpochs: measured, seconds: (seconds * epochs) / measured, estimated: measured < epochs, testAccuracy: accuracy },
    memory: { wasmBytesAfterFirstEpoch: afterFirst, wasmBytesAfterLastEpoch: afterLast, peakRssBytes: process.resourceUsage().maxRSS * 1024 },
  };
}
