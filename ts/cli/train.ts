// `mlp-wasm train` (npm run mnist): trains one network, prints the training- and test-set
// classification reports, saves the model atomically if asked, and writes the run report
// (report.md, report.html, loss.svg, confusion.svg) to <out>/<timestamp>-<name>/.

import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataFormatError, FASHION_MNIST_CLASSES, type FeedForwardNeuralNets, type PreparedData } from '../index.js';
import { writeRunReport } from '../report/write.js';
import type { RunReport } from '../report/index.js';
import { isBinaryModelPath, loadModelFile, saveModelFile } from '../node/model-file.js';
import { UsageError, type ParsedArgs } from './args.js';
import {
  BASELINE,
  applyDataFlags,
  architecture,
  configTable,
  defaultName,
  metadataFor,
  readMetadata,
  sameTransform,
  type CliMetadata,
  type TrainConfig,
} from './config.js';
import { EXIT_INTERRUPTED, EXIT_OK, println, runDirectory, type CliContext } from './context.js';
import { confusionOf, createNetwork, evaluateSplit, finalLosses, loadData, trainLoop, type SplitEvaluation } from './job.js';
import { DEFAULT_OUT } from './output-paths.js';
import { ProgressReporter, formatRate, formatSeconds } from './progress.js';
import { REPORT_FIGURES, matchReportExperiment } from './reference.js';

/** Flag values over a base config. Throws UsageError on combinations that make no sense. */
export function applyFlags(base: TrainConfig, values: Record<string, unknown>): TrainConfig {
  const c: TrainConfig = { ...base, hidden: [...base.hidden] };
  const v = values;
  if (v.hidden !== undefined) c.hidden = v.hidden as number[];
  if (v.activation !== undefined) c.activation = v.activation as TrainConfig['activation'];
  if (v.loss !== undefined) c.loss = v.loss as TrainConfig['loss'];
  if (v.l1 !== undefined && v.l2 !== undefined) throw new UsageError('--l1 and --l2 cannot be combined; choose one');
  if (v.l1 !== undefined) c.regularization = (v.l1 as number) > 0 ? { kind: 'l1', alpha: v.l1 as number } : null;
  if (v.l2 !== undefined) c.regularization = (v.l2 as number) > 0 ? { kind: 'l2', alpha: v.l2 as number } : null;
  if (v.init !== undefined) c.init = v.init as TrainConfig['init'];
  if (v.optimizer !== undefined) c.optimizer = v.optimizer as TrainConfig['optimizer'];
  if (v.eta !== undefined) c.eta = v.eta as number;
  if (v['lr-decay'] !== undefined) c.lrDecay = v['lr-decay'] as number;
  if (v.epochs !== undefined) c.epochs = v.epochs as number;
  if (v['batch-size'] !== undefined) c.batchSize = v['batch-size'] as number;
  if (v.seed !== undefined) c.seed = v.seed as number;
  if (v.dataset !== undefined) c.dataset = v.dataset as TrainConfig['dataset'];
  if (v.standardize !== undefined) c.standardize = v.standardize as TrainConfig['standardize'];
  applyDataFlags(c, v);
  return c;
}

/** Settings a resumed run must share with the saved model (flag name, config key). */
const FIXED_ON_RESUME: [string, keyof TrainConfig][] = [
  ['hidden', 'hidden'], ['activation', 'activation'], ['loss', 'loss'], ['l1', 'regularization'], ['l2', 'regularization'],
  ['init', 'init'], ['optimizer', 'optimizer'], ['batch-size', 'batchSize'], ['seed', 'seed'], ['dataset', 'dataset'],
  ['standardize', 'standardize'], ['validation', 'validationSize'], ['train-limit', 'trainLimit'], ['lr-decay', 'lrDecay'],
];

function checkResumeFlags(saved: TrainConfig, wanted: TrainConfig, given: Set<string>, file: string): void {
  for (const [flag, key] of FIXED_ON_RESUME) {
    if (!given.has(flag)) continue;
    if (JSON.stringify(saved[key]) !== JSON.stringify(wanted[key])) {
      throw new UsageError(`--${flag} differs from the model being resumed (${file} has ${key} = ${JSON.stringify(saved[key])}); drop --${flag} to continue it`);
    }
  }
}

/** The config a saved model (`file`) was trained with: its CLI metadata, else read from the network. */
function configOfModel(net: FeedForwardNeuralNets, meta: CliMetadata | null, file: string): TrainConfig {
  const built = configOfNetwork(net);
  if (!meta) return built;
  // The metadata must describe this very network; a difference means one of them was edited.
  for (const key of BUILT_INTO_NETWORK) {
    if (JSON.stringify(meta.config[key]) !== JSON.stringify(built[key])) {
      throw new DataFormatError(`${file}: metadata.config.${key} is ${JSON.stringify(meta.config[key])} but the network was built with ${JSON.stringify(built[key])}`);
    }
  }
  return { ...meta.config, hidden: net.hiddenLayers };
}

