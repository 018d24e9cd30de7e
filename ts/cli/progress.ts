// Training progress on the console. On a terminal: one line redrawn in place with "\r"
// (epoch, a bar, batch/batches, loss, samples/s, ETA), at most ~10 times a second. Anywhere
// else (a pipe, a log file, CI): plain lines, one per epoch and at every further 10% of the run.

import type { TrainProgress } from '../index.js';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  out: Output;
  /** Epochs already done before this run (resume), and the total to reach. */
  startEpoch: number;
  totalEpochs: number;
  batchesPerEpoch: number;
  batchSize: number;
  /** Printed before each line, e.g. "[relu] ". */
  prefix?: string;
  /** Minimum milliseconds between redraws on a terminal (default 100). */
  throttleMs?: number;
  /** Override terminal detection (tests). */
  tty?: boolean;
  now?: () => number;
}

export class ProgressReporter {
  private readonly o: Required<Omit<ProgressOptions, 'prefix' | 'tty'>> & { prefix: string };
  private readonly tty: boolean;
  private readonly start: number;
  private readonly totalBatches: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private lastPlainFraction = 0;
  private lastPlainEpoch: number;
  private last: { epoch: number; batch: number; done: number; loss: number; val: number | null; rate: number } | null = null;

  constructor(options: ProgressOptions) {
    this.o = { throttleMs: 100, now: () => performance.now(), prefix: '', ...options } as ProgressReporter['o'];
    this.tty = options.tty ?? options.out.isTTY === true;
    this.start = this.o.now();
    this.totalBatches = Math.max(1, (options.totalEpochs - options.startEpoch) * options.batchesPerEpoch);
    this.lastPlainEpoch = options.startEpoch;
  }

  /** `epochOffset`: epochs finished before the trainAsync call that produced `p`. */
  update(p: TrainProgress, epochOffset: number): void {
    const epoch = epochOffset + p.epoch;
    const done = (epoch - 1 - this.o.startEpoch) * p.batchesPerEpoch + p.batch;
    const elapsed = (this.o.now() - this.start) / 1000;
    const rate = (done * this.o.batchSize) / Math.max(elapsed, 1e-9);
    this.last = { epoch, batch: p.batch, done, loss: p.trainLoss, val: p.valLoss, rate };
    if (this.tty) {
      const t = this.o.now();
      if (t - this.lastDraw < this.o.throttleMs && done < this.totalBatches) return;
      this.lastDraw = t;
      this.draw();
    } else {
      const fraction = done / this.totalBatches;
      const epochEnded = p.batch === p.batchesPerEpoch && epoch > this.lastPlainEpoch;
      if (epochEnded || fraction - this.lastPlainFraction >= 0.1 - 1e-12) {
        this.lastPlainFraction = fraction;
        if (epochEnded) this.lastPlainEpoch = epoch;
        this.o.out.write(`${this.o.prefix}${this.plainLine(epochEnded)}\n`);
      }
    }
  }

  /** Ends the redrawn line (terminal) so what follows starts on a fresh line. */
  finish(): void {
    if (this.tty && this.drawn) {
      this.draw();
      this.o.out.write('\n');
      this.drawn = false;
    }
  }

  private remainingSeconds(): number {
    const l = this.last!;
    return ((this.totalBatches - l.done) * this.o.batchSize) / Math.max(l.rate, 1e-9);
  }

  private stats(): string {
    const l = this.last!;
    const val = l.val === null ? '' : ` val ${l.val.toFixed(4)}`;
    return `loss ${l.loss.toFixed(4)}${val} | ${formatRate(l.rate)} samples/s | ETA ${formatClock(this.remainingSeconds())}`;
  }

  private plainLine(epochEnded: boolean): string {
    const l = this.last!;
    const pct = Math.round((100 * l.done) / this.totalBatches);
    const where = epochEnded ? `epoch ${l.epoch}/${this.o.totalEpochs} done` : `epoch ${l.epoch}/${this.o.totalEpochs} batch ${l.batch}/${this.o.batchesPerEpoch}`;
    return `${where} (${pct}%) ${this.stats()}`;
  }

  private draw(): void {
    const l = this.last;
    if (!l) return;
    const columns = this.o.out.columns && this.o.out.columns > 20 ? this.o.out.columns : 100;
    const head = `${this.o.prefix}Epoch ${String(l.epoch).padStart(String(this.o.totalEpochs).length)}/${this.o.totalEpochs} `;
    const count = ` ${String(l.batch).padStart(String(this.o.batchesPerEpoch).length)}/${this.o.batchesPerEpoch} `;
    const tail = this.stats();
    const barWidth = Math.max(0, Math.min(30, columns - 1 - head.length - count.length - tail.length - 2));
    let line: string;
    if (barWidth >= 5) {
      const filled = Math.round((barWidth * l.batch) / this.o.batchesPerEpoch);
      line = `${head}[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === barWidth ? '=' : '>') : ''}${' '.repeat(barWidth - filled)}]${count}${tail}`;
    } else {
      line = `${head}${count.trim()} ${tail}`;
    }
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.o.out.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }
}

/** "1,234" / "12.3k". */
export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return '?';
  return rate >= 100_000 ? `${(rate / 1000).toFixed(0)}k` : Math.round(rate).toLocaleString('en-US');
}

/** "0:42", "12:05", "1:02:03". */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "1 min 42.0 s" style durations for summaries. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${(seconds - m * 60).toFixed(1)} s`;
}
