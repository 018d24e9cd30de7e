// Reusable fuzz driver for the IDX decoder. A seeded PRNG damages small valid files (bit flips,
// byte edits, truncations, extensions, header edits, splices, gzip wrapping and damaging the
// gzip itself) and every case must end in one of two ways: the decoder returns exactly what an
// independent oracle says the bytes hold, or it throws DataFormatError naming the file.
// Anything else (another exception, a wrong result, a hang, runaway memory) is a failure.
// Same seed, same cases: a failure report carries the seed and case index to replay it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFormatError } from '../../ts/api/errors.js';
import { checkPair, decodeIdxFile, type IdxFile } from '../../ts/data/idx.js';
import { mulberry32 } from '../../ts/util/mulberry32.js';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  corpus: CorpusFile[];
  /** The decoder under test; defaults to decodeIdxFile. */
  decode?: (bytes: Uint8Array, fileName: string) => Promise<IdxFile>;
}

export interface FuzzFailure {
  seed: number;
  index: number;
  mutations: string[];
  /** First bytes of the input, hex, to eyeball the header. */
  headHex: string;
  length: number;
  problem: string;
}

export interface FuzzReport {
  parsed: number;
  rejected: number;
  failures: FuzzFailure[];
  /** How often each mutation was applied. */
  mutationCounts: Record<string, number>;
  /** Largest rise in resident memory seen during the run, bytes. */
  maxRssGrowth: number;
  elapsedMs: number;
}

