// `experiments`: selecting runs, quick-mode settings, and a tiny end-to-end run (ours and
// TensorFlow.js) that writes the comparison report.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../ts/cli/args.js';
import { EXPERIMENTS, experimentConfig, selectExperiments } from '../../ts/cli/experiments.js';
import { REPORT_L2_ALPHA } from '../../ts/cli/reference.js';
import { BASELINE } from '../../ts/cli/config.js';
import { trainPytorch } from '../../ts/cli/pytorch.js';
import { FeedForwardNeuralNets, ReLU, classificationReport, init, loadMnist, prepareMnist } from '../../ts/index.js';
import { cli, listFiles, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('experiment selection and settings', () => {
  it('covers the report, its other experiments, Adam and the recipe beyond it', () => {
    const standard = ['baseline', 'tanh', 'relu', 'tanh-eta-0.001', 'relu-eta-0.001', 'baseline-eta-0.001', 'tfjs', 'tfjs-relu', 'pytorch', 'l2', 'epochs-5', 'epochs-30', 'hidden-100', 'hidden-256-128', 'adam', 'beyond'];
    const diagnostics = ['baseline-seed-2', 'baseline-seed-3', 'baseline-seed-4', 'baseline-seed-5', 'baseline-gaussian', 'baseline-per-pixel', 'baseline-no-standardisation', 'l2-alpha-0.01', 'l2-alpha-0.05', 'l2-alpha-0.09', 'l2-alpha-0.15', 'l2-alpha-0.2'];
    expect(EXPERIMENTS.map((e) => e.id)).toEqual([...standard, ...diagnostics]);
    // The diagnostics run only when asked for.
    expect(selectExperiments(undefined).map((e) => e.id)).toEqual(standard);
    expect(selectExperiments('all').map((e) => e.id)).toEqual(standard);
    expect(selectExperiments('diagnostics').map((e) => e.id)).toEqual(diagnostics);
    expect(experimentConfig(EXPERIMENTS.find((e) => e.id === 'baseline-seed-3')!, {})).toMatchObject({ seed: 3, activation: 'sigmoid', eta: 0.01 });
    expect(selectExperiments('relu, tanh').map((e) => e.id)).toEqual(['tanh', 'relu']); // always in the report's order
    expect(selectExperiments('activations,adam').map((e) => e.id)).toEqual(['baseline', 'tanh', 'relu', 'adam']);
    expect(selectExperiments('other').map((e) => e.id)).toEqual(['epochs-5', 'epochs-30', 'hidden-100', 'hidden-256-128']);
    expect(() => selectExperiments('relu,resnet')).toThrow(UsageError);
  });

  it('full runs use the report\'s settings; --quick and flags override them', () => {
    const l2 = EXPERIMENTS.find((e) => e.id === 'l2')!;
    expect(experimentConfig(l2, {})).toMatchObject({ activation: 'relu', optimizer: 'gd', eta: 0.01, batchSize: 64, epochs: 15, regularization: { kind: 'l2', alpha: REPORT_L2_ALPHA }, trainLimit: null, validationSize: 10_000, logEvery: 200 });
    expect(experimentConfig(l2, { quick: true })).toMatchObject({ epochs: 3, trainLimit: 10_000, validationSize: 2_000, logEvery: 25 });
    const beyond = EXPERIMENTS.find((e) => e.id === 'beyond')!;
    expect(experimentConfig(beyond, {})).toMatchObject({ hidden: [500, 250, 100], activation: 'relu', optimizer: 'adam', eta: 0.001, lrDecay: 0.85, batchSize: 128, epochs: 20 });
    expect(experimentConfig(beyond, { quick: true, epochs: 2, seed: 7 })).toMatchObject({ epochs: 2, seed: 7 });
    expect(() => experimentConfig(beyond, { 'train-limit': 500, validation: 500 })).toThrow(UsageError);
  });
});

describe('a tiny experiments run', () => {
  it('trains each run, prints the table and writes the report with its charts', async () => {
    const out = join(tmp.dir, 'reports');
    const r = await cli(['experiments', '--only', 'relu,tfjs-relu,beyond', '--train-limit', '1200', '--epochs', '1', '--log-every', '4', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[1/3] relu');
    expect(r.stdout).toContain('[2/3] tfjs-relu');
    expect(r.stdout).toMatch(/TensorFlow\.js (wasm|cpu) backend/);
    expect(r.stdout).toMatch(/^experiment +test acc +report +train acc +report +train loss +val loss +time$/m);
    expect(r.stdout).toMatch(/^relu +0\.\d{4} +0\.94 +0\.\d{4} +0\.94 /m);
    expect(r.stdout).toMatch(/^tfjs-relu +0\.\d{4} +0\.94 /m);
    expect(r.stdout).toMatch(/^beyond +0\.\d{4} +0\.\d{4} /m);
    const dir = join(out, '2025-01-02T03-04-05-experiments');
    expect(listFiles(dir)).toEqual(['accuracy.svg', 'loss-beyond.svg', 'loss-relu.svg', 'loss-tfjs-relu.svg', 'report.html', 'report.md', 'results.json', 'val-loss.svg']);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| Experiment | Settings | Test acc | Report | Train acc | Report |');
    expect(md).toMatch(/\| tfjs-relu \| 784-500-250-100-10, relu, GD 0\.01, batch 64, 1 epochs, TensorFlow\.js (wasm|cpu) \| 0\.\d{4} \| 0\.94 \|/);
    expect(md).toContain('![Test accuracy by experiment](accuracy.svg)');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBe(5); // accuracy, all validation losses, one per run
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.results.map((x: { id: string }) => x.id)).toEqual(['relu', 'tfjs-relu', 'beyond']);
    for (const x of json.results) {
      expect(x.testAccuracy).toBeGreaterThan(0.25); // one epoch on 1,000 images: well above chance (0.1)
      expect(x.history.iteration.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('the PyTorch run (section 6 in the framework the report used)', () => {
  it('trains the same network on the same data in PyTorch and reports it like ours', async () => {
    const out = join(tmp.dir, 'reports-torch');
    const r = await cli(['experiments', '--only', 'baseline,pytorch', '--train-limit', '3000', '--epochs', '2', '--log-every', '10', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pytorch +0\.\d{4} +0\.94 +0\.\d{4} +\d\.\d{4} /m);
    const json = JSON.parse(readFileSync(join(out, '2025-01-02T03-04-05-experiments', 'results.json'), 'utf8'));
    const [ours, torch] = json.results;
    expect(torch.engine).toMatch(/^PyTorch 1\.\d+/);
    // Sigmoid barely leaves its plateau in 2 epochs of 2,500 images, in both engines alike.
    expect(torch.history.iteration).toEqual(ours.history.iteration);
    expect(Math.abs(torch.finalTrainLoss - ours.finalTrainLoss)).toBeLessThan(0.1);
  }, 120_000);

  it('learns: ReLU in PyTorch through the same runner reaches what ours does', async () => {
    await init();
    const data = prepareMnist(await loadMnist(), { trainLimit: 3000, validationSize: 500, testLimit: 1000 });
    try {
      const config = { ...BASELINE, hidden: [...BASELINE.hidden], activation: 'relu' as const, epochs: 2, logEvery: 10 };
      const r = await trainPytorch(config, data);
      const accuracy = classificationReport(data.test.labels, r.testPredictions).accuracy;
      const net = new FeedForwardNeuralNets({ inputs: data.train, hiddenLayers: config.hidden, g: new ReLU(), eta: config.eta, batchSize: config.batchSize, seed: 1 });
      net.train(config.epochs);
      const ours = classificationReport(data.test.labels, net.predict(data.test)).accuracy;
      net.dispose();
      expect(accuracy).toBeGreaterThan(0.6); // chance is 0.1
      expect(Math.abs(accuracy - ours)).toBeLessThan(0.08);
      expect(r.history.valLoss.length).toBe(r.history.iteration.length);
      expect(r.trainPredictions.length).toBe(2500);
    } finally {
      data.dispose();
    }
  }, 120_000);
});
