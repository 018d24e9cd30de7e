// TensorFlow.js peer: runs each backend in its own child process (clean engine state, the wasm
// backend initialises once per process) and returns the measured figures.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { TfjsOptions, TfjsResult } from './tfjs-measure.js';

export type { TfjsBackend, TfjsOptions, TfjsResult } from './tfjs-measure.js';

// Kept in sync with tfjs-child.ts; not imported from there because importing it would run it.
const RESULT_MARKER = '@@tfjs-result@@';
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

export async function benchTfjs(opts: TfjsOptions): Promise<TfjsResult> {
  const child = path.join(here, 'tfjs-child.ts');
  const timeoutMs = opts.quick ? 120_000 : 900_000;
  return new Promise<TfjsResult>((resolve, reject) => {
    // cwd = repo root so `--import tsx` resolves from this project's node_modules.
    const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(opts)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (code === 0 && line) {
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as TfjsResult);
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      reject(new Error(`TF.js ${opts.backend} child failed (${why}):\n${err.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}
