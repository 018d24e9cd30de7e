// Command-line parsing: a table of flags (which doubles as the --help text), strict value
// checks, and one-line usage errors. Nothing here touches the engine or the file system
// except the existence check of input files, so every mistake is reported before any work.

import { existsSync, statSync } from 'node:fs';

/** A mistake on the command line: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command = 'train' | 'experiments' | 'evaluate';
export const COMMANDS: readonly Command[] = ['train', 'experiments', 'evaluate'];

// The choices of the string flags; config.ts checks a saved model's settings against them too.
export const HIDDEN_ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
export const LOSSES = ['cross-entropy', 'squared-error'] as const;
export const INITS = ['random', 'gaussian', 'glorot'] as const;
export const OPTIMIZERS = ['gd', 'adam'] as const;
export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export const STANDARDIZATIONS = ['global', 'per-pixel', 'none'] as const;

export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];
export type LossChoice = (typeof LOSSES)[number];
export type InitChoice = (typeof INITS)[number];
export type DatasetChoice = (typeof DATASETS)[number];
export type StandardizeChoice = (typeof STANDARDIZATIONS)[number];

type Kind = 'boolean' | 'string' | 'int' | 'number';

interface FlagSpec {
  /** Without the leading dashes, e.g. "batch-size". */
  name: string;
  kind: Kind;
  /** Value placeholder shown in --help, e.g. "N". */
  meta?: string;
  help: string;
  /** Default as shown in --help (the real default lives in the command's code). */
  shown?: string;
  commands: readonly Command[];
  /** Extra check and conversion of the value; throw UsageError on a bad one. */
  check?: (value: unknown, flag: string) => unknown;
}

const TRAIN: readonly Command[] = ['train'];
const RUNS: readonly Command[] = ['train', 'experiments'];
const ALL: readonly Command[] = COMMANDS;

const choice =
  <T extends string>(options: readonly T[]) =>
  (value: unknown, flag: string): T => {
    if (!options.includes(value as T)) throw new UsageError(`${flag} must be one of ${options.join(', ')}; got ${JSON.stringify(value)}`);
    return value as T;
  };

const atLeast = (min: number) => (value: unknown, flag: string) => {
  if ((value as number) < min) throw new UsageError(`${flag} must be at least ${min}; got ${value}`);
  return value;
};

const positive = (value: unknown, flag: string) => {
  if (!((value as number) > 0)) throw new UsageError(`${flag} must be greater than 0; got ${value}`);
  return value;
};

const nonNegative = (value: unknown, flag: string) => {
  if (!((value as number) >= 0)) throw new UsageError(`${flag} must be 0 or more; got ${value}`);
  return value;
};

const decayRate = (value: unknown, flag: string) => {
  const v = value as number;
  if (!(v > 0 && v <= 1)) throw new UsageError(`${flag} must be in (0, 1] (the factor applied to the learning rate each epoch); got ${v}`);
  return v;
};

const hiddenSizes = (value: unknown, flag: string): number[] => {
  const text = String(value).trim();
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    const p = part.trim();
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 100_000) {
      throw new UsageError(`${flag} must be comma-separated layer sizes such as 500,250,100 (or "" for none); got ${JSON.stringify(text)}`);
    }
    return Number(p);
  });
};

const existingFile = (value: unknown, flag: string) => {
  const path = String(value);
  if (!existsSync(path)) throw new UsageError(`${flag}: file not found: ${path}`);
  if (!statSync(path).isFile()) throw new UsageError(`${flag}: not a file: ${path}`);
  return path;
};

const modelPath = (value: unknown, flag: string) => {
  const path = String(value);
  if (!/\.(json|mlpw)$/i.test(path)) throw new UsageError(`${flag} must end in .json (JSON model) or .mlpw (binary model); got ${JSON.stringify(path)}`);
  return path;
};

const runName = (value: unknown, flag: string) => {
  const name = String(value);
  if (!/^[A-Za-z0-9._-]{1,80}$/.test(name)) throw new UsageError(`${flag} may use only letters, digits, ".", "_" and "-" (at most 80); got ${JSON.stringify(name)}`);
  return name;
};

