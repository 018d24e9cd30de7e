// Repeat-and-summarise helpers. We report median (robust to a noisy neighbour on a 2-core box)
// plus min and max so a reader can see the spread, never a lone mean.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many values were summarised. */
  n: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * Turns a summary of seconds-per-call into items-per-second. min and max swap places
 * (the slowest call gives the lowest rate). The median maps exactly because 1/x is monotonic.
 */
export function toRate(secondsPerCall: Summary, itemsPerCall: number): Summary {
  return {
    median: itemsPerCall / secondsPerCall.median,
    min: itemsPerCall / secondsPerCall.max,
    max: itemsPerCall / secondsPerCall.min,
    n: secondsPerCall.n,
  };
}

export interface TimeItOptions {
  /** Untimed calls first, so JIT tier-up, allocation and caches settle. Default 1. */
  warmup?: number;
  /** Timed repeats; each gives one seconds-per-call value. Default 5. */
  repeats?: number;
  /** Each repeat calls fn until at least this long has passed (at least once), so short
   *  calls are not lost in timer resolution. Default 0 (one call per repeat). */
  minSeconds?: number;
}

export interface Timing {
  /** Seconds per single call of fn, one value per repeat, summarised. */
  secondsPerCall: Summary;
  /** The raw per-repeat seconds-per-call values, in run order. */
  samples: number[];
  /** Total calls made in the timed repeats. */
  calls: number;
}

const now = (): number => performance.now() / 1000;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Times fn (sync or async). Sync functions are not awaited, so their timing has no microtask overhead. */
export async function timeIt(fn: () => unknown, opts: TimeItOptions = {}): Promise<Timing> {
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 5;
  const minSeconds = opts.minSeconds ?? 0;
  if (!(repeats >= 1)) throw new RangeError(`timeIt: repeats must be >= 1, got ${repeats}`);

  for (let i = 0; i < warmup; i++) {
    const r = fn();
    if (isThenable(r)) await r;
  }

  const samples: number[] = [];
  let calls = 0;
  for (let rep = 0; rep < repeats; rep++) {
    let n = 0;
    const start = now();
    let elapsed = 0;
    do {
      const r = fn();
      if (isThenable(r)) await r;
      n++;
      elapsed = now() - start;
    } while (elapsed < minSeconds);
    samples.push(elapsed / n);
    calls += n;
  }
  return { secondsPerCall: summarize(samples), samples, calls };
}
