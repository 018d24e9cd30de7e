// Checkpoints and resuming: 10 epochs straight give bit-identical weights (and Adam moments,
// generator state, step counters) to 5 + save + load + 5 more, through the CLI and through
// the training loop's checkpoint hook; Ctrl-C stops cleanly, saves, and can be resumed.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeedForwardNeuralNets, init, type ModelFile } from '../../ts/index.js';
import { BASELINE, type TrainConfig } from '../../ts/cli/config.js';
import { createNetwork, loadData, trainLoop } from '../../ts/cli/job.js';
import { loadModelFile } from '../../ts/node/model-file.js';
import { cli, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const path = (name: string) => join(tmp.dir, name);

// Adam (moments and step t must survive), a decaying learning rate (the schedule must continue
// from the right epoch), 1,000 training images (200 held out): 16 batches of 64 per epoch.
const SMALL = ['--train-limit', '1200', '--activation', 'tanh', '--optimizer', 'adam', '--eta', '0.002', '--lr-decay', '0.9', '--hidden', '64,32', '--no-report', '--quiet'];

const readModel = (file: string): ModelFile => JSON.parse(readFileSync(file, 'utf8'));

function expectSameState(a: ModelFile, b: ModelFile): void {
  expect(b.parameters).toEqual(a.parameters);
  expect(b.optimizer.m).toEqual(a.optimizer.m);
  expect(b.optimizer.v).toEqual(a.optimizer.v);
  expect(b.optimizer.t).toBe(a.optimizer.t);
  expect(b.optimizer.eta).toBe(a.optimizer.eta);
  expect(b.training.rngState).toEqual(a.training.rngState);
  expect(b.training.iteration).toBe(a.training.iteration);
  expect(b.training.epochsTrained).toBe(a.training.epochsTrained);
}

describe('--resume', () => {
  it('10 epochs equal 5 + save + load + 5 more, bit for bit (JSON and binary files)', async () => {
    expect((await cli(['train', ...SMALL, '--epochs', '10', '--save', path('straight.json')])).code).toBe(0);
    expect((await cli(['train', ...SMALL, '--epochs', '5', '--save', path('half.json')])).code).toBe(0);
    const resumed = await cli(['train', '--resume', path('half.json'), '--epochs', '10', '--save', path('resumed.json'), '--no-report', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const straight = readModel(path('straight.json'));
    expect(straight.training.epochsTrained).toBe(10);
    expect(straight.training.iteration).toBe(160);
    expect(straight.optimizer.eta).toBeCloseTo(0.002 * 0.9 ** 9, 12);
    expectSameState(straight, readModel(path('resumed.json')));

    // The same through the binary container.
    expect((await cli(['train', ...SMALL, '--epochs', '5', '--save', path('half.mlpw')])).code).toBe(0);
    expect((await cli(['train', '--resume', path('half.mlpw'), '--epochs', '10', '--save', path('resumed-bin.json'), '--no-report', '--quiet'])).code).toBe(0);
    expectSameState(straight, readModel(path('resumed-bin.json')));
  });

  it('--checkpoint-every keeps the weights of an uninterrupted run', async () => {
    expect((await cli(['train', ...SMALL, '--epochs', '10', '--checkpoint-every', '3', '--save', path('ckpt.json')])).code).toBe(0);
    expectSameState(readModel(path('straight.json')), readModel(path('ckpt.json')));
  });

  it('trainLoop checkpoints mid-run; loading the epoch-5 checkpoint and training on matches', async () => {
    await init();
    const config: TrainConfig = { ...BASELINE, hidden: [32], activation: 'relu', optimizer: 'adam', eta: 0.001, epochs: 10, trainLimit: 1200, validationSize: 200, logEvery: 7 };
    const data = await loadData(config);
    try {
      const straight = createNetwork(config, data);
      const saved: Record<number, string> = {};
      await trainLoop(straight, config, data, { checkpointEvery: 5, onCheckpoint: (n) => (saved[n.epochsTrained] = JSON.stringify(n.save())) });
      expect(Object.keys(saved)).toEqual(['5', '10']);
      const resumed = FeedForwardNeuralNets.load(saved[5]!);
      expect(resumed.epochsTrained).toBe(5);
      await trainLoop(resumed, config, data);
      expect(resumed.epochsTrained).toBe(10);
      expect(Buffer.from(resumed.parameters.W1.data.buffer).equals(Buffer.from(straight.parameters.W1.data.buffer))).toBe(true);
      expectSameState(straight.save(), resumed.save());
      expect(Array.from(resumed.predict(data.test))).toEqual(Array.from(straight.predict(data.test)));
      straight.dispose();
      resumed.dispose();
    } finally {
      data.dispose();
    }
  });

  it('a resumed run keeps the model\'s settings; conflicting flags are an error (exit 2)', async () => {
    const r = await cli(['train', '--resume', path('half.json'), '--hidden', '10', '--epochs', '6', '--no-report']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlp-wasm: --hidden differs from the model being resumed \(.*half\.json has hidden = \[64,32\]\); drop --hidden to continue it\n$/);
    const sameValue = await cli(['train', '--resume', path('half.json'), '--hidden', '64,32', '--epochs', '6', '--no-report', '--quiet']);
    expect(sameValue.code).toBe(0);
  });

  it('resuming a model that already has the epochs only evaluates it', async () => {
    const r = await cli(['train', '--resume', path('straight.json'), '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already has 10 epochs (--epochs 10); evaluating only.');
    expect(r.stdout).toContain('Training time:         no training in this run');
  });
});

describe('Ctrl-C (the abort signal)', () => {
  it('stops after the current batch, saves a checkpoint, says where, exits 130; --resume finishes the job', async () => {
    const controller = new AbortController();
    const r = await cli(['train', ...SMALL.filter((a) => a !== '--quiet'), '--epochs', '6', '--save', path('interrupted.json'), '--log-every', '5'], {
      signal: controller.signal,
      onStdout: (text) => {
        if (text.startsWith('epoch 3/6')) controller.abort();
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^Interrupted: stopped in epoch 3 of 6 after batch \d+\/16 \(iteration \d+\); 2 full epochs done\.\n/);
    expect(r.stderr).toContain(`Checkpoint saved to ${path('interrupted.json')}. Continue with: --resume ${path('interrupted.json')} --epochs 6`);
    expect(r.stdout).not.toContain('Test accuracy');
    const net = loadModelFile(path('interrupted.json'));
    expect(net.epochsTrained).toBe(2);
    expect(net.iteration).toBeGreaterThan(30);
    net.dispose();
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = await cli(['train', '--resume', path('interrupted.json'), '--save', path('finished.json'), '--no-report', '--quiet']);
    expect(resumed.code).toBe(0);
    expect(readModel(path('finished.json')).training.epochsTrained).toBe(6);
  });

  it('without --save or --checkpoint-every nothing is written, and the message says so', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = path('no-save-reports');
    const r = await cli(['train', '--train-limit', '600', '--epochs', '2', '--out', out], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('Interrupted: stopped at the start of epoch 1 of 2; 0 full epochs done.');
    expect(r.stderr).toContain('No checkpoint written');
    expect(existsSync(out)).toBe(false);
  });
});
