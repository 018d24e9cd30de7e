// `mlp-wasm experiments` (npm run experiments): every experiment of the report in one go,
// plus Adam and a "beyond the report" recipe, and one comparison report (Markdown + HTML +
// SVG charts) that sets each result beside the original report's figure.

import { cpus } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_CLASSES, classificationReport, type PreparedData } from '../index.js';
import { UsageError, type ParsedArgs } from './args.js';
import { BASELINE, applyDataFlags, architecture, type TrainConfig } from './config.js';
import { EXIT_INTERRUPTED, EXIT_OK, println, runDirectory, type CliContext } from './context.js';
import { createNetwork, evaluateSplit, finalLosses, loadData, trainLoop } from './job.js';
import { DEFAULT_OUT } from './output-paths.js';
import { ProgressReporter, formatRate, formatSeconds } from './progress.js';
import { REPORT_FIGURES, REPORT_L2_ALPHA, type ReferenceId } from './reference.js';
import { writeExperimentsReport, type ExperimentResult } from './experiments-report.js';
import type { PeerRunResult } from './peer-run.js';

export interface ExperimentDef {
  id: string;
  title: string;
  /** Which part of the study: the report's own runs, our checks of them, its "other experiments",
   *  ours, or diagnostics of the baseline's and L2's distance from the report (run on request). */
  group: 'report' | 'check' | 'other' | 'extra' | 'diagnostic';
  reference?: ReferenceId;
  framework?: 'tfjs' | 'pytorch';
  /** Settings over the baseline. */
  config: Partial<TrainConfig>;
  /** One sentence for the report: what this run is and why these settings. */
  about: string;
}

export const EXPERIMENTS: readonly ExperimentDef[] = [
  {
    id: 'baseline', title: 'Baseline: sigmoid', group: 'report', reference: 'baseline', config: {},
    about: 'The report\'s baseline (sections 3–4): sigmoid hidden layers, gradient descent, eta 0.01, batch 64, 15 epochs.',
  },
  {
    id: 'tanh', title: 'Tanh', group: 'report', reference: 'tanh', config: { activation: 'tanh' },
    about: 'Section 5.1: the baseline with tanh hidden layers.',
  },
  {
    id: 'relu', title: 'ReLU', group: 'report', reference: 'relu', config: { activation: 'relu' },
    about: 'Section 5.2: the baseline with ReLU hidden layers.',
  },
  {
    id: 'tanh-eta-0.001', title: 'Tanh, eta 0.001', group: 'check', reference: 'tanh', config: { activation: 'tanh', eta: 0.001 },
    about: 'A check, not in the report: the tanh run with a ten times smaller learning rate, which lands on the report\'s tanh figures.',
  },
  {
    id: 'relu-eta-0.001', title: 'ReLU, eta 0.001', group: 'check', reference: 'relu', config: { activation: 'relu', eta: 0.001 },
    about: 'A check, not in the report: the ReLU run with a ten times smaller learning rate, which lands on the report\'s ReLU figures.',
  },
  {
    id: 'baseline-eta-0.001', title: 'Baseline, eta 0.001', group: 'check', reference: 'baseline', config: { eta: 0.001 },
    about: 'A check, not in the report: the baseline with a ten times smaller learning rate, to see whether a smaller step accounts for the report\'s baseline too.',
  },
  {
    id: 'tfjs', title: 'TensorFlow.js: baseline', group: 'report', reference: 'framework', framework: 'tfjs', config: {},
    about: 'Section 6 "used the PyTorch package to mimic the baseline model"; besides PyTorch (the pytorch run), TensorFlow.js, the JavaScript counterpart, trains the same baseline ' +
      '(sigmoid, 784-500-250-100-10, SGD 0.01, batch 64, 15 epochs, Glorot-uniform weights, zero biases) on the same preprocessed data.',
  },
  {
    id: 'tfjs-relu', title: 'TensorFlow.js: ReLU', group: 'report', reference: 'framework', framework: 'tfjs', config: { activation: 'relu' },
    about: 'The ReLU model in TensorFlow.js: an independent check of our ReLU result (and the report\'s framework figure, 0.94, equals its ReLU figure).',
  },
  {
    id: 'pytorch', title: 'PyTorch: baseline', group: 'report', reference: 'framework', framework: 'pytorch', config: {},
    about: 'Section 6 in the framework the report used: PyTorch (native, one thread) trains the same baseline (sigmoid, 784-500-250-100-10, SGD 0.01, batch 64, ' +
      '15 epochs, Glorot-uniform weights, zero biases) on the same preprocessed data.',
  },
  {
    id: 'l2', title: `ReLU + L2 (alpha ${REPORT_L2_ALPHA})`, group: 'report', reference: 'l2', config: { activation: 'relu', regularization: { kind: 'l2', alpha: REPORT_L2_ALPHA } },
    about: `Section 7: ReLU with L2 regularisation. The report's alpha is cut off ("alpha = 0.0…"); ${REPORT_L2_ALPHA} is our pick (see the notes).`,
  },
  {
    id: 'epochs-5', title: 'Baseline, 5 epochs', group: 'other', reference: 'other', config: { epochs: 5 },
    about: 'Section 8, fewer epochs: the baseline stopped after 5 epochs.',
  },
  {
    id: 'epochs-30', title: 'Baseline, 30 epochs', group: 'other', reference: 'other', config: { epochs: 30 },
    about: 'Section 8, more epochs: the baseline trained twice as long.',
  },
  {
    id: 'hidden-100', title: 'Sigmoid 784-100-10', group: 'other', reference: 'other', config: { hidden: [100] },
    about: 'Section 8, hidden layers: one hidden layer of 100 sigmoid units.',
  },
  {
    id: 'hidden-256-128', title: 'Sigmoid 784-256-128-10', group: 'other', reference: 'other', config: { hidden: [256, 128] },
    about: 'Section 8, hidden layers: two narrower sigmoid layers.',
  },
  {
    id: 'adam', title: 'ReLU + Adam', group: 'extra', config: { activation: 'relu', optimizer: 'adam', eta: 0.001 },
    about: 'Adam (eta 0.001, β1 0.9, β2 0.999) instead of gradient descent, otherwise the ReLU run.',
  },
  {
    id: 'beyond', title: 'Beyond: ReLU + Adam + decay', group: 'extra',
    config: { activation: 'relu', optimizer: 'adam', eta: 0.001, lrDecay: 0.85, batchSize: 128, epochs: 20 },
    about: 'Our best recipe with the same 784-500-250-100-10 network: ReLU, Adam eta 0.001 multiplied by 0.85 after every epoch, batch 128, 20 epochs.',
  },
  ...diagnostics(),
];

