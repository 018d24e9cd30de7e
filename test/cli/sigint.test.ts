// A real SIGINT to the command (ts/cli/main.ts, as `npm run mnist` starts it, and as a
// terminal's Ctrl-C delivers it): training stops after the current batch, the checkpoint is
// saved and the command exits 130. (resume.test.ts covers the same path in-process.)

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Starts the CLI; `onOutput` sees stdout + stderr as they come and may send signals. */
function run(argv: string[], onOutput: (all: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'ts/cli/main.ts'), ...argv], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  let out = '';
  const feed = (chunk: Buffer) => {
    out += chunk.toString();
    onOutput(out, child);
  };
  child.stdout.on('data', feed);
  child.stderr.on('data', feed);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

// 12,000 images, 500 epochs: minutes of work, so only the signal can end it.
const LONG = ['train', '--train-limit', '12000', '--epochs', '500', '--hidden', '256', '--no-report'];

it('the first Ctrl-C stops after the current batch, saves the checkpoint and exits 130', async () => {
  const file = join(tmp.dir, 'ckpt.json');
  let sent = false;
  const r = await run([...LONG, '--save', file], (out, child) => {
    if (!sent && /epoch \d+\/500/.test(out)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  expect(sent).toBe(true);
  expect(r.code).toBe(130);
  expect(r.out).toMatch(/Ctrl-C: stopping after the current batch/);
  expect(r.out).toMatch(/Interrupted: stopped in epoch \d+ of 500/);
  expect(existsSync(file)).toBe(true);
  const model = JSON.parse(readFileSync(file, 'utf8'));
  expect(model.training.iteration).toBeGreaterThan(0);
}, 60_000);
