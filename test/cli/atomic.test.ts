// Atomic model files: a failed write (an error before the rename, a crash of the process
// mid-save) never leaves a broken or partial model behind, and never a stray temporary file
// when the failure is an error we see.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedForwardNeuralNets, init } from '../../ts/index.js';
import { writeFileAtomic } from '../../ts/node/atomic-write.js';
import { loadModelFile, saveModelFile } from '../../ts/node/model-file.js';
import { ROOT, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const files = () => readdirSync(tmp.dir).sort();

beforeAll(() => init());

function smallNet(seed: number): FeedForwardNeuralNets {
  return new FeedForwardNeuralNets({ inputs: 6, outputs: 3, hiddenLayers: [5], seed, optimizer: 'adam' });
}

describe('writeFileAtomic', () => {
  it('writes and replaces whole files', () => {
    const p = join(tmp.dir, 'a.txt');
    expect(writeFileAtomic(p, 'first')).toBe(5);
    expect(readFileSync(p, 'utf8')).toBe('first');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(files()).toEqual(['a.txt']);
  });

  it('an error before the rename leaves the old file intact and removes the temporary file', () => {
    const p = join(tmp.dir, 'b.txt');
    writeFileSync(p, 'old contents');
    let tempSeen = '';
    expect(() =>
      writeFileAtomic(p, 'new contents that never land', {
        beforeRename: (temp) => {
          tempSeen = temp;
          expect(readFileSync(temp, 'utf8')).toBe('new contents that never land'); // fully written, fsynced
          throw new Error('ENOSPC: simulated');
        },
      }),
    ).toThrow('ENOSPC: simulated');
    expect(tempSeen.startsWith(join(tmp.dir, '.b.txt.'))).toBe(true);
    expect(existsSync(tempSeen)).toBe(false);
    expect(readFileSync(p, 'utf8')).toBe('old contents');
    expect(files().filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a missing folder is an error and creates nothing', () => {
    expect(() => writeFileAtomic(join(tmp.dir, 'missing', 'c.txt'), 'x')).toThrow(/ENOENT/);
    expect(existsSync(join(tmp.dir, 'missing'))).toBe(false);
  });
});

describe('saveModelFile', () => {
  it('a failed save keeps the previous model loadable', () => {
    const p = join(tmp.dir, 'model.json');
    const first = smallNet(1);
    saveModelFile(first, p, { note: 'first' });
    const second = smallNet(2);
    expect(() => saveModelFile(second, p, { note: 'second' }, { beforeRename: () => { throw new Error('disk full'); } })).toThrow('disk full');
    const loaded = loadModelFile(p);
    expect(loaded.metadata).toEqual({ note: 'first' });
    expect(Array.from(loaded.parameters.W1.data)).toEqual(Array.from(first.parameters.W1.data));
    [first, second, loaded].forEach((n) => n.dispose());
    expect(files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('binary files round-trip and are recognised by their content', () => {
    const net = smallNet(3);
    const p = join(tmp.dir, 'model.mlpw');
    saveModelFile(net, p);
    expect(readFileSync(p).subarray(0, 4).toString('latin1')).toBe('MLPW');
    const loaded = loadModelFile(p);
    expect(Array.from(loaded.parameters.W2.data)).toEqual(Array.from(net.parameters.W2.data));
    net.dispose();
    loaded.dispose();
  });

  it('a process killed in the middle of a save leaves the old model whole', () => {
    const p = join(tmp.dir, 'crash.json');
    const net = smallNet(4);
    saveModelFile(net, p, { note: 'before the crash' });
    net.dispose();
    const before = readFileSync(p, 'utf8');
    // A child process that saves over the same file and is SIGKILLed just before the rename.
    const script = `
      import { init, FeedForwardNeuralNets } from ${JSON.stringify(join(ROOT, 'ts/index.ts'))};
      import { saveModelFile } from ${JSON.stringify(join(ROOT, 'ts/node/model-file.ts'))};
      await init();
      const net = new FeedForwardNeuralNets({ inputs: 6, outputs: 3, hiddenLayers: [5], seed: 9 });
      saveModelFile(net, ${JSON.stringify(p)}, { note: 'never' }, { beforeRename: () => process.kill(process.pid, 'SIGKILL') });
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(p, 'utf8')).toBe(before);
    expect(loadModelFile(p).metadata).toEqual({ note: 'before the crash' });
    // The crash leaves only a hidden temporary file (never the model's own name) behind.
    const leftovers = files().filter((f) => f.startsWith('.crash.json.') && f.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
  });
});
