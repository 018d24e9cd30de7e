// Running the CLI in-process (runCli with captured output) or as a real process.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../ts/cli/run.js';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called with every chunk written to stdout (e.g. to abort at some point). */
  onStdout?: (text: string) => void;
  tty?: boolean;
}

/** runCli with string-capturing stdout/stderr (not a terminal unless asked). */
export async function cli(argv: string[], options: RunOptions = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: {
      write: (t: string) => {
        stdout += t;
        options.onStdout?.(t);
        return true;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stderr: { write: (t: string) => ((stderr += t), true) },
    ...(options.signal ? { signal: options.signal } : {}),
    now: () => new Date(2025, 0, 2, 3, 4, 5),
  });
  return { code, stdout, stderr };
}

/** The CLI as a real process (node --import tsx ts/cli/main.ts ...), as npm run mnist starts it. */
export function cliProcess(argv: string[], timeoutMs = 30_000): Captured {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'ts/cli/main.ts'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'mlp-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Files in a directory, recursively, relative to it. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(dir.length + 1))
    .sort();
}
