// The progress display, fed synthetic progress: plain lines off a terminal, a throttled
// one-line bar on it.

import { describe, expect, it } from 'vitest';
import type { TrainProgress } from '../../ts/index.js';
import { ProgressReporter, formatClock, formatRate } from '../../ts/cli/progress.js';

function sink(isTTY: boolean, columns = 80) {
  const out = { text: '', isTTY, columns, write: (t: string) => ((out.text += t), true) };
  return out;
}

function progress(epoch: number, batch: number, batchesPerEpoch = 100): TrainProgress {
  return {
    epoch, epochs: 5, batch, batchesPerEpoch, iteration: (epoch - 1) * batchesPerEpoch + batch, trainLoss: 1 / (epoch + batch / 100),
    valLoss: batch >= 50 ? 0.5 : null, logged: false, samplesPerSecond: 0, elapsedSeconds: 0, etaSeconds: 0,
  };
}

describe('ProgressReporter off a terminal', () => {
  it('prints one line per epoch and at every further 10% of the run', () => {
    const out = sink(false);
    let clock = 0;
    const p = new ProgressReporter({ out, startEpoch: 0, totalEpochs: 2, batchesPerEpoch: 100, batchSize: 64, now: () => clock });
    for (let e = 1; e <= 2; e++) {
      for (let b = 4; b <= 100; b += 4) {
        clock += 10;
        p.update(progress(e, b), 0);
      }
    }
    p.finish();
    const lines = out.text.trimEnd().split('\n');
    expect(out.text).not.toContain('\r');
    expect(lines.filter((l) => l.includes(' done '))).toEqual([
      expect.stringMatching(/^epoch 1\/2 done \(50%\) loss 0\.5000 val 0\.5000 \| 25,600 samples\/s \| ETA 0:00$/),
      expect.stringMatching(/^epoch 2\/2 done \(100%\) loss 0\.3333 val 0\.5000 \| 25,600 samples\/s \| ETA 0:00$/),
    ]);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toMatch(/^epoch 1\/2 batch 20\/100 \(10%\) loss 0\.8333 \| 25,600 samples\/s \| ETA 0:00$/);
  });

  it('counts epochs from the resumed position', () => {
    const out = sink(false);
    const p = new ProgressReporter({ out, startEpoch: 3, totalEpochs: 5, batchesPerEpoch: 10, batchSize: 8, prefix: '> ', now: () => 1000 });
    p.update(progress(1, 10, 10), 3);
    expect(out.text).toMatch(/^> epoch 4\/5 done \(50%\)/);
  });
});

describe('ProgressReporter on a terminal', () => {
  it('redraws one line with \\r, at most every 100 ms, and ends it with a newline', () => {
    const out = sink(true, 90);
    let clock = 0;
    const p = new ProgressReporter({ out, startEpoch: 0, totalEpochs: 1, batchesPerEpoch: 100, batchSize: 64, now: () => clock });
    for (let b = 1; b <= 100; b++) {
      clock += 5; // 500 ms in all → about 5 frames, plus the final one
      p.update(progress(1, b), 0);
    }
    p.finish();
    const frames = out.text.split('\r').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(frames.length).toBeLessThanOrEqual(8);
    for (const f of frames) {
      expect(f).toMatch(/^Epoch 1\/1 \[[=> ]+\] +\d+\/100 loss \d\.\d{4}( val 0\.5000)? \| [\d,]+ samples\/s \| ETA \d+:\d\d\x1b\[K\n?$/);
      expect(f.replace(/\x1b\[K\n?$/, '').length).toBeLessThan(90);
    }
    expect(out.text.endsWith('\x1b[K\n')).toBe(true);
    expect(frames.at(-1)).toMatch(/\[=+\] 100\/100/);
  });

  it('drops the bar on a narrow terminal rather than wrapping', () => {
    const out = sink(true, 60);
    let clock = 0;
    const p = new ProgressReporter({ out, startEpoch: 0, totalEpochs: 1, batchesPerEpoch: 100, batchSize: 64, now: () => (clock += 500) });
    p.update(progress(1, 60), 0);
    expect(out.text).toMatch(/^\rEpoch 1\/1 60\/100 loss/);
    expect(out.text).not.toContain('[=');
    expect(out.text.replace(/\x1b\[K/, '').length).toBeLessThanOrEqual(60);
  });
});

describe('formatting', () => {
  it('rates and clocks', () => {
    expect(formatRate(7412.4)).toBe('7,412');
    expect(formatRate(250_000)).toBe('250k');
    expect(formatClock(42)).toBe('0:42');
    expect(formatClock(725)).toBe('12:05');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(Infinity)).toBe('?');
  });
});
