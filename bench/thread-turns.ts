// One and two threads training in turns, epoch by epoch, on the synthetic data and on MNIST's
// images (standardised) in one engine: a longer look at the two-thread ratio than the bench's
// turns. npx tsx bench/thread-turns.ts [N=12800 R=8 env]
import { init, FeedForwardNeuralNets, Dataset, Matrix, loadMnist, prepareMnist } from '../ts/index.js';
import { syntheticMnistLike } from './lib/synthetic.js';
await init({ threads: 2 });
const n = Number(process.env.N ?? 12800); const syn = syntheticMnistLike(n, 1);
const synth = Dataset.fromMatrices(new Matrix(n, 784, syn.x), new Matrix(n, 10, syn.y));
const mnist = prepareMnist(await loadMnist(), { seed: 0, validationSize: 0, trainLimit: n, testLimit: 1000 });
const mk = (data: Dataset, threads: number) => new FeedForwardNeuralNets({ inputs: data, hiddenLayers: [500, 250, 100], batchSize: 64, eta: 0.01, seed: 1, threads });
const nets = [mk(synth, 1), mk(synth, 2), mk(mnist.train, 1), mk(mnist.train, 2)];
nets.forEach((x) => x.train(1));
const R = Number(process.env.R ?? 8);
const rate = (net: FeedForwardNeuralNets) => { const t = performance.now(); net.train(1); return n / ((performance.now() - t) / 1000); };
const rates: number[][] = nets.map(() => []);
for (let i = 0; i < R; i++) { const order = i % 2 ? [3, 2, 1, 0] : [0, 1, 2, 3]; for (const j of order) rates[j].push(rate(nets[j])); }
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log('synth 1t', med(rates[0]).toFixed(0), '2t', med(rates[1]).toFixed(0), 'ratio', med(rates[1].map((v, i) => v / rates[0][i])).toFixed(3));
console.log('mnist 1t', med(rates[2]).toFixed(0), '2t', med(rates[3]).toFixed(0), 'ratio', med(rates[3].map((v, i) => v / rates[2][i])).toFixed(3));
