// The report's section 6 in the framework it used: PyTorch (native, Debian's /usr/bin/python3)
// trains the same network on the same preprocessed data, copied out of our resident datasets
// into a temporary folder, by scripts/torch_train.py. Optional like TensorFlow.js: without
// PyTorch, or outside the repository (the script is not in the npm package), the run fails
// with a message saying what to install and the other experiments go on.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedData, TrainProgress } from '../index.js';
import type { TrainConfig } from './config.js';
import type { PeerRunResult } from './peer-run.js';
import type { ProgressReporter } from './progress.js';

export const PYTHON = '/usr/bin/python3';

export interface PytorchRunResult extends PeerRunResult {
  version: string;
}

/** scripts/torch_train.py of the checkout this module runs from (source or dist), if any. */
function trainerScript(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const candidate = join(dir, 'scripts', 'torch_train.py');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export async function trainPytorch(config: TrainConfig, data: PreparedData, options: { signal?: AbortSignal; progress?: ProgressReporter | null } = {}): Promise<PytorchRunResult> {
  if (config.optimizer !== 'gd' || config.regularization || config.loss !== 'cross-entropy' || config.lrDecay !== 1) {
    throw new Error('the PyTorch comparison supports plain SGD with cross-entropy only');
  }
  const script = trainerScript();
  if (!script) throw new Error('the PyTorch comparison runs from the repository (scripts/torch_train.py is not in the npm package)');
  if (!existsSync(PYTHON)) throw new Error(`PyTorch needs Debian's ${PYTHON} with python3-torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)`);
  const dir = mkdtempSync(join(tmpdir(), 'mlp-torch-'));
  try {
    const sizes = { train: data.train.n, val: data.val?.n ?? 0, test: data.test.n };
    for (const [name, set] of [['train', data.train], ['val', data.val], ['test', data.test]] as const) {
      if (!set) continue;
      writeFileSync(join(dir, `${name}-x.f32`), set.toMatrices().X.data);
      writeFileSync(join(dir, `${name}-y.i32`), set.labels);
    }
    const { hidden, activation, eta, batchSize, epochs, logEvery, seed } = config;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ features: data.features, classes: data.classes, sizes, hidden, activation, eta, batchSize, epochs, logEvery, seed, threads: 1 }));
    const run = await runTrainer(script, dir, config, options);
    if (run.stopped) return { ...run, trainPredictions: new Int32Array(0), testPredictions: new Int32Array(0) };
    const read = (name: string) => new Int32Array(new Uint8Array(readFileSync(join(dir, name))).buffer);
    return { ...run, trainPredictions: read('train-pred.i32'), testPredictions: read('test-pred.i32') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type TrainerRun = Omit<PytorchRunResult, 'trainPredictions' | 'testPredictions'>;

/** Runs the trainer, relaying its progress lines; resolves with its result line. */
function runTrainer(script: string, dir: string, config: TrainConfig, options: { signal?: AbortSignal; progress?: ProgressReporter | null }): Promise<TrainerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped = false;
    const abort = () => {
      stopped = true;
      child.kill();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    let result: TrainerRun | null = null;
    let stderr = '';
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const message = JSON.parse(line) as { progress?: ProgressLine; result?: ResultLine };
        if (message.progress) relay(message.progress, config, options.progress);
        if (message.result) {
          const h = message.result.history;
          const last = (a: number[]) => (a.length ? a[a.length - 1]! : null);
          result = { version: message.result.torch, seconds: message.result.seconds, samples: message.result.samples, stopped: false, history: h, finalTrainLoss: last(h.trainLoss), finalValLoss: last(h.valLoss) };
        }
      }
    });
    child.on('error', (e) => reject(new Error(`could not start ${PYTHON}: ${e.message}`)));
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', abort);
      options.progress?.finish();
      if (stopped) resolve({ version: '', seconds: 0, samples: 0, stopped: true, history: { iteration: [], trainLoss: [], valLoss: [] }, finalTrainLoss: null, finalValLoss: null });
      else if (code === 0 && result) resolve(result);
      else if (/No module named 'torch'|No module named 'numpy'/.test(stderr)) reject(new Error(`PyTorch is not installed for ${PYTHON} (apt-get install python3-torch python3-numpy libopenblas0-pthread)`));
      else reject(new Error(`the PyTorch trainer failed (exit code ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** What the trainer prints while it runs: TrainProgress's fields, with its own clock. */
type ProgressLine = Pick<TrainProgress, 'epoch' | 'batch' | 'batchesPerEpoch' | 'iteration' | 'trainLoss' | 'valLoss' | 'logged'> & { samples: number; seconds: number };
interface ResultLine {
  seconds: number;
  samples: number;
  torch: string;
  history: { iteration: number[]; trainLoss: number[]; valLoss: number[] };
}

function relay(p: ProgressLine, config: TrainConfig, progress: ProgressReporter | null | undefined): void {
  if (!progress) return;
  const rate = p.samples / Math.max(p.seconds, 1e-9);
  const update: TrainProgress = {
    epoch: p.epoch, epochs: config.epochs, batch: p.batch, batchesPerEpoch: p.batchesPerEpoch, iteration: p.iteration, trainLoss: p.trainLoss, valLoss: p.valLoss, logged: p.logged,
    samplesPerSecond: rate, elapsedSeconds: p.seconds, etaSeconds: ((config.epochs * p.batchesPerEpoch - p.iteration) * config.batchSize) / rate,
  };
  progress.update(update, 0);
}
