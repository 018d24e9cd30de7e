// A minifying bundler renames classes: error names, messages and toString() must not depend
// on them. The sources are bundled and minified with esbuild (as a production build would)
// and run in a child process.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mlp-min-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = `
import * as m from ${JSON.stringify(join(root, 'ts/index.ts'))};
import { readFileSync } from 'node:fs';
const caught = (f) => { try { f(); } catch (e) { return e; } };
m.initSync(readFileSync(new URL('./mlp_engine.wasm', import.meta.url)));
const net = new m.FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [3], seed: 1 });
const lines = [
  String(caught(() => new m.FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [-1] }))),
  String(caught(() => new m.CrossEntropyLoss({ alpha: -1 }))),
  String(caught(() => new m.Sigmoid().apply('x'))),
  String(caught(() => net.train(0))),
  String(net),
  caught(() => new m.Matrix(-1, 1)).name,
];
console.log(JSON.stringify(lines));
`;

it('error names, messages and toString() survive minification', async () => {
  writeFileSync(join(dir, 'entry.mjs'), entry);
  copyFileSync(join(root, 'ts/wasm/mlp_engine.wasm'), join(dir, 'mlp_engine.wasm'));
  await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, minify: true, format: 'esm', platform: 'node', outfile: join(dir, 'out.mjs'), logLevel: 'silent' });
  const lines: string[] = JSON.parse(execFileSync(process.execPath, [join(dir, 'out.mjs')], { encoding: 'utf8' }));
  expect(lines[0]).toMatch(/^ValueError: new FeedForwardNeuralNets: hiddenLayers/);
  expect(lines[1]).toMatch(/^ValueError: new CrossEntropyLoss: alpha must be/);
  expect(lines[2]).toMatch(/^ValueError: Sigmoid\.apply: /);
  expect(lines[3]).toMatch(/^ValueError: FeedForwardNeuralNets\.train: epochs must be/);
  expect(lines[4]).toContain('g=Sigmoid(), O=Softmax(), L=CrossEntropyLoss(alpha=0, regularization=None)');
  expect(lines[5]).toBe('ValueError');
}, 60_000);
