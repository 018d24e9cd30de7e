// Output paths are checked before any work: `--save` on a directory or in a place that cannot
// be written, or `--out` under a file, is a one-line usage error (exit 2) naming the option,
// not a failure after the whole training run that loses the trained model.

import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../ts/cli/args.js';
import { checkOutputPaths } from '../../ts/cli/output-paths.js';
import { cli, listFiles, tempDir, type Captured } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const path = (...parts: string[]) => join(tmp.dir, ...parts);

// Small enough that, without the checks, each refused command would train for a second or so.
const TINY = ['--train-limit', '600', '--validation', '100', '--epochs', '1', '--hidden', '8', '--quiet'];

/** A folder no file can be created in: /proc on Linux (even for root), else a read-only folder. */
function unwritableDir(): string {
  if (process.platform === 'linux' && existsSync('/proc')) return '/proc';
  const dir = path('read-only');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o500);
  return dir;
}

function expectUsageError(r: Captured, ...parts: string[]): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe(''); // nothing loaded, nothing trained
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlp-wasm: --/);
  for (const part of parts) expect(lines[0]).toContain(part);
}

describe('train refuses unusable output paths before training', () => {
  it('--save on an existing directory', async () => {
    mkdirSync(path('taken.json'));
    expectUsageError(await cli(['train', ...TINY, '--no-report', '--save', path('taken.json')]), '--save', 'is a directory');
  });

  it('--save in a folder that cannot be written', async () => {
    const dir = unwritableDir();
    expectUsageError(await cli(['train', ...TINY, '--no-report', '--save', join(dir, 'foo.json')]), '--save', `cannot write in ${dir}`);
  });

  it('--save or --out below a file', async () => {
    writeFileSync(path('plain-file'), 'x');
    expectUsageError(await cli(['train', ...TINY, '--no-report', '--save', path('plain-file', 'm.json')]), '--save', 'plain-file is not a directory');
    expectUsageError(await cli(['train', ...TINY, '--out', path('plain-file', 'reports')]), '--out', 'plain-file is not a directory');
  });

  it('--out that cannot be written, also when only a checkpoint goes there', async () => {
    const dir = unwritableDir();
    expectUsageError(await cli(['train', ...TINY, '--out', join(dir, 'reports')]), '--out', `cannot write in ${dir}`);
    expectUsageError(await cli(['train', ...TINY, '--no-report', '--checkpoint-every', '1', '--out', join(dir, 'reports')]), '--out', `cannot write in ${dir}`);
  });

  it('a refused command creates nothing on the way', async () => {
    writeFileSync(path('blocker'), 'x');
    const before = listFiles(tmp.dir);
    await cli(['train', ...TINY, '--save', path('new', 'deeper', 'm.json'), '--out', path('blocker', 'reports')]);
    expect(existsSync(path('new'))).toBe(false);
    expect(listFiles(tmp.dir)).toEqual(before);
  });

  it('accepts folders still to be created, and leaves no probe file behind', async () => {
    const r = await cli(['train', ...TINY, '--save', path('fresh', 'nested', 'm.json'), '--out', path('fresh', 'reports'), '--name', 'run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(listFiles(path('fresh'))).toEqual([
      'nested/m.json',
      'reports/2025-01-02T03-04-05-run/confusion.svg',
      'reports/2025-01-02T03-04-05-run/loss.svg',
      'reports/2025-01-02T03-04-05-run/model.json',
      'reports/2025-01-02T03-04-05-run/report.html',
      'reports/2025-01-02T03-04-05-run/report.md',
    ]);
  });
});

describe('the other commands', () => {
  it('experiments refuses an --out it cannot write, before any run', async () => {
    writeFileSync(path('exp-file'), 'x');
    expectUsageError(await cli(['experiments', '--only', 'relu', '--train-limit', '600', '--epochs', '1', '--out', path('exp-file', 'x')]), '--out', 'exp-file is not a directory');
  });

  it('checks only the paths a command will write', () => {
    const at = (argv: string[]) => () => checkOutputPaths(parseArgs(argv));
    const dir = unwritableDir();
    expect(at(['train', '--no-report', '--out', join(dir, 'x')])).not.toThrow(); // --out unused
    expect(at(['train', '--no-report', '--checkpoint-every', '1', '--save', path('c.json'), '--out', join(dir, 'x')])).not.toThrow(); // checkpoints go to --save
    expect(at(['experiments', '--no-report', '--out', join(dir, 'x')])).not.toThrow();
    expect(at(['evaluate', '--model', 'package.json'])).not.toThrow(); // evaluate writes nothing
    writeFileSync(path('exists.json'), '{}');
    expect(at(['train', '--save', path('exists.json'), '--no-report'])).not.toThrow(); // replaced atomically
    expect(at(['train', '--save', path('exists.json'), '--out', join(dir, 'x')])).toThrow(UsageError);
  });
});
