// A short real training run through the CLI: accuracy, printed reports, non-terminal progress
// lines, the report folder, the saved model (with its preprocessing) and `evaluate`.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listFiles, tempDir, type Captured } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

// 2,000 training images (333 held out for validation), the full 10,000-image test set.
const QUICK = ['--train-limit', '2000', '--activation', 'relu', '--optimizer', 'adam', '--eta', '0.001', '--epochs', '4', '--log-every', '10'];

let run: Captured;
const modelPath = join(tmp.dir, 'model.json');
const reportDir = join(tmp.dir, 'reports', '2025-01-02T03-04-05-small');

beforeAll(async () => {
  run = await cli(['train', ...QUICK, '--save', modelPath, '--out', join(tmp.dir, 'reports'), '--name', 'small']);
});

describe('npm run mnist on a 2,000-image subset', () => {
  it('exits 0 and beats 85% test accuracy', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const accuracy = Number(/Test accuracy: +([\d.]+)%/.exec(run.stdout)?.[1]);
    expect(accuracy).toBeGreaterThan(85);
  });

  it('prints both classification reports in scikit-learn layout, the time and the final losses', () => {
    expect(run.stdout).toContain('Training set (1667 images):');
    expect(run.stdout).toContain('Test set (10000 images):');
    expect(run.stdout).toMatch(/ {14}precision {4}recall {2}f1-score {3}support\n\n {11}0 {7}\d\.\d\d/);
    expect(run.stdout).toMatch(/ {4}accuracy {27}\d\.\d\d {5}10000\n/);
    expect(run.stdout).toMatch(/ {4}accuracy {27}\d\.\d\d {6}1667\n/);
    expect(run.stdout).toMatch(/Training time: +[\d.]+ s \([\d,]+ samples\/s\)/);
    expect(run.stdout).toMatch(/Final training loss: +\d\.\d{4}\n/);
    expect(run.stdout).toMatch(/Final validation loss: +\d\.\d{4}\n/);
  });

  it('shows plain progress lines when stdout is not a terminal', () => {
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).not.toContain('\x1b[');
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    // One line per epoch end, plus one at every further 10% of the run.
    expect(lines.filter((l) => / done /.test(l))).toHaveLength(4);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.length).toBeLessThanOrEqual(16);
    for (const line of lines) {
      expect(line).toMatch(/^epoch [1-4]\/4 (done|batch \d+\/27) \(\d+%\) loss \d+\.\d{4}( val \d+\.\d{4})? \| [\d,]+ samples\/s \| ETA \d+:\d\d$/);
    }
    expect(lines.at(-1)).toMatch(/^epoch 4\/4 done \(100%\)/);
  });

  it('writes the run report folder and says where', () => {
    expect(run.stdout).toContain(`Report written to ${join(reportDir, 'report.md')}`);
    expect(listFiles(reportDir)).toEqual(['confusion.svg', 'loss.svg', 'model.json', 'report.html', 'report.md']);
    const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
    expect(md).toContain('| Architecture | 784-500-250-100-10 |');
    expect(md).toContain('## Training set');
    expect(md).toContain('## Test set');
    expect(md).toContain('![Training vs Validation Loss](loss.svg)');
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(readFileSync(join(reportDir, 'model.json'), 'utf8')).toBe(readFileSync(modelPath, 'utf8'));
  });

  it('saves the model with its dataset and preprocessing in the metadata', () => {
    const model = JSON.parse(readFileSync(modelPath, 'utf8'));
    expect(model.format).toBe('mlp-wasm/model');
    expect(model.training.epochsTrained).toBe(4);
    expect(model.metadata.dataset).toBe('mnist');
    expect(model.metadata.config).toMatchObject({ activation: 'relu', optimizer: 'adam', trainLimit: 2000, validationSize: 333, standardize: 'global' });
    const t = model.metadata.transform;
    expect(t.scale).toBeCloseTo(1 / 255, 12);
    expect(t.mean).toHaveLength(784);
    expect(t.std).toHaveLength(784);
    expect(new Set(t.mean).size).toBe(1); // global standardisation: one mean for every pixel
    expect(t.mean[0]).toBeGreaterThan(0.1);
    expect(t.mean[0]).toBeLessThan(0.15);
  });

  it('evaluate --model gives the same test accuracy from the saved file', async () => {
    const r = await cli(['evaluate', '--model', modelPath]);
    expect(r.code).toBe(0);
    const trainAcc = /Test accuracy: +([\d.]+)%/.exec(run.stdout)![1];
    expect(r.stdout).toContain(`Test accuracy: ${trainAcc}%`);
    expect(r.stdout).toContain("preprocessed with the model's stored transform (global standardisation)");
    expect(r.stdout).toMatch(/Confusion matrix/);
    expect(r.stdout).toMatch(/ {4}accuracy {27}\d\.\d\d {5}10000\n/);
  });

  it('--no-report writes nothing, --quiet prints only the summary', async () => {
    const out = join(tmp.dir, 'quiet');
    const r = await cli(['train', '--train-limit', '600', '--epochs', '1', '--quiet', '--no-report', '--out', out]);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(r.stdout.trim().split('\n').map((l) => l.split(':')[0])).toEqual([
      'Training time', 'Final training loss', 'Final validation loss', 'Training accuracy', 'Test accuracy',
    ]);
  });

  it('draws a progress bar with \\r on a terminal', async () => {
    const r = await cli(['train', '--train-limit', '3000', '--epochs', '2', '--no-report', '--log-every', '10'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\rEpoch 1\/2 \[[=> ]+\] +\d+\/40 loss \d\.\d{4}.* samples\/s \| ETA \d+:\d\d\x1b\[K/);
    expect(r.stdout).toMatch(/\rEpoch 2\/2 \[=+\] 40\/40 .*\x1b\[K\n/);
    for (const frame of r.stdout.split('\r').slice(1, -1)) expect(frame.replace(/\x1b\[K.*/s, '').length).toBeLessThan(100);
  });
});
