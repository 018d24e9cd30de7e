// Argument parsing, --help, and every command-line mistake: one line on stderr, exit code 2.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FLAGS, UsageError, helpText, parseArgs } from '../../ts/cli/args.js';
import { experimentList } from '../../ts/cli/experiments.js';
import { cli, cliProcess, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const notAModel = join(tmp.dir, 'empty.json');
writeFileSync(notAModel, '{"format":"something else"}');

describe('parseArgs', () => {
  it('defaults to the train command with nothing set', () => {
    expect(parseArgs([])).toEqual({ command: 'train', values: {}, given: new Set(), help: false });
    expect(parseArgs(['--epochs', '3']).command).toBe('train');
  });

  it('reads every kind of value, with a space or "="', () => {
    const a = parseArgs(['train', '--eta', '0.5', '--epochs=3', '--hidden', '10, 20', '--activation=relu', '--quiet', '--l2', '1e-3']);
    expect(a.values).toEqual({ eta: 0.5, epochs: 3, hidden: [10, 20], activation: 'relu', quiet: true, l2: 0.001 });
    expect([...a.given].sort()).toEqual(['activation', 'epochs', 'eta', 'hidden', 'l2', 'quiet']);
  });

  it('accepts an empty --hidden (no hidden layer) and "none"', () => {
    expect(parseArgs(['--hidden', '']).values.hidden).toEqual([]);
    expect(parseArgs(['--hidden=']).values.hidden).toEqual([]);
    expect(parseArgs(['--hidden', 'none']).values.hidden).toEqual([]);
  });

  it('knows the other commands and their own flags', () => {
    expect(parseArgs(['experiments', '--quick', '--only', 'relu,tanh']).values).toEqual({ quick: true, only: 'relu,tanh' });
    expect(parseArgs(['evaluate', '--model', notAModel]).values.model).toBe(notAModel);
    expect(parseArgs(['--help']).help).toBe(true);
    expect(parseArgs(['experiments', '-h']).help).toBe(true);
    expect(parseArgs(['help']).help).toBe(true);
  });

  const errors: [string[], RegExp][] = [
    [['--bogus'], /unknown option --bogus/],
    [['--batch_size', '3'], /unknown option --batch_size \(did you mean --batch-size\?\)/],
    [['--epoch', '3'], /did you mean --epochs\?/],
    [['fit'], /unknown command "fit"/],
    [['--eta'], /--eta needs a value/],
    [['--eta', '--epochs', '3'], /--eta needs a value/],
    [['--eta', 'fast'], /--eta must be a number; got "fast"/],
    [['--eta', '0'], /--eta must be greater than 0/],
    [['--eta', '-0.1'], /--eta must be greater than 0/],
    [['--eta', 'Infinity'], /--eta must be a number/],
    [['--epochs', '2.5'], /--epochs must be a whole number/],
    [['--epochs', '0'], /--epochs must be at least 1/],
    [['--epochs', '99999999999999999999'], /--epochs is too large/],
    [['--batch-size', 'x'], /--batch-size must be a whole number/],
    [['--batch-size', '0'], /--batch-size must be at least 1/],
    [['--seed', '-1'], /--seed must be 0 or more/],
    [['--activation', 'softmax'], /--activation must be one of relu, sigmoid, tanh, linear; got "softmax"/],
    [['--optimizer', 'sgd'], /--optimizer must be one of gd, adam/],
    [['--loss', 'mse'], /--loss must be one of cross-entropy, squared-error/],
    [['--init', 'he'], /--init must be one of random, gaussian, glorot/],
    [['--dataset', 'cifar'], /--dataset must be one of mnist, fashion-mnist/],
    [['--standardize', 'yes'], /--standardize must be one of global, per-pixel, none/],
    [['--hidden', '500,abc'], /--hidden must be comma-separated layer sizes/],
    [['--hidden', '500,0'], /--hidden must be comma-separated layer sizes/],
    [['--l2', '-1'], /--l2 must be 0 or more/],
    [['--lr-decay', '1.5'], /--lr-decay must be in \(0, 1\]/],
    [['--save', 'model.txt'], /--save must end in \.json .* or \.mlpw/],
    [['--resume', '/nonexistent/model.json'], /--resume: file not found/],
    [['--name', 'a/b'], /--name may use only letters/],
    [['--out', ''], /--out needs a non-empty value/],
    [['--quiet=yes'], /--quiet takes no value/],
    [['--epochs', '3', '--epochs', '4'], /--epochs was given twice/],
    [['stray'], /unknown command "stray"/],
    [['--epochs', '3', 'stray'], /unexpected argument "stray" \(options start with --\)/],
    [['--quick'], /--quick does not apply to "train"/],
    [['experiments', '--eta', '0.1'], /--eta does not apply to "experiments"/],
    [['evaluate', '--epochs', '3'], /--epochs does not apply to "evaluate"/],
    [['evaluate', '--model', '/nonexistent.json'], /--model: file not found/],
  ];

  it.each(errors)('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('--help', () => {
  it('explains every flag, with defaults, and lists the experiments', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const f of FLAGS) expect(r.stdout).toContain(`--${f.name}`);
    for (const d of ['(default 500,250,100)', '(default sigmoid)', '(default 0.01)', '(default 15)', '(default 64)', '(default glorot)', '(default gd)', '(default cross-entropy)', '(default mnist)', '(default reports)']) {
      expect(r.stdout).toContain(d);
    }
    expect(r.stdout).toContain('baseline');
    expect(r.stdout).toContain('beyond');
    expect(r.stdout).toBe(helpText(experimentList()));
    expect((await cli(['experiments', '--help'])).stdout).toBe(r.stdout);
  });
});

describe('command-line errors through the CLI: one line on stderr, exit code 2', () => {
  const cases: string[][] = [
    ['--bogus'],
    ['--eta', 'abc'],
    ['--hidden', '1,,2'],
    ['nonsense'],
    ['evaluate'],
    ['--l1', '0.1', '--l2', '0.1'],
    ['--train-limit', '100', '--validation', '100'],
    ['--validation', '60000'],
    ['experiments', '--only', 'relu,nope'],
    ['experiments', '--only', ','],
    ['--resume', notAModel.replace('.json', '-missing.json')],
  ];
  it.each(cases)('%j', async (...argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^mlp-wasm: [^\n]+\n$/);
  });

  it('a file that is not a model is an error (exit 1), also on one line', async () => {
    const r = await cli(['evaluate', '--model', notAModel]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mlp-wasm: DataFormatError: [^\n]+\n$/);
  });

  it('the real process exits with 2 and prints one line', () => {
    const r = cliProcess(['train', '--batch-size', 'many']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['mlp-wasm: --batch-size must be a whole number; got "many"']);
    const help = cliProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage:');
  });
});
