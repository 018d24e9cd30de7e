import { beforeAll, describe, expect, it } from 'vitest';
import { init, loadMnist, prepareMnist, imagesToMatrix, FeedForwardNeuralNets, ReLU, classificationReport, type MnistData } from '../../ts/index.js';

let raw: MnistData;
beforeAll(async () => {
  await init();
  raw = await loadMnist();
});

describe('prepareMnist', () => {
  it('splits 50,000 / 10,000 with a seed, standardises with the training statistics, one-hot labels', () => {
    const data = prepareMnist(raw, { seed: 0 });
    expect([data.train.n, data.val!.n, data.test.n]).toEqual([50_000, 10_000, 10_000]);
    expect(data.train.d).toBe(784);
    expect(data.train.k).toBe(10);
    // Global standardisation: one mean and deviation for every pixel, of the 50,000 training
    // rows only (mean/255 ≈ 0.13052 here; 0.130660 over all 60,000 would mean the validation
    // rows leaked into the statistics).
    expect(new Set(data.transform.mean).size).toBe(1);
    expect(new Set(data.transform.std).size).toBe(1);
    expect(data.transform.mean[0]).toBeCloseTo(0.1307, 2);
    expect(data.transform.std[0]).toBeCloseTo(0.3081, 2);
    let all = 0, allSq = 0;
    for (const v of raw.train.images) { all += v; allSq += v * v; }
    const leakedMean = all / raw.train.images.length / 255;
    const leakedStd = Math.sqrt(allSq / raw.train.images.length - (all / raw.train.images.length) ** 2) / 255;
    expect(Math.abs(data.transform.mean[0] - leakedMean)).toBeGreaterThan(1e-4);
    // Standardised training inputs, every element: mean 0 and (population) deviation 1 up to
    // float32 rounding. With the leaked statistics they would be ≈ -4.5e-4 and ≈ 0.99955.
    const X = data.train.toMatrices().X.data;
    const moments = (f: (x: number) => number): [number, number] => {
      let sum = 0, sq = 0;
      for (let i = 0; i < X.length; i++) { const v = f(X[i]); sum += v; sq += v * v; }
      const m = sum / X.length;
      return [m, Math.sqrt(sq / X.length - m * m)];
    };
    const [mean, std] = moments((x) => x);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(Math.abs(std - 1)).toBeLessThan(1e-4);
    // The bounds do tell the two apart: restandardising with the leaked statistics fails them.
    const { mean: [m0], std: [s0] } = data.transform;
    const [leakedM, leakedS] = moments((x) => (x * s0 + m0 - leakedMean) / leakedStd);
    expect(Math.abs(leakedM)).toBeGreaterThan(1e-5);
    expect(Math.abs(leakedS - 1)).toBeGreaterThan(1e-4);
    // The split is a partition of the 60,000 labels.
    const counts = new Array(10).fill(0);
    for (const l of data.train.labels) counts[l]++;
    for (const l of data.val!.labels) counts[l]++;
    expect(counts).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(Array.from(data.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Same seed, same split; another seed, another split.
    const again = prepareMnist(raw, { seed: 0, trainLimit: 20_000, validationSize: 5000 });
    const other = prepareMnist(raw, { seed: 1, trainLimit: 20_000, validationSize: 5000 });
    const same = prepareMnist(raw, { seed: 0, trainLimit: 20_000, validationSize: 5000 });
    expect(again.val!.labels).toEqual(same.val!.labels);
    expect(again.val!.labels).not.toEqual(other.val!.labels);
    [data, again, other, same].forEach((d) => d.dispose());
  });

  it('per-pixel standardisation and new images preprocessed the same way', () => {
    const data = prepareMnist(raw, { standardize: 'per-pixel', trainLimit: 5000, validationSize: 1000, testLimit: 100 });
    expect(data.transform.mean[0]).toBe(0); // a border pixel is always 0
    expect(data.transform.mean[14 * 28 + 14]).toBeGreaterThan(0.3);
    const first = imagesToMatrix(raw.test.images.subarray(0, 784), data.transform);
    expect(Array.from(first.data)).toEqual(Array.from(data.test.toMatrices().X.data.subarray(0, 784)));
    data.dispose();
  });

  it('a short run on a 2,000-image subset exceeds 85% test accuracy', () => {
    const data = prepareMnist(raw, { trainLimit: 2500, validationSize: 500, testLimit: 2000, seed: 3 });
    const net = new FeedForwardNeuralNets({ inputs: data.train, hiddenLayers: [128], g: new ReLU(), optimizer: 'adam', eta: 1e-3, batchSize: 32, seed: 1 });
    net.train(8, { validationData: data.val! });
    const report = classificationReport(data.test.labels, net.predict(data.test));
    expect(report.accuracy).toBeGreaterThan(0.85);
    net.dispose();
    data.dispose();
  });

  it('rejects bad options', () => {
    expect(() => prepareMnist(raw, { validationSize: 60_000 })).toThrow(/validationSize must be smaller than the 60000 training images/);
    expect(() => prepareMnist(raw, { standardize: 'zscore' as never })).toThrow(/standardize must be one of/);
    expect(() => prepareMnist(raw, { valSize: 1 } as never)).toThrow(/unknown option "valSize"/);
  });
});