/** Settings the network records itself, which its CLI metadata repeats. */
const BUILT_INTO_NETWORK = ['activation', 'loss', 'regularization', 'init', 'optimizer', 'batchSize', 'seed'] as const;

function configOfNetwork(net: FeedForwardNeuralNets): TrainConfig {
  const c = net.config;
  const reg = c.loss.regularization ? { kind: c.loss.regularization, alpha: c.loss.alpha } : null;
  return {
    ...BASELINE,
    hidden: net.hiddenLayers,
    activation: c.hidden.name as TrainConfig['activation'],
    loss: c.loss.name === 'squaredError' ? 'squared-error' : 'cross-entropy',
    regularization: reg,
    init: c.initializationMethod,
    optimizer: c.optimizer,
    eta: c.eta,
    batchSize: c.batchSize,
    seed: c.seed,
    epochs: Math.max(BASELINE.epochs, net.epochsTrained),
  };
}

export async function trainCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const v = args.values;
  const quiet = v.quiet === true;
  const savePath = (v.save as string | undefined) ?? null;
  const checkpointEvery = (v['checkpoint-every'] as number | undefined) ?? null;
  const resumePath = (v.resume as string | undefined) ?? null;
  const out = (v.out as string | undefined) ?? DEFAULT_OUT;
  const say = (text = '') => {
    if (!quiet) println(ctx.stdout, text);
  };

  // Settings, from the flags or (with --resume) from the saved model plus the flags.
  let net: FeedForwardNeuralNets | null = null;
  let data: PreparedData | null = null;
  try {
    let config: TrainConfig;
    let meta: CliMetadata | null = null;
    if (resumePath) {
      net = loadModelFile(resumePath);
      meta = readMetadata(net.metadata, resumePath);
      const saved = configOfModel(net, meta, resumePath);
      config = applyFlags(saved, v);
      checkResumeFlags(saved, config, args.given, resumePath);
      if (v.epochs === undefined) config.epochs = saved.epochs;
      if (v.eta === undefined) config.eta = saved.eta;
    } else {
      config = applyFlags(BASELINE, v);
    }
    const name = (v.name as string | undefined) ?? defaultName(config);
    const date = ctx.now?.() ?? new Date();
    const dir = runDirectory(out, name, date);
    const checkpointPath = savePath ?? (checkpointEvery ? join(dir, 'checkpoint.json') : null);

    data = await loadData(config);
    if (meta && !sameTransform(data.transform, meta.transform)) {
      throw new UsageError(`--resume: the preprocessed data differs from what ${resumePath} was trained on (different dataset files or settings)`);
    }
    if (!net) net = createNetwork(config, data);
    else if (v.eta !== undefined && config.lrDecay === 1) net.setLearningRate(config.eta);
    const model = net;
    const metadata = metadataFor(config, data.transform) as unknown as Record<string, unknown>;
    const sizes = { train: data.train.n, val: data.val?.n ?? 0, test: data.test.n };
    const classNames = config.dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : undefined;

    const startEpoch = model.epochsTrained;
    say(`${config.dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'}: ${sizes.train} training, ${sizes.val} validation, ${sizes.test} test images (${config.standardize} standardisation)`);
    say(`Network ${architecture(config, data.features, data.classes)}: ${config.activation} hidden, softmax output, ${config.loss}` +
      `${config.regularization ? ` + ${config.regularization.kind.toUpperCase()} ${config.regularization.alpha}` : ''}, ${config.optimizer} eta ${config.eta}` +
      `${config.lrDecay !== 1 ? ` ×${config.lrDecay}/epoch` : ''}, batch ${config.batchSize}, ${config.init} init, seed ${config.seed}`);
    if (resumePath) {
      say(startEpoch >= config.epochs
        ? `Resumed ${resumePath}: it already has ${startEpoch} epochs (--epochs ${config.epochs}); evaluating only.`
        : `Resuming ${resumePath} at epoch ${startEpoch + 1} of ${config.epochs} (iteration ${model.iteration}).`);
    } else {
      say(`Training ${config.epochs} epochs.`);
    }

    const batchesPerEpoch = Math.ceil(sizes.train / config.batchSize);
    const progress = quiet ? null : new ProgressReporter({ out: ctx.stdout, startEpoch, totalEpochs: config.epochs, batchesPerEpoch, batchSize: config.batchSize });
    const checkpoint = (n: FeedForwardNeuralNets) => {
      if (!checkpointPath || (n.epochsTrained === config.epochs && savePath)) return; // the final save follows
      saveModelFile(n, checkpointPath, metadata);
      if (progress && ctx.stdout.isTTY) ctx.stdout.write('\r\x1b[K');
      say(`Checkpoint: epoch ${n.epochsTrained} saved to ${checkpointPath}`);
    };
    const loop = await trainLoop(model, config, data, {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      progress,
      checkpointEvery,
      onCheckpoint: checkpoint,
    });

    if (loop.stopped) {
      const at = loop.last;
      const where = at
        ? `in epoch ${at.epoch} of ${config.epochs} after batch ${at.batch}/${at.batchesPerEpoch} (iteration ${at.iteration})`
        : `at the start of epoch ${model.epochsTrained + 1} of ${config.epochs}`;
      println(ctx.stderr, `Interrupted: stopped ${where}; ${model.epochsTrained} full epoch${model.epochsTrained === 1 ? '' : 's'} done.`);
      if (checkpointPath) {
        saveModelFile(model, checkpointPath, metadata);
        println(ctx.stderr, `Checkpoint saved to ${checkpointPath}. Continue with: --resume ${checkpointPath} --epochs ${config.epochs}` +
          `${at && at.batch < at.batchesPerEpoch ? ' (the unfinished epoch is trained again from its start, with a new shuffle)' : ''}`);
      } else {
        println(ctx.stderr, 'No checkpoint written (use --save FILE or --checkpoint-every N to keep interrupted runs).');
      }
      return EXIT_INTERRUPTED;
    }

    // Results.
    const train = evaluateSplit(model, data.train, classNames);
    const test = evaluateSplit(model, data.test, classNames);
    const losses = finalLosses(model);
    say();
    say(`Training set (${sizes.train} images):`);
    say(train.report.text);
    say(`Test set (${sizes.test} images):`);
    say(test.report.text);
    const rate = loop.seconds > 0 ? loop.samples / loop.seconds : NaN;
    const timeLine = loop.samples > 0 ? `${formatSeconds(loop.seconds)} (${formatRate(rate)} samples/s)` : 'no training in this run';
    println(ctx.stdout, `Training time:         ${timeLine}`);
    println(ctx.stdout, `Final training loss:   ${fmt(losses.train)}`);
    println(ctx.stdout, `Final validation loss: ${fmt(losses.val)}`);
    println(ctx.stdout, `Training accuracy:     ${pct(train.accuracy)}`);
    println(ctx.stdout, `Test accuracy:         ${pct(test.accuracy)}`);

    if (savePath) {
      saveModelFile(model, savePath, metadata);
      println(ctx.stdout, `Model saved to ${savePath}`);
    }
    if (v['no-report'] !== true) {
      const run = buildRunReport({ config, name, date, dir, sizes, loopSeconds: loop.seconds, losses, train, test, classes: data.classes, resumedFrom: resumePath, startEpoch, net: model });
      const written = writeRunReport(dir, run);
      if (savePath) {
        const copy = join(dir, isBinaryModelPath(savePath) ? 'model.mlpw' : 'model.json');
        copyFileSync(savePath, copy);
        written.files.push(copy);
      }
      println(ctx.stdout, `Report written to ${join(dir, 'report.md')} (${written.files.map((f) => basename(f)).filter((f) => f !== 'report.md').join(', ')})`);
    }
    return EXIT_OK;
  } finally {
    net?.dispose();
    data?.dispose();
  }
}

