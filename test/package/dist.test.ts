// The built package as users get it: ESM and CJS entries, types, the .wasm beside them,
// no runtime dependencies.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const script = `
  const X = [[0,0],[0,1],[1,0],[1,1]], Y = [[1,0],[0,1],[0,1],[1,0]];
  await m.init();
  const net = new m.FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], g: new m.Tanh(), optimizer: 'adam', eta: 0.05, batchSize: 4, seed: 1 });
  net.train(300);
  console.log(JSON.stringify(Array.from(net.predict(X))), 'threads', m.threadCount());
`;

beforeAll(() => {
  execFileSync('npx', ['tsup'], { cwd: root, stdio: 'pipe' });
}, 120_000);

it('has no runtime dependencies and ships the wasm with both entries', () => {
  expect(pkg.dependencies ?? {}).toEqual({});
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/mlp_engine.wasm', 'dist/mlp_engine_threads.wasm']) expect(existsSync(root + f), f).toBe(true);
  for (const w of ['mlp_engine.wasm', 'mlp_engine_threads.wasm']) expect(readFileSync(`${root}dist/${w}`)).toEqual(readFileSync(`${root}ts/wasm/${w}`));
});

it('works through the ESM entry', () => {
  const out = execFileSync('node', ['--input-type=module', '-e', `import * as m from 'mlp-wasm'; ${script}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  // Node defaults to every core: the threads build must be found beside the bundle.
  expect(out.trim()).toBe(`[0,1,1,0] threads ${availableParallelism()}`);
});

it('works through the CommonJS entry', () => {
  const out = execFileSync('node', ['-e', `(async () => { const m = require('mlp-wasm'); ${script} })().catch((e) => { console.error(e); process.exit(1); })`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  expect(out.trim()).toBe(`[0,1,1,0] threads ${availableParallelism()}`);
});
