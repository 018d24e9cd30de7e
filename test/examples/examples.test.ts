// Every notebook-style script in examples/ runs to the end in quick mode (so they never rot):
// as a real process, the way a reader runs it (`npx tsx examples/NN-name.ts --quick`).

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** What each script must print (a line from every part of it). */
const EXPECTED: Record<string, RegExp[]> = {
  '01-data-preparation.ts': [/^images: 60000 training, 10000 test, 28x28 pixels$/m, /^label: 5$/m, /^split: 50000 train, 10000 validation, 10000 test; 784 features, 10 classes$/m, /^validation inputs: 10000 x 784 mean -?0\.0\d\d std 1\.0\d\d$/m],
  '02-baseline.ts': [/^FeedForwardNeuralNets\(784-500-250-100-10, g=Sigmoid\(\)/m, /^epoch 2\/2: training loss \d\.\d{4}, validation loss \d\.\d{4}$/m, /^Test set\n {14}precision/m, /^ {4}accuracy {27}0\.[6-9]\d {5}10000$/m], // quick mode learns (not the 0.11 of always answering 1)
  '03-activations.ts': [/^sigmoid train 0\.\d{4}/m, /^tanh {4}train 0\.\d{4}/m, /^relu {4}train 0\.\d{4} {2}test 0\.[6-9]\d{3}/m],
  '04-framework-comparison.ts': [/^mlp-wasm: +test accuracy 0\.\d{4}/m, /^TensorFlow\.js: test accuracy 0\.\d{4} in [\d.]+ s \((wasm|cpu) backend\)$/m],
  '05-regularization.ts': [/^alpha 0: training accuracy 0\.\d{4}/m, /^alpha 0\.18: training accuracy 0\.\d{4}/m],
  '06-other-experiments.ts': [/^784-500-250-100-10 after 6 epochs: test accuracy 0\.\d{4}$/m, /^784-100-10 after 3 epochs/m, /^784-256-128-10 after 3 epochs/m],
  '07-beyond-the-report.ts': [/^epoch 3: eta 7\.2e-4, validation accuracy 0\.9\d{3}$/m, /^test accuracy 0\.9\d{3} after/m, /^saved model: [\d.]+ MB of JSON$/m],
};

function runExample(file: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', file), '--quick'], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

describe('examples/ in quick mode', () => {
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();

  it('has one script per section of the report', () => {
    expect(files).toEqual(Object.keys(EXPECTED));
  });

  it.each(files)('%s runs to the end and prints what it says', async (file) => {
    const r = await runExample(file);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull(); // not killed: the script finished (and its process exited) on its own
    expect(r.code).toBe(0);
    for (const pattern of EXPECTED[file]!) expect(r.stdout).toMatch(pattern);
  }, 40_000);
});
