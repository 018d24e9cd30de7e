// The CLI metadata of a saved model (dataset, settings, preprocessing) is checked field by
// field when `evaluate --model` or `train --resume` reads it: a damaged field is a
// DataFormatError naming the file and the field, never a TypeError or NaN half-way through,
// and never silently accepted.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../ts/index.js';
import { BASELINE, readMetadata } from '../../ts/cli/config.js';
import { cli, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const modelPath = join(tmp.dir, 'model.json');
const TINY = ['--train-limit', '600', '--validation', '100', '--hidden', '8', '--quiet', '--no-report'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
let saved: Json;

beforeAll(async () => {
  const r = await cli(['train', ...TINY, '--epochs', '1', '--save', modelPath]);
  expect(r.stderr).toBe('');
  saved = JSON.parse(readFileSync(modelPath, 'utf8'));
});

let copies = 0;
/** A copy of the saved model with its metadata changed; returns the file's path. */
function damaged(change: (metadata: Json) => void): string {
  const model = structuredClone(saved);
  change(model.metadata);
  const file = join(tmp.dir, `damaged-${copies++}.json`);
  writeFileSync(file, JSON.stringify(model));
  return file;
}

/** The command fails with one DataFormatError line naming the file and every part. */
async function expectRefused(argv: string[], file: string, ...parts: string[]): Promise<void> {
  const r = await cli(argv);
  expect(r.code).toBe(1);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`mlp-wasm: DataFormatError: ${file}: `);
  for (const part of parts) expect(r.stderr).toContain(part);
  expect(r.stdout).not.toContain('Test accuracy');
}

const evaluate = (file: string) => ['evaluate', '--model', file, '--quiet'];
const resume = (file: string) => ['train', '--resume', file, '--epochs', '2', ...TINY];

describe('evaluate --model and train --resume with damaged CLI metadata', () => {
  it('the undamaged model evaluates and resumes', async () => {
    expect((await cli(evaluate(modelPath))).code).toBe(0);
    const r = await cli(resume(modelPath));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('metadata.transform deleted', async () => {
    const file = damaged((m) => delete m.transform);
    await expectRefused(evaluate(file), file, 'metadata.transform must be an object', 'got undefined');
    await expectRefused(resume(file), file, 'metadata.transform must be an object');
  });

  it('transform values of the wrong type, length or range', async () => {
    let file = damaged((m) => (m.transform.scale = 'x'));
    await expectRefused(evaluate(file), file, 'metadata.transform.scale must be a finite number > 0, got "x"');
    file = damaged((m) => m.transform.mean.pop());
    await expectRefused(evaluate(file), file, 'metadata.transform.mean must be an array of 784 numbers', 'got an array of length 783');
    file = damaged((m) => (m.transform.std[5] = -1));
    await expectRefused(resume(file), file, 'metadata.transform.std[5] must be a finite float32 number >= 0, got -1');
    file = damaged((m) => (m.transform.mean[0] = 1e39));
    await expectRefused(evaluate(file), file, 'metadata.transform.mean[0]', 'got 1e+39');
  });

  it('metadata.config.regularization = 5 (was a TypeError on toUpperCase)', async () => {
    const file = damaged((m) => (m.config.regularization = 5));
    await expectRefused(resume(file), file, 'metadata.config.regularization must be null or { kind, alpha }, got 5');
    const bad = damaged((m) => (m.config.regularization = { kind: 'l3', alpha: 0.1 }));
    await expectRefused(resume(bad), bad, 'metadata.config.regularization.kind must be one of "l1", "l2", got "l3"');
  });

  it('metadata.config.lrDecay = "x" (was a NaN learning rate)', async () => {
    let file = damaged((m) => (m.config.lrDecay = 'x'));
    await expectRefused(resume(file), file, 'metadata.config.lrDecay must be a finite number > 0, got "x"');
    file = damaged((m) => (m.config.lrDecay = 2));
    await expectRefused(resume(file), file, 'metadata.config.lrDecay must be in (0, 1]', 'got 2');
  });

  it('metadata.dataset = "cifar" (was accepted silently)', async () => {
    const file = damaged((m) => (m.dataset = 'cifar'));
    await expectRefused(evaluate(file), file, 'metadata.dataset must be one of "mnist", "fashion-mnist", got "cifar"');
    await expectRefused(resume(file), file, 'metadata.dataset');
  });

  it('settings that disagree with each other or with the network', async () => {
    let file = damaged((m) => (m.dataset = 'fashion-mnist'));
    await expectRefused(evaluate(file), file, 'metadata.dataset ("fashion-mnist") must equal metadata.config.dataset ("mnist")');
    file = damaged((m) => (m.config.batchSize = 32));
    await expectRefused(resume(file), file, 'metadata.config.batchSize is 32 but the network was built with 64');
    file = damaged((m) => (m.config.activation = 'relu'));
    await expectRefused(resume(file), file, 'metadata.config.activation is "relu" but the network was built with "sigmoid"');
    file = damaged((m) => (m.config.validationSize = 600));
    await expectRefused(resume(file), file, 'metadata.config.validationSize must be smaller than the 600 training images, got 600');
  });
});

describe('readMetadata', () => {
  const where = 'some/model.json';
  const read = (change: (m: Json) => void) => {
    const metadata = structuredClone(saved.metadata);
    change(metadata);
    return () => readMetadata(metadata, where);
  };

  it('returns the stored settings, null for models saved by something else', () => {
    const meta = readMetadata(saved.metadata, where)!;
    expect(meta.config).toEqual(saved.metadata.config);
    expect(meta.transform).toEqual(saved.metadata.transform);
    expect(readMetadata(undefined, where)).toBeNull();
    expect(readMetadata({ author: 'someone else' }, where)).toBeNull();
  });

  it('fills settings missing from older files with the baseline, and drops unknown ones', () => {
    const meta = read((m) => {
      delete m.config.lrDecay;
      delete m.config.logEvery;
      m.config.fromTheFuture = true;
    })()!;
    expect(meta.config.lrDecay).toBe(BASELINE.lrDecay);
    expect(meta.config.logEvery).toBe(BASELINE.logEvery);
    expect(meta.config).not.toHaveProperty('fromTheFuture');
  });

  it('refuses every kind of damaged field with a DataFormatError naming file and field', () => {
    const cases: [string, (m: Json) => void][] = [
      ['metadata.config must be an object, got null', (m) => (m.config = null)],
      ['metadata.config.hidden[1] must be a positive integer, got 0', (m) => (m.config.hidden = [8, 0])],
      ['metadata.config.hidden must be an array of layer sizes, got "8"', (m) => (m.config.hidden = '8')],
      ['metadata.config.activation must be one of', (m) => (m.config.activation = 'softmax')],
      ['metadata.config.loss must be one of', (m) => (m.config.loss = 'hinge')],
      ['metadata.config.init must be one of', (m) => (m.config.init = 7)],
      ['metadata.config.optimizer must be one of', (m) => (m.config.optimizer = 'sgd')],
      ['metadata.config.eta must be a finite number > 0, got -1', (m) => (m.config.eta = -1)],
      ['metadata.config.eta must be a finite number > 0 in float32 (the engine\'s precision), got 1e-50, which is 0 in float32', (m) => (m.config.eta = 1e-50)],
      ['metadata.transform.scale must be a finite number > 0 in float32', (m) => (m.transform.scale = 1e39)],
      ['metadata.config.epochs must be a positive integer, got 1.5', (m) => (m.config.epochs = 1.5)],
      ['metadata.config.epochs must be', (m) => (m.config.epochs = 1e300)],
      ['metadata.config.seed must be', (m) => (m.config.seed = 2 ** 60)],
      ['metadata.config.batchSize must be a positive integer, got null', (m) => (m.config.batchSize = null)],
      ['metadata.config.seed must be a non-negative integer, got -1', (m) => (m.config.seed = -1)],
      ['metadata.config.standardize must be one of', (m) => (m.config.standardize = 'minmax')],
      ['metadata.config.validationSize must be a non-negative integer', (m) => (m.config.validationSize = '100')],
      ['metadata.config.trainLimit must be a positive integer, got 0', (m) => (m.config.trainLimit = 0)],
      ['metadata.config.testLimit must be a positive integer', (m) => (m.config.testLimit = 'all')],
      ['metadata.config.logEvery must be a positive integer', (m) => (m.config.logEvery = 0)],
      ['metadata.config.regularization.alpha must be a number in [0, Infinity), got -1', (m) => (m.config.regularization = { kind: 'l2', alpha: -1 })],
      ['metadata.splitSeed must be 0', (m) => (m.splitSeed = 3)],
      ['metadata.transform.std must be an array of 784 numbers', (m) => (m.transform.std = null)],
    ];
    for (const [message, change] of cases) {
      let caught: unknown;
      try {
        read(change)();
      } catch (error) {
        caught = error;
      }
      expect(caught, message).toBeInstanceOf(DataFormatError);
      expect((caught as Error).message).toContain(`${where}: ${message}`);
    }
  });
});
