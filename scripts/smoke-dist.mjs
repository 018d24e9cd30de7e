// Smoke test of the built package (dist/) on whatever Node runs it; CI runs it on Node 18,
// the oldest the package supports (vitest itself needs a newer Node). ESM and CJS entry points,
// both engine builds, and a short CLI run on the bundled MNIST.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fail = (what) => {
  console.error(`smoke-dist: FAIL on Node ${process.version}: ${what}`);
  process.exit(1);
};
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [[1, 0], [0, 1], [0, 1], [1, 0]];

async function xor(m, threads) {
  await m.init({ threads });
  const net = new m.FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], optimizer: 'adam', eta: 0.05, batchSize: 4, seed: 1 });
  net.train(500);
  const predicted = Array.from(net.predict(X)).join(',');
  if (predicted !== '0,1,1,0') fail(`XOR on ${threads} thread(s) predicted ${predicted}`);
  if (m.threadCount() !== threads) fail(`asked for ${threads} thread(s), the engine has ${m.threadCount()}`);
  const back = m.FeedForwardNeuralNets.load(net.saveBinary());
  if (Array.from(back.predict(X)).join(',') !== predicted) fail('a saved and loaded model predicts differently');
  await m.shutdown();
}

await xor(await import(join(root, 'dist/index.js')), 2);
await xor(createRequire(import.meta.url)(join(root, 'dist/index.cjs')), 1);

const out = mkdtempSync(join(tmpdir(), 'mlp-smoke-'));
try {
  const args = [join(root, 'dist/cli.js'), 'train', '--hidden', '32', '--epochs', '1', '--train-limit', '3000', '--test-limit', '500', '--out', out];
  const text = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (!/accuracy/i.test(text)) fail(`the CLI printed no classification report:\n${text}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`smoke-dist: the built package works on Node ${process.version} (ESM on 2 threads, CJS on 1, CLI)`);