/** Reads every file of a folder except README.md as the seed corpus. */
export function loadSeedCorpus(dir: string): CorpusFile[] {
  return readdirSync(dir)
    .filter((name) => !name.endsWith('.md'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

export { mulberry32 };

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

// Header values that sit on the edges the parser must get right.
const INTERESTING_UINT32 = [0, 1, 2, 3, 27, 28, 29, 255, 256, 2049, 2050, 2051, 0x0803, 0x08030000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutator = (rng: Rng, bytes: Uint8Array, corpus: CorpusFile[]) => Uint8Array;

const MUTATORS: Record<string, Mutator> = {
  flipBits(rng, bytes) {
    const out = bytes.slice();
    const flips = 1 + int(rng, 4);
    for (let i = 0; i < flips && out.length > 0; i++) out[int(rng, out.length)]! ^= 1 << int(rng, 8);
    return out;
  },
  setByte(rng, bytes) {
    const out = bytes.slice();
    // Half the edits hit the 16-byte header, where one byte changes the meaning of the file.
    if (out.length > 0) out[rng() < 0.5 ? int(rng, Math.min(16, out.length)) : int(rng, out.length)] = int(rng, 256);
    return out;
  },
  truncate(rng, bytes) {
    return bytes.slice(0, int(rng, bytes.length + 1));
  },
  extend(rng, bytes) {
    const extra = new Uint8Array(1 + int(rng, 64)).map(() => int(rng, 256));
    const out = new Uint8Array(bytes.length + extra.length);
    out.set(bytes);
    out.set(extra, bytes.length);
    return out;
  },
  editHeader(rng, bytes) {
    const out = bytes.length >= 16 ? bytes.slice() : Uint8Array.from({ length: 16 }, (_, i) => bytes[i] ?? 0);
    const offset = pick(rng, [0, 4, 8, 12]);
    const view = new DataView(out.buffer);
    const current = view.getUint32(offset, false);
    const value = rng() < 0.3 ? current + pick(rng, [-1, 1]) : pick(rng, INTERESTING_UINT32);
    view.setUint32(offset, value >>> 0, false);
    return rng() < 0.5 ? out : out.slice(0, Math.max(bytes.length, 4));
  },
  splice(rng, bytes, corpus) {
    // Head of this file, tail of another: mixes headers and bodies of different shapes.
    const other = pick(rng, corpus).bytes;
    const cut = int(rng, bytes.length + 1);
    const from = int(rng, other.length + 1);
    const out = new Uint8Array(cut + other.length - from);
    out.set(bytes.subarray(0, cut));
    out.set(other.subarray(from), cut);
    return out;
  },
};

const GZIP_DAMAGE = ['flipBits', 'setByte', 'truncate', 'extend'] as const;

/** Builds case `index` deterministically from the seed (so a single case can be replayed). */
export function makeCase(seed: number, index: number, corpus: CorpusFile[]): { bytes: Uint8Array; mutations: string[] } {
  const rng = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const seedFile = pick(rng, corpus);
  let bytes = seedFile.bytes;
  const mutations = [`seed:${seedFile.name}`];
  // About one case in ten stays valid, so the success path is exercised too.
  const rounds = rng() < 0.1 ? 0 : 1 + int(rng, 3);
  for (let r = 0; r < rounds; r++) {
    const name = pick(rng, Object.keys(MUTATORS));
    bytes = MUTATORS[name]!(rng, bytes, corpus);
    mutations.push(name);
  }
  if (rng() < 0.3) {
    bytes = new Uint8Array(gzipSync(bytes));
    mutations.push('gzip');
    if (rng() < 0.5) {
      const name = pick(rng, GZIP_DAMAGE);
      bytes = MUTATORS[name]!(rng, bytes, corpus);
      mutations.push(`gzip-${name}`);
    }
  }
  return { bytes, mutations };
}

/** What the bytes hold according to a deliberately simple, BigInt-based reading of the format. */
type Expected = { kind: 'images'; count: number; rows: number; cols: number; data: Uint8Array } | { kind: 'labels'; count: number; data: Uint8Array } | null;

export function oracle(input: Uint8Array): Expected {
  let raw = input;
  if (input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b) {
    try {
      raw = new Uint8Array(gunzipSync(input));
    } catch {
      return null;
    }
  }
  const u32 = (at: number) => BigInt(((raw[at]! << 24) | (raw[at + 1]! << 16) | (raw[at + 2]! << 8) | raw[at + 3]!) >>> 0);
  const length = BigInt(raw.length);
  if (raw.length < 4) return null;
  const magic = u32(0);
  if (magic === 2051n) {
    if (raw.length < 16) return null;
    const [count, rows, cols] = [u32(4), u32(8), u32(12)];
    if (rows === 0n || cols === 0n || 16n + count * rows * cols !== length) return null;
    return { kind: 'images', count: Number(count), rows: Number(rows), cols: Number(cols), data: raw.subarray(16) };
  }
  if (magic === 2049n) {
    if (raw.length < 8) return null;
    const count = u32(4);
    if (8n + count !== length) return null;
    return { kind: 'labels', count: Number(count), data: raw.subarray(8) };
  }
  return null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Compares a successful decode with the oracle; returns a problem description or null. */
function checkParsed(result: IdxFile, expected: Expected): string | null {
  if (!expected) return `decoded as ${result.kind} but the bytes are not a valid IDX file`;
  if (result.kind !== expected.kind) return `decoded as ${result.kind}, expected ${expected.kind}`;
  if (result.count !== expected.count) return `count ${result.count}, expected ${expected.count}`;
  if (result.kind === 'images' && expected.kind === 'images') {
    if (result.rows !== expected.rows || result.cols !== expected.cols) return `dims ${result.rows}x${result.cols}, expected ${expected.rows}x${expected.cols}`;
    if (!sameBytes(result.pixels, expected.data)) return 'pixels differ from the file body';
  }
  if (result.kind === 'labels' && !sameBytes(result.labels, expected.data)) return 'labels differ from the file body';
  return null;
}

/** Runs the cases; never throws on a bad case, it reports it. */
export async function runIdxFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const decode = options.decode ?? decodeIdxFile;
  const report: FuzzReport = { parsed: 0, rejected: 0, failures: [], mutationCounts: {}, maxRssGrowth: 0, elapsedMs: 0 };
  const start = performance.now();
  const baselineRss = process.memoryUsage().rss;
  for (let index = 0; index < options.cases; index++) {
    const { bytes, mutations } = makeCase(options.seed, index, options.corpus);
    for (const m of mutations) if (!m.startsWith('seed:')) report.mutationCounts[m] = (report.mutationCounts[m] ?? 0) + 1;
    const fileName = `fuzz-case-${index}`;
    const expected = oracle(bytes);
    const fail = (problem: string) =>
      report.failures.push({
        seed: options.seed,
        index,
        mutations,
        headHex: Buffer.from(bytes.subarray(0, 24)).toString('hex'),
        length: bytes.length,
        problem,
      });
    try {
      const result = await decode(bytes, fileName);
      const problem = checkParsed(result, expected);
      if (problem) fail(problem);
      else report.parsed++;
      // A decoded labels file must also go through checkPair cleanly: pass or DataFormatError.
      if (result.kind === 'labels' && !problem) {
        const images = { kind: 'images' as const, count: result.count, rows: 1, cols: 1, pixels: new Uint8Array(result.count) };
        try {
          checkPair(images, result, { images: 'paired-images', labels: fileName });
        } catch (error) {
          if (!(error instanceof DataFormatError)) fail(`checkPair threw ${String(error)}`);
        }
      }
    } catch (error) {
      if (!(error instanceof DataFormatError)) fail(`threw ${(error as Error)?.name ?? typeof error}: ${String((error as Error)?.message ?? error)}`);
      else if (!error.message.includes(fileName)) fail(`DataFormatError does not name the file: ${error.message}`);
      else if (expected) fail(`rejected a valid ${expected.kind} file: ${error.message}`);
      else report.rejected++;
    }
    if (index % 100 === 0) report.maxRssGrowth = Math.max(report.maxRssGrowth, process.memoryUsage().rss - baselineRss);
  }
  report.maxRssGrowth = Math.max(report.maxRssGrowth, process.memoryUsage().rss - baselineRss);
  report.elapsedMs = performance.now() - start;
  return report;
}