export const FLAGS: readonly FlagSpec[] = [
  // model
  { name: 'hidden', kind: 'string', meta: 'SIZES', shown: '500,250,100', help: 'hidden layer sizes, comma-separated ("" for no hidden layer)', commands: TRAIN, check: hiddenSizes },
  { name: 'activation', kind: 'string', meta: 'NAME', shown: 'sigmoid', help: 'hidden activation: relu, sigmoid, tanh or linear (the output is softmax)', commands: TRAIN, check: choice(HIDDEN_ACTIVATIONS) },
  { name: 'loss', kind: 'string', meta: 'NAME', shown: 'cross-entropy', help: 'cross-entropy or squared-error', commands: TRAIN, check: choice(LOSSES) },
  { name: 'l1', kind: 'number', meta: 'ALPHA', help: 'L1 regularisation, adds ALPHA·Σ|W| to the loss', commands: TRAIN, check: nonNegative },
  { name: 'l2', kind: 'number', meta: 'ALPHA', help: 'L2 regularisation, adds (ALPHA/2)·ΣW² to the loss', commands: TRAIN, check: nonNegative },
  { name: 'init', kind: 'string', meta: 'NAME', shown: 'glorot', help: 'weight initialisation: random, gaussian or glorot', commands: TRAIN, check: choice(INITS) },
  // optimisation
  { name: 'optimizer', kind: 'string', meta: 'NAME', shown: 'gd', help: 'gd (mini-batch gradient descent) or adam', commands: TRAIN, check: choice(OPTIMIZERS) },
  { name: 'eta', kind: 'number', meta: 'RATE', shown: '0.01', help: 'learning rate', commands: TRAIN, check: positive },
  { name: 'lr-decay', kind: 'number', meta: 'FACTOR', shown: '1, constant', help: 'multiply the learning rate by FACTOR after every epoch: eta·FACTOR^(epoch−1)', commands: TRAIN, check: decayRate },
  { name: 'epochs', kind: 'int', meta: 'N', shown: '15', help: 'epochs to train (with --resume: the total, counting those already done)', commands: RUNS, check: atLeast(1) },
  { name: 'batch-size', kind: 'int', meta: 'N', shown: '64', help: 'mini-batch size', commands: TRAIN, check: atLeast(1) },
  { name: 'seed', kind: 'int', meta: 'N', shown: '1', help: 'seed of the initial weights and the shuffling (same seed, same bits)', commands: RUNS, check: nonNegative },
  // data
  { name: 'dataset', kind: 'string', meta: 'NAME', shown: 'mnist', help: 'mnist (bundled) or fashion-mnist (Debian package dataset-fashion-mnist)', commands: ALL, check: choice(DATASETS) },
  { name: 'standardize', kind: 'string', meta: 'MODE', shown: 'global', help: 'global (one mean and deviation), per-pixel, or none (only /255)', commands: TRAIN, check: choice(STANDARDIZATIONS) },
  { name: 'validation', kind: 'int', meta: 'N', shown: '10000', help: 'training images held out for validation (0 for none)', commands: RUNS, check: nonNegative },
  { name: 'train-limit', kind: 'int', meta: 'N', help: 'use only the first N training images (before the split; --validation then defaults to N/6)', commands: RUNS, check: atLeast(1) },
  { name: 'test-limit', kind: 'int', meta: 'N', help: 'use only the first N test images', commands: ALL, check: atLeast(1) },
  { name: 'log-every', kind: 'int', meta: 'N', shown: '200', help: 'record the training and validation loss every N iterations', commands: RUNS, check: atLeast(1) },
  // files
  { name: 'save', kind: 'string', meta: 'FILE', help: 'save the trained model (.json, or .mlpw for binary), atomically', commands: TRAIN, check: modelPath },
  { name: 'checkpoint-every', kind: 'int', meta: 'N', help: 'also save every N epochs (to --save FILE, else checkpoint.json in the run folder)', commands: TRAIN, check: atLeast(1) },
  { name: 'resume', kind: 'string', meta: 'FILE', help: 'continue training a saved model up to --epochs in total', commands: TRAIN, check: existingFile },
  { name: 'model', kind: 'string', meta: 'FILE', help: 'the saved model to evaluate (required)', commands: ['evaluate'], check: existingFile },
  { name: 'out', kind: 'string', meta: 'DIR', shown: 'reports', help: 'reports are written to DIR/<timestamp>-<name>/', commands: RUNS },
  { name: 'name', kind: 'string', meta: 'NAME', help: 'run name used in the report folder (default: from the settings)', commands: RUNS, check: runName },
  { name: 'no-report', kind: 'boolean', help: 'do not write the report folder', commands: RUNS },
  // experiments
  { name: 'only', kind: 'string', meta: 'IDS', help: 'run only these experiments (comma-separated ids or groups; see below)', commands: ['experiments'] },
  { name: 'quick', kind: 'boolean', help: 'a fast look: a fifth of the epochs (baseline: 3) on a 10,000-image subset, 2,000 of them for validation', commands: ['experiments'] },
  // output
  { name: 'quiet', kind: 'boolean', help: 'no progress and no classification reports: only the summary', commands: ALL },
  { name: 'help', kind: 'boolean', help: 'show this help', commands: ALL },
];

const FLAG_BY_NAME = new Map(FLAGS.map((f) => [f.name, f]));

export interface ParsedArgs {
  command: Command;
  /** Flag values by flag name (checked and converted). */
  values: Record<string, unknown>;
  /** Flags given explicitly on the command line. */
  given: Set<string>;
  help: boolean;
}

