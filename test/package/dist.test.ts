// The built package as users get it: ESM and CJS entries, types, the .wasm beside them,
// no runtime dependencies. Built into a temporary copy of the package, so `npm test` never
// rewrites the working tree's dist/ under other suites (or anyone serving it).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'mlp-dist-'));
const script = (options: string) => `
  const X = [[0,0],[0,1],[1,0],[1,1]], Y = [[1,0],[0,1],[0,1],[1,0]];
  await m.init(${options});
  const net = new m.FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [8], g: new m.Tanh(), optimizer: 'adam', eta: 0.05, batchSize: 4, seed: 1 });
  net.train(300);
  console.log(JSON.stringify(Array.from(net.predict(X))), 'threads', m.threadCount());
`;
// Node defaults to every core, up to the engine's 64 threads (MAX_THREADS in parallel.rs);
// one core means the single-thread build. `threads: 2` needs the threads build on any machine.
const defaultThreads = Math.min(64, Math.max(1, availableParallelism()));

beforeAll(() => {
  // The package's own config and sources; tsup's onSuccess copies the .wasm into ./dist of
  // its working directory, so that must be the temporary package too.
  for (const f of ['package.json', 'tsup.config.ts', 'tsconfig.json', 'ts']) cpSync(join(root, f), join(dir, f), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js')], { cwd: dir, stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Resolves 'mlp-wasm' through package.json "exports" (a package may import itself by name).
function run(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }).trim();
}
function esm(options: string): string {
  return run(['--input-type=module', '-e', `import * as m from 'mlp-wasm'; ${script(options)}`]);
}
function cjs(options: string): string {
  return run(['-e', `(async () => { const m = require('mlp-wasm'); ${script(options)} })().catch((e) => { console.error(e); process.exit(1); })`]);
}

it('has no runtime dependencies and ships the wasm with both entries', () => {
  expect(pkg.dependencies ?? {}).toEqual({});
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/mlp_engine.wasm', 'dist/mlp_engine_threads.wasm']) expect(existsSync(join(dir, f)), f).toBe(true);
  for (const w of ['mlp_engine.wasm', 'mlp_engine_threads.wasm']) expect(readFileSync(join(dir, 'dist', w))).toEqual(readFileSync(`${root}ts/wasm/${w}`));
});

it('works through the ESM entry', () => {
  expect(esm('')).toBe(`[0,1,1,0] threads ${defaultThreads}`);
  // A missing threads build would fall back to one thread with a warning.
  expect(esm('{ threads: 2 }')).toBe('[0,1,1,0] threads 2');
});

it('works through the CommonJS entry', () => {
  expect(cjs('')).toBe(`[0,1,1,0] threads ${defaultThreads}`);
  expect(cjs('{ threads: 2 }')).toBe('[0,1,1,0] threads 2');
});