/** Runs that probe where the baseline's and L2's gaps from the report come from; not run by
 *  default (`--only diagnostics`), and cited by the report's notes only when they ran. */
function diagnostics(): ExperimentDef[] {
  const baseline = (id: string, title: string, config: Partial<TrainConfig>, about: string): ExperimentDef => ({ id: `baseline-${id}`, title, group: 'diagnostic', config, about: `A diagnostic of the baseline: ${about}` });
  return [
    ...[2, 3, 4, 5].map((seed) => baseline(`seed-${seed}`, `Baseline, seed ${seed}`, { seed }, `seed ${seed} instead of 1 (initial weights and shuffling).`)),
    baseline('gaussian', 'Baseline, Gaussian init', { init: 'gaussian' }, 'Gaussian instead of Glorot-uniform initial weights.'),
    baseline('per-pixel', 'Baseline, per-pixel standardisation', { standardize: 'per-pixel' }, 'each pixel standardised on its own.'),
    baseline('no-standardisation', 'Baseline, no standardisation', { standardize: 'none' }, 'pixels only scaled to [0, 1].'),
    ...[0.01, 0.05, 0.09, 0.15, 0.2].map((alpha): ExperimentDef => ({
      id: `l2-alpha-${alpha}`, title: `ReLU + L2 (alpha ${alpha})`, group: 'diagnostic', config: { activation: 'relu', regularization: { kind: 'l2', alpha } },
      about: `A diagnostic of section 7's cut-off alpha: the L2 run with alpha ${alpha}.`,
    })),
  ];
}

const GROUPS: Record<string, (d: ExperimentDef) => boolean> = {
  all: (d) => d.group !== 'diagnostic',
  diagnostics: (d) => d.group === 'diagnostic',
  report: (d) => d.group === 'report',
  check: (d) => d.group === 'check',
  activations: (d) => ['baseline', 'tanh', 'relu'].includes(d.id),
  other: (d) => d.group === 'other',
  extra: (d) => d.group === 'extra',
};