interface ReportInputs {
  config: TrainConfig;
  name: string;
  date: Date;
  dir: string;
  sizes: { train: number; val: number; test: number };
  loopSeconds: number;
  losses: { train: number | null; val: number | null };
  train: SplitEvaluation;
  test: SplitEvaluation;
  classes: number;
  resumedFrom: string | null;
  startEpoch: number;
  net: FeedForwardNeuralNets;
}

function buildRunReport(r: ReportInputs): RunReport {
  const notes: string[] = [];
  if (r.resumedFrom) notes.push(`Resumed from ${r.resumedFrom} after ${r.startEpoch} epochs; the training time counts only this run's epochs.`);
  const reference = matchReportExperiment(r.config);
  if (reference) {
    const fig = REPORT_FIGURES[reference];
    const parts = [
      fig.testAccuracy !== undefined ? `test accuracy ${fig.testAccuracy}` : null,
      fig.trainAccuracy !== undefined ? `training accuracy ${fig.trainAccuracy}` : null,
      fig.trainLoss !== undefined ? `final training loss ${fig.trainLoss}` : null,
      fig.valLoss !== undefined ? `final validation loss ${fig.valLoss}` : null,
    ].filter(Boolean);
    notes.push(`These are the settings of the original report's ${fig.label}; it reported ${parts.join(', ')}.`);
  }
  notes.push('The training-set report is computed on the training split (the images the network was trained on), as in the original report.');
  return {
    title: `MLP on ${r.config.dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'}: ${r.name}`,
    name: r.name,
    date: r.date.toISOString(),
    config: configTable(r.config, r.sizes),
    trainingTimeSeconds: r.loopSeconds,
    finalTrainLoss: r.losses.train,
    finalValLoss: r.losses.val,
    history: { iteration: [...r.net.history.iteration], trainLoss: [...r.net.history.trainLoss], valLoss: [...r.net.history.valLoss] },
    logEvery: r.config.logEvery,
    sections: [
      { title: 'Training set', report: r.train.report },
      { title: 'Test set', report: r.test.report },
    ],
    confusion: { title: 'Confusion matrix (test set)', ...confusionOf(r.test, r.classes) },
    notes,
  };
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
const pct = (x: number) => `${(100 * x).toFixed(2)}% (${x.toFixed(4)})`;
