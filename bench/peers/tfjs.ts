// TensorFlow.js peer: runs each backend in its own child process (clean engine state, the wasm
// backend initialises once per process), either measuring everything at once (`benchTfjs`) or
// timing one repeat per request (`startTfjs`), so the caller can take turns with our engine.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { MARKERS, type TfjsMeasure, type TfjsOptions, type TfjsResult } from './tfjs-measure.js';

export type { TfjsBackend, TfjsMeasure, TfjsOptions, TfjsResult } from './tfjs-measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

/** A TF.js child: every marked line it prints, in order, and how it ended. */
function spawnChild(opts: TfjsOptions & { serve?: boolean }, timeoutMs: number) {
  // cwd = repo root so `--import tsx` resolves from this project's node_modules.
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'tfjs-child.ts'), JSON.stringify(opts)], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const waiting: { marker: string; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  let ended: Error | null = null;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const head = waiting[0];
    if (head && line.startsWith(head.marker)) {
      waiting.shift();
      head.resolve(JSON.parse(line.slice(head.marker.length)));
    }
  });
  const fail = (why: string) => {
    clearTimeout(timer);
    ended = new Error(`TF.js ${opts.backend} child failed (${why}):\n${err.trim().split('\n').slice(-15).join('\n')}`);
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  proc.on('error', (e) => fail(e.message));
  proc.on('close', (code, signal) => {
    if (code === 0 && !signal && waiting.length === 0) return clearTimeout(timer);
    fail(signal ? `killed by ${signal}` : waiting.length > 0 ? `exit code ${code} before answering` : `exit code ${code}`);
  });
  const next = <T>(marker: string) =>
    new Promise<T>((resolve, reject) => (ended ? reject(ended) : waiting.push({ marker, resolve: resolve as (v: unknown) => void, reject })));
  return { proc, next };
}

export async function benchTfjs(opts: TfjsOptions): Promise<TfjsResult> {
  const child = spawnChild(opts, opts.quick ? 120_000 : 900_000);
  child.proc.stdin!.end();
  return child.next<TfjsResult>(MARKERS.result);
}

export interface TfjsServer {
  /** Times one repeat of `what` in the child; resolves to items per second. */
  rate(what: TfjsMeasure): Promise<number>;
  /** Ends the child and returns the summary of every repeat it timed. */
  finish(): Promise<TfjsResult>;
}

export async function startTfjs(opts: TfjsOptions): Promise<TfjsServer> {
  const child = spawnChild({ ...opts, serve: true }, opts.quick ? 180_000 : 900_000);
  await child.next<boolean>(MARKERS.ready);
  return {
    async rate(what) {
      const answer = child.next<{ seconds: number; samples: number }>(MARKERS.sample);
      child.proc.stdin!.write(`${what}\n`);
      const { seconds, samples } = await answer;
      return samples / seconds;
    },
    async finish() {
      const result = child.next<TfjsResult>(MARKERS.result);
      child.proc.stdin!.end('done\n');
      return result;
    },
  };
}
