// Worker lifecycle, in child processes: workers never keep Node from exiting, and
// `shutdown()` ends them while the engine goes on with one thread.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mlp-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prelude = `
import { createHash } from 'node:crypto';
import { init, FeedForwardNeuralNets, Matrix } from ${JSON.stringify(join(root, 'ts/index.ts'))};
import { shutdown, threadCount } from ${JSON.stringify(join(root, 'ts/wasm/load.ts'))};
const X = new Matrix(256, 100), Y = new Matrix(256, 4);
for (let i = 0; i < X.data.length; i++) X.data[i] = Math.sin(i);
for (let i = 0; i < 256; i++) Y.data[i * 4 + (i % 4)] = 1;
const train = () => {
  const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [300, 60], batchSize: 64, seed: 1 });
  net.train(2);
  const loss = net.loss(X, Y);
  net.dispose();
  return loss;
};
// sha256 of the weights' float32 bytes after a short run: equal hashes, bit-identical weights.
const weightsHash = (optimizer: 'gd' | 'adam', threads?: number) => {
  const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [300, 60], batchSize: 64, seed: 1, optimizer, eta: optimizer === 'adam' ? 1e-3 : 0.1, threads });
  net.train(2);
  const w = net.readVector(0, 'weightsHash');
  net.dispose();
  return createHash('sha256').update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength)).digest('hex');
};
`;

function runChild(name: string, body: string): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, prelude + body);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

it('a process that trained on two threads exits by itself after dispose (workers are unref()ed)', () => {
  const r = runChild('exits', `
await init({ threads: 2 });
console.log('threads', threadCount());
console.log('loss', train());
`);
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0); // a hang would hit the timeout and leave status null
  expect(r.stdout).toMatch(/threads 2/);
  expect(r.stdout).toMatch(/loss \d/);
});

it('shutdown() ends the workers; the engine goes on with one thread and the same results', () => {
  const r = runChild('shutdown', `
await init({ threads: 2 });
const before = train();
await shutdown();
console.log('after shutdown', threadCount());
const after = train();
console.log('same', before === after);
await shutdown(); // a second call is a no-op
`);
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/after shutdown 1/);
  expect(r.stdout).toMatch(/same true/);
});

it('init({ threads: 1 }) loads the single-thread build, starts no worker, and trains bit-identically to the threads build', () => {
  const single = runChild('single', `
import { getEngine } from ${JSON.stringify(join(root, 'ts/wasm/load.ts'))};
await init({ threads: 1 });
console.log('build', getEngine().exports.mlp_threads_build(), 'threads', threadCount(), 'shared', getEngine().memory.buffer instanceof SharedArrayBuffer);
console.log('loss', train());
for (const o of ['gd', 'adam'] as const) console.log('hash', o, weightsHash(o));
`);
  expect(single.stderr).not.toMatch(/Error/);
  expect(single.status).toBe(0);
  expect(single.stdout).toMatch(/build 0 threads 1 shared false/);
  // The other binary, on one thread and on two (every product split, and it did fork).
  const threads = runChild('threads-build', `
import { getEngine } from ${JSON.stringify(join(root, 'ts/wasm/load.ts'))};
await init({ threads: 2 });
const e = getEngine().exports;
e.mlp_test_set_parallel_flops(0);
const forks = e.mlp_test_forks();
for (const o of ['gd', 'adam'] as const) for (const t of [1, 2]) console.log('hash', o, t, weightsHash(o, t));
console.log('build', e.mlp_threads_build(), 'threads', threadCount(), 'forked', e.mlp_test_forks() > forks);
`);
  expect(threads.stderr).not.toMatch(/Error/);
  expect(threads.status).toBe(0);
  expect(threads.stdout).toMatch(/build 1 threads 2 forked true/);
  const hash = (out: string, key: string) => out.match(new RegExp(`^hash ${key} ([0-9a-f]{64})$`, 'm'))?.[1];
  for (const o of ['gd', 'adam']) {
    const h = hash(single.stdout, o);
    expect(h, o).toBeDefined();
    expect(hash(threads.stdout, `${o} 1`), `${o}, threads build, 1 thread`).toBe(h);
    expect(hash(threads.stdout, `${o} 2`), `${o}, threads build, 2 threads`).toBe(h);
  }
  expect(hash(single.stdout, 'gd')).not.toBe(hash(single.stdout, 'adam')); // the hash sees the weights
});

it('a pool larger than a job (3 threads; networks on 1, 2 and 3) gives the same results', () => {
  const r = runChild('three', `
import { getEngine } from ${JSON.stringify(join(root, 'ts/wasm/load.ts'))};
await init({ threads: 3 });
getEngine().exports.mlp_test_set_parallel_flops(0); // split every product
const losses = [1, 2, 3, 2, 1, 3].map((threads) => {
  const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [300, 60], batchSize: 64, seed: 1, threads });
  net.train(2);
  const loss = net.loss(X, Y);
  net.dispose();
  return loss;
});
console.log('threads', threadCount(), 'distinct', new Set(losses).size);
`);
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/threads 3 distinct 1/);
});
