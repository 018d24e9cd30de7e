// Optional native reference: PyTorch (Debian's /usr/bin/python3 has torch; the PATH python may
// not). Shows what the CPU gives outside WebAssembly (AVX2 FMA BLAS). Missing python or torch
// is not an error: the result is null with the reason.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Summary } from '../lib/stats.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_mlp.py');

export interface TorchPoint {
  threads: number;
  /** Training samples/s at batch 64. */
  train: Summary;
  /** Inference samples/s at batch 1000. */
  inference: Summary;
}

export interface TorchResult {
  peer: 'pytorch';
  version: string;
  results: TorchPoint[];
}

export type TorchOutcome = { result: TorchResult; reason?: undefined } | { result: null; reason: string };

export async function benchTorch(opts: { quick: boolean; threads?: number[] }): Promise<TorchOutcome> {
  if (!existsSync(PYTHON)) return { result: null, reason: `${PYTHON} not found` };
  try {
    await run(PYTHON, ['-c', 'import torch'], { timeout: 60_000 });
  } catch {
    return { result: null, reason: `torch is not importable from ${PYTHON}` };
  }
  let version = '';
  const results: TorchPoint[] = [];
  // One process per thread count: OpenBLAS fixes its thread pool when it loads.
  for (const threads of opts.threads ?? [1, 2]) {
    const args = [SCRIPT, '--threads', String(threads), ...(opts.quick ? ['--quick'] : [])];
    try {
      const { stdout } = await run(PYTHON, args, { timeout: opts.quick ? 60_000 : 300_000 });
      const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as TorchPoint & { version: string };
      version = r.version;
      results.push({ threads: r.threads, train: r.train, inference: r.inference });
    } catch (e) {
      return { result: null, reason: `torch_mlp.py failed: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return { result: { peer: 'pytorch', version, results } };
}