/** Parses argv (without node and the script). Throws UsageError on any mistake. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let command: Command = 'train';
  let rest = [...argv];
  const first = rest[0];
  if (first !== undefined && !first.startsWith('-')) {
    if (first === 'help') return { command, values: {}, given: new Set(['help']), help: true };
    if (!(COMMANDS as readonly string[]).includes(first)) {
      throw new UsageError(`unknown command ${JSON.stringify(first)}; expected ${COMMANDS.join(', ')} (see --help)`);
    }
    command = first as Command;
    rest = rest.slice(1);
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '-h') {
      given.add('help');
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}${arg.startsWith('-') ? '' : ' (options start with --)'}; see --help`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const flag = `--${name}`;
    const spec = FLAG_BY_NAME.get(name);
    if (!spec) throw new UsageError(`unknown option ${flag}${suggest(name)}; see --help`);
    if (!spec.commands.includes(command)) {
      throw new UsageError(`${flag} does not apply to "${command}" (it is for ${spec.commands.join(', ')})`);
    }
    if (given.has(name)) throw new UsageError(`${flag} was given twice`);
    given.add(name);
    let raw: string;
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`${flag} takes no value; got ${JSON.stringify(arg.slice(eq + 1))}`);
      values[name] = true;
      continue;
    }
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      const next = rest[i + 1];
      // "--hidden ''" is a legitimate empty value; anything starting with "--" is the next flag.
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${flag} needs a value (${spec.meta ?? 'VALUE'})`);
      raw = next;
      i++;
    }
    values[name] = convert(spec, raw, flag);
  }
  return { command, values, given, help: given.has('help') };
}

function convert(spec: FlagSpec, raw: string, flag: string): unknown {
  let value: unknown = raw;
  if (spec.kind === 'int') {
    if (!/^[+-]?\d+$/.test(raw.trim())) throw new UsageError(`${flag} must be a whole number; got ${JSON.stringify(raw)}`);
    value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new UsageError(`${flag} is too large; got ${raw}`);
  } else if (spec.kind === 'number') {
    value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number; got ${JSON.stringify(raw)}`);
  } else if (raw === '' && spec.name !== 'hidden') {
    throw new UsageError(`${flag} needs a non-empty value`);
  }
  return spec.check ? spec.check(value, flag) : value;
}

/** " (did you mean --batch-size?)" for a near miss, else "". */
function suggest(name: string): string {
  const normalised = name.replace(/_/g, '-').toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const f of FLAGS) {
    const d = f.name === normalised ? 0 : editDistance(normalised, f.name);
    if (d < bestDistance) {
      bestDistance = d;
      best = f.name;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The full --help text. */
export function helpText(experimentList: string): string {
  const lines: string[] = [
    'mlp-wasm: train multi-layer perceptrons on MNIST with a WebAssembly SIMD engine.',
    '',
    'Usage:',
    '  mlp-wasm [train] [options]          train a network (default: the report\'s baseline) and write a run report',
    '  mlp-wasm experiments [options]      reproduce every experiment of the report, write one comparison report',
    '  mlp-wasm evaluate --model FILE      print the test-set classification report of a saved model',
    '  mlp-wasm --help                     this help',
    '',
    '  From the repository: npm run mnist -- [options], npm run experiments -- [options].',
    '',
    'The default job is the report\'s baseline: 784-500-250-100-10, sigmoid hidden layers, softmax output,',
    'cross-entropy, gradient descent with eta 0.01, batch 64, 15 epochs, Glorot initialisation, 10,000 of',
    'the 60,000 training images held out for validation (split seed 0), losses logged every 200 iterations.',
    '',
  ];
  const groups: [string, string[]][] = [
    ['Model', ['hidden', 'activation', 'loss', 'l1', 'l2', 'init']],
    ['Optimisation', ['optimizer', 'eta', 'lr-decay', 'epochs', 'batch-size', 'seed']],
    ['Data', ['dataset', 'standardize', 'validation', 'train-limit', 'test-limit', 'log-every']],
    ['Files and reports', ['save', 'checkpoint-every', 'resume', 'model', 'out', 'name', 'no-report']],
    ['Experiments', ['only', 'quick']],
    ['Output', ['quiet', 'help']],
  ];
  const left = (f: FlagSpec) => `  --${f.name}${f.meta ? ` ${f.meta}` : ''}`;
  const width = Math.max(...FLAGS.map((f) => left(f).length)) + 2;
  for (const [title, names] of groups) {
    lines.push(`${title}:`);
    for (const name of names) {
      const f = FLAG_BY_NAME.get(name)!;
      const scope = f.commands.length === COMMANDS.length ? '' : f.commands.length === 2 && f.commands.includes('experiments') && f.commands.includes('train') ? '' : ` [${f.commands.join(', ')}]`;
      const def = f.shown ? ` (default ${f.shown})` : '';
      lines.push(`${left(f).padEnd(width)}${f.help}${def}${scope}`);
    }
    lines.push('');
  }
  lines.push(
    'With "experiments", each run uses its own settings from the report; --epochs, --seed, --validation,',
    '--train-limit, --test-limit and --log-every, when given, apply to every run (--quick sets some of them).',
    '',
    'Experiments (ids for --only; groups: all (the default), report, activations, check, other, extra, diagnostics (only on request)):',
    experimentList,
    '',
    'Training stops cleanly on Ctrl-C after the current batch (a checkpoint is saved when --save or',
    '--checkpoint-every is given; exit code 130); a second Ctrl-C quits at once. Resume with --resume FILE.',
    'Exit codes: 0 done, 1 error, 2 bad command line, 130 interrupted.',
    '',
  );
  return lines.join('\n');
}
