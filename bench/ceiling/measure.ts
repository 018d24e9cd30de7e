// Peak single-thread f32 throughput of WebAssembly SIMD128 on this machine: the ceiling any
// wasm MLP engine (ours, TF.js's XNNPACK build) can approach but not pass.

import { emitCeilingModule, flopsPerIteration } from './emit.js';

export interface CeilingPoint {
  chains: number;
  gflops: number;
}

export const CEILING_CHAINS = [8, 12, 14] as const;
/** Chain updates per loop iteration. 1 keeps the kernel identical to ceiling.wat, and unrolling
 *  did not help: 4 measured ~37 GFLOP/s against ~56 at 12 chains (probably register pressure). */
const UNROLL = 1;

type RunFn = (n: number, m: number, k: number) => number;

function instantiate(chains: number): RunFn {
  const module = new WebAssembly.Module(emitCeilingModule(chains, UNROLL));
  return new WebAssembly.Instance(module).exports.run as RunFn;
}

const now = () => performance.now() / 1000;

/** m and k keep every chain converging to 1.0: no overflow, no denormals, nothing constant-foldable. */
const M = 0.999;
const K = 0.001;

/** A warmed-up ceiling kernel of `chains` chains: each call times it for about `seconds`
 *  (best of `repeats` calls) and returns GFLOP/s. */
export interface CeilingSampler {
  chains: number;
  sample(seconds: number, repeats: number): Promise<number>;
}

export async function ceilingSampler(chains: number, quick: boolean): Promise<CeilingSampler> {
  const run = instantiate(chains);
  let sink = 0;

  // Warm-up with many short calls: V8 first runs Liftoff code and swaps in TurboFan code only
  // at a later call, so one long call could be timed entirely on the baseline tier. We keep
  // calling until the rate stops improving (or a time cap), without relying on --no-liftoff.
  const warmN = 20_000;
  const warmCap = quick ? 0.4 : 1.5;
  const warmStart = now();
  let best = 0;
  let sinceBest = 0;
  while (now() - warmStart < warmCap && sinceBest < 20) {
    const t = now();
    sink += run(warmN, M, K);
    const rate = warmN / (now() - t);
    if (rate > best * 1.01) {
      best = rate;
      sinceBest = 0;
    } else sinceBest++;
  }

  // Timed calls; the ceiling is the best of them (noise only slows).
  const sample = async (seconds: number, repeats: number) => {
    const n = Math.max(1000, Math.round(best * seconds));
    let gflops = 0;
    for (let r = 0; r < repeats; r++) {
      const t = now();
      sink += run(n, M, K);
      gflops = Math.max(gflops, (n * flopsPerIteration(chains, UNROLL)) / (now() - t) / 1e9);
      await new Promise((resolve) => setImmediate(resolve)); // let the event loop breathe between runs
    }
    if (!Number.isFinite(sink)) throw new Error('ceiling kernel produced a non-finite value');
    return gflops;
  };
  return { chains, sample };
}

async function measureChains(chains: number, quick: boolean): Promise<CeilingPoint> {
  const sampler = await ceilingSampler(chains, quick);
  return { chains, gflops: await sampler.sample(quick ? 0.05 : 0.2, quick ? 3 : 7) };
}

export async function measureSimdCeiling(opts: { quick: boolean }): Promise<CeilingPoint[]> {
  const points: CeilingPoint[] = [];
  for (const chains of CEILING_CHAINS) points.push(await measureChains(chains, opts.quick));
  return points;
}

/** The chain count with the highest throughput. */
export function bestCeiling(points: readonly CeilingPoint[]): CeilingPoint {
  return points.reduce((a, b) => (b.gflops > a.gflops ? b : a));
}