/** The list printed by --help. */
export function experimentList(): string {
  const width = Math.max(...EXPERIMENTS.map((e) => e.id.length)) + 2;
  return EXPERIMENTS.map((e) => `  ${e.id.padEnd(width)}${e.title}`).join('\n');
}

export function selectExperiments(only: string | undefined): ExperimentDef[] {
  if (only === undefined) return EXPERIMENTS.filter(GROUPS.all!);
  const wanted = new Set<string>();
  for (const raw of only.split(',')) {
    const id = raw.trim();
    if (id === '') continue;
    const group = GROUPS[id];
    if (group) EXPERIMENTS.filter(group).forEach((e) => wanted.add(e.id));
    else if (EXPERIMENTS.some((e) => e.id === id)) wanted.add(id);
    else throw new UsageError(`--only: unknown experiment ${JSON.stringify(id)}; choose from ${[...EXPERIMENTS.map((e) => e.id), ...Object.keys(GROUPS)].join(', ')}`);
  }
  if (wanted.size === 0) throw new UsageError('--only needs at least one experiment id');
  return EXPERIMENTS.filter((e) => wanted.has(e.id));
}

/** A run's full settings: the definition over the baseline, then --quick, then flags. */
export function experimentConfig(def: ExperimentDef, values: Record<string, unknown>): TrainConfig {
  const c: TrainConfig = { ...BASELINE, ...def.config, hidden: [...(def.config.hidden ?? BASELINE.hidden)] };
  if (values.quick === true) {
    c.epochs = Math.max(1, Math.round(c.epochs / 5));
    c.trainLimit = 10_000;
    c.validationSize = 2_000;
    c.logEvery = 25;
  }
  if (values.epochs !== undefined) c.epochs = values.epochs as number;
  if (values.seed !== undefined) c.seed = values.seed as number;
  if (values.dataset !== undefined) c.dataset = values.dataset as TrainConfig['dataset'];
  applyDataFlags(c, values);
  return c;
}

/** Key of the data pipeline a config needs (runs with the same key share the datasets). */
function dataKey(c: TrainConfig): string {
  return JSON.stringify([c.dataset, c.standardize, c.validationSize, c.trainLimit, c.testLimit]);
}

export async function experimentsCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const v = args.values;
  const quiet = v.quiet === true;
  const quick = v.quick === true;
  const defs = selectExperiments(v.only as string | undefined);
  const plans = defs.map((def) => ({ def, config: experimentConfig(def, v) }));
  const say = (text = '') => {
    if (!quiet) println(ctx.stdout, text);
  };
  const date = ctx.now?.() ?? new Date();
  const name = (v.name as string | undefined) ?? (quick ? 'experiments-quick' : 'experiments');
  const dir = runDirectory((v.out as string | undefined) ?? DEFAULT_OUT, name, date);
  const started = performance.now();

  say(`Running ${plans.length} experiment${plans.length === 1 ? '' : 's'}${quick ? ' in quick mode (10,000-image subset, a fifth of the epochs)' : ''}: ${plans.map((p) => p.def.id).join(', ')}`);
  if (!quick && plans.some((p) => p.def.framework === 'tfjs')) {
    const n = plans.filter((p) => p.def.framework === 'tfjs').length;
    say(`Note: TensorFlow.js is slow (its WebAssembly backend manages ~900 samples/s here): expect about 15 minutes for each of its ${n} run${n === 1 ? '' : 's'}.`);
  }

  const cache = new Map<string, PreparedData>();
  const results: ExperimentResult[] = [];
  let interrupted = false;
  try {
    for (const [index, { def, config }] of plans.entries()) {
      if (ctx.signal?.aborted) {
        interrupted = true;
        break;
      }
      const key = dataKey(config);
      let data = cache.get(key);
      if (!data) {
        data = await loadData(config);
        cache.set(key, data);
      }
      say();
      say(`[${index + 1}/${plans.length}] ${def.id}: ${def.title}: ${architecture(config, data.features, data.classes)}, ${config.activation}, ${config.optimizer} eta ${config.eta}` +
        `${config.lrDecay !== 1 ? ` ×${config.lrDecay}/epoch` : ''}${config.regularization ? `, ${config.regularization.kind.toUpperCase()} ${config.regularization.alpha}` : ''}, batch ${config.batchSize}, ${config.epochs} epochs${def.framework ? ` (${FRAMEWORK_NAMES[def.framework]})` : ''}`);
      const batchesPerEpoch = Math.ceil(data.train.n / config.batchSize);
      const progress = quiet ? null : new ProgressReporter({ out: ctx.stdout, startEpoch: 0, totalEpochs: config.epochs, batchesPerEpoch, batchSize: config.batchSize, prefix: `  ` });
      const wallStart = performance.now();
      let result: ExperimentResult;
      try {
        result = def.framework === 'tfjs'
          ? await runTfjs(def, config, data, ctx, progress, say)
          : def.framework === 'pytorch'
            ? await runPytorch(def, config, data, ctx, progress)
            : await runOurs(def, config, data, ctx, progress);
      } catch (error) {
        progress?.finish();
        if (error instanceof UsageError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        println(ctx.stderr, `  ${def.id} failed: ${message}`);
        result = emptyResult(def, config, batchesPerEpoch, message);
      }
      result.wallSeconds = (performance.now() - wallStart) / 1000;
      if (result.stopped) {
        interrupted = true;
        say(`  ${def.id}: interrupted; not included in the results.`);
        break;
      }
      results.push(result);
      if (!result.error) say(`  ${summaryLine(result)}`);
    }
  } finally {
    for (const data of cache.values()) data.dispose();
  }

  const totalSeconds = (performance.now() - started) / 1000;
  say();
  if (results.length > 0) {
    println(ctx.stdout, resultsTable(results));
    if (v['no-report'] !== true) {
      const files = writeExperimentsReport(dir, { results, quick, date, totalSeconds, interrupted, cpu: `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} logical cores)`, node: process.version });
      println(ctx.stdout, `Report written to ${join(dir, 'report.md')} (${files.length} files, also report.html)`);
    }
  }
  println(ctx.stdout, `Total time: ${formatSeconds(totalSeconds)}`);
  if (interrupted) {
    println(ctx.stderr, `Interrupted: ${results.length} of ${plans.length} experiments finished${results.length ? ' (the report covers those)' : ''}.`);
    return EXIT_INTERRUPTED;
  }
  return EXIT_OK;
}

async function runOurs(def: ExperimentDef, config: TrainConfig, data: PreparedData, ctx: CliContext, progress: ProgressReporter | null): Promise<ExperimentResult> {
  const net = createNetwork(config, data);
  try {
    const loop = await trainLoop(net, config, data, { ...(ctx.signal ? { signal: ctx.signal } : {}), progress });
    const batchesPerEpoch = Math.ceil(data.train.n / config.batchSize);
    if (loop.stopped) return { ...emptyResult(def, config, batchesPerEpoch), stopped: true };
    const names = config.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : undefined;
    const train = evaluateSplit(net, data.train, names);
    const test = evaluateSplit(net, data.test, names);
    const losses = finalLosses(net);
    return {
      def, config, batchesPerEpoch, sizes: sizesOf(data), engine: 'mlp-wasm',
      testAccuracy: test.accuracy, trainAccuracy: train.accuracy,
      finalTrainLoss: losses.train, finalValLoss: losses.val,
      trainSeconds: loop.seconds, wallSeconds: 0, samplesPerSecond: loop.samples / Math.max(loop.seconds, 1e-9),
      history: { iteration: [...net.history.iteration], trainLoss: [...net.history.trainLoss], valLoss: [...net.history.valLoss] },
      testReport: test.report.text, trainReport: train.report.text, stopped: false, error: null,
    };
  } finally {
    net.dispose();
  }
}

async function runTfjs(def: ExperimentDef, config: TrainConfig, data: PreparedData, ctx: CliContext, progress: ProgressReporter | null, say: (t?: string) => void): Promise<ExperimentResult> {
  const { trainTfjs, loadTfjs } = await import('./tfjs.js');
  const { backend } = await loadTfjs();
  const perSecond = backend === 'wasm' ? 900 : 200;
  const samples = data.train.n * config.epochs;
  say(`  TensorFlow.js ${backend} backend: roughly ${formatRate(perSecond)} samples/s on this network, so about ${formatSeconds(samples / perSecond)} for ${samples.toLocaleString('en-US')} samples.`);
  const r = await trainTfjs(config, data, { ...(ctx.signal ? { signal: ctx.signal } : {}), progress });
  return peerResult(def, config, data, r, `TensorFlow.js ${backend}`);
}

async function runPytorch(def: ExperimentDef, config: TrainConfig, data: PreparedData, ctx: CliContext, progress: ProgressReporter | null): Promise<ExperimentResult> {
  const { trainPytorch } = await import('./pytorch.js');
  const r = await trainPytorch(config, data, { ...(ctx.signal ? { signal: ctx.signal } : {}), progress });
  return peerResult(def, config, data, r, `PyTorch ${r.version} (native)`);
}

/** A run in another framework, with its classification reports, as an experiment's result. */
function peerResult(def: ExperimentDef, config: TrainConfig, data: PreparedData, r: PeerRunResult, engine: string): ExperimentResult {
  const batchesPerEpoch = Math.ceil(data.train.n / config.batchSize);
  if (r.stopped) return { ...emptyResult(def, config, batchesPerEpoch), stopped: true };
  const names = config.dataset === 'fashion-mnist' ? { targetNames: [...FASHION_MNIST_CLASSES], labels: FASHION_MNIST_CLASSES.map((_, i) => i) } : {};
  const train = classificationReport(data.train.labels, r.trainPredictions, names);
  const test = classificationReport(data.test.labels, r.testPredictions, names);
  return {
    def, config, batchesPerEpoch, sizes: sizesOf(data), engine,
    testAccuracy: test.accuracy, trainAccuracy: train.accuracy,
    finalTrainLoss: r.finalTrainLoss, finalValLoss: r.finalValLoss,
    trainSeconds: r.seconds, wallSeconds: 0, samplesPerSecond: r.samples / Math.max(r.seconds, 1e-9),
    history: r.history, testReport: test.text, trainReport: train.text, stopped: false, error: null,
  };
}

const FRAMEWORK_NAMES = { tfjs: 'TensorFlow.js', pytorch: 'PyTorch' } as const;

const sizesOf = (d: PreparedData) => ({ train: d.train.n, val: d.val?.n ?? 0, test: d.test.n });

function emptyResult(def: ExperimentDef, config: TrainConfig, batchesPerEpoch: number, error: string | null = null): ExperimentResult {
  return {
    def, config, batchesPerEpoch, sizes: { train: 0, val: 0, test: 0 }, engine: def.framework ? FRAMEWORK_NAMES[def.framework] : 'mlp-wasm',
    testAccuracy: NaN, trainAccuracy: NaN, finalTrainLoss: null, finalValLoss: null,
    trainSeconds: NaN, wallSeconds: 0, samplesPerSecond: NaN,
    history: { iteration: [], trainLoss: [], valLoss: [] }, testReport: '', trainReport: '', stopped: false, error,
  };
}

function summaryLine(r: ExperimentResult): string {
  const fig = r.def.reference ? REPORT_FIGURES[r.def.reference] : null;
  const ref = fig?.testAccuracy !== undefined ? ` (report ${fig.testAccuracy})` : fig?.trainAccuracy !== undefined ? ` (report: train ${fig.trainAccuracy})` : '';
  return `${r.def.id}: test ${(100 * r.testAccuracy).toFixed(2)}%${ref}, train ${(100 * r.trainAccuracy).toFixed(2)}%, ` +
    `final loss ${fmt(r.finalTrainLoss)} / ${fmt(r.finalValLoss)}, ${formatSeconds(r.trainSeconds)} (${formatRate(r.samplesPerSecond)} samples/s)`;
}

/** The results as an aligned text table for the console. */
export function resultsTable(results: ExperimentResult[]): string {
  const head = ['experiment', 'test acc', 'report', 'train acc', 'report', 'train loss', 'val loss', 'time'];
  const rows = results.map((r) => {
    const fig = r.def.reference ? REPORT_FIGURES[r.def.reference] : null;
    return [
      r.def.id,
      r.error ? 'failed' : r.testAccuracy.toFixed(4),
      fig?.testAccuracy !== undefined ? fig.testAccuracy.toFixed(2) : '',
      r.error ? '' : r.trainAccuracy.toFixed(4),
      fig?.trainAccuracy !== undefined ? fig.trainAccuracy.toFixed(2) : '',
      fmt(r.finalTrainLoss),
      fmt(r.finalValLoss),
      Number.isFinite(r.trainSeconds) ? formatSeconds(r.trainSeconds) : '',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
