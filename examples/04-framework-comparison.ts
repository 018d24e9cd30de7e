// Section 6 of the report: the same model in a standard framework. The report used PyTorch;
// here TensorFlow.js (a devDependency), on exactly the same preprocessed data.
// Run: npx tsx examples/04-framework-comparison.ts           (15 epochs each: about 15 minutes, TF.js is the slow one)
//      npx tsx examples/04-framework-comparison.ts --quick   (2,000 images, 1 epoch; or QUICK=1)

import { FeedForwardNeuralNets, ReLU, classificationReport, init, loadMnist, prepareMnist } from '../ts/index.js';

const QUICK = process.argv.includes('--quick') || process.env.QUICK === '1';
const EPOCHS = QUICK ? 1 : 15;

await init();
const data = prepareMnist(await loadMnist(), QUICK ? { trainLimit: 2_000, validationSize: 400 } : {});

// mlp-wasm: 784-500-250-100-10 with ReLU, SGD eta 0.01, batch 64, Glorot weights.
const ours = new FeedForwardNeuralNets({ inputs: data.train, hiddenLayers: [500, 250, 100], g: new ReLU(), eta: 0.01, batchSize: 64, seed: 1 });
const r = await ours.trainAsync(EPOCHS);
const oursAccuracy = classificationReport(data.test.labels, ours.predict(data.test)).accuracy;
console.log(`mlp-wasm:      test accuracy ${oursAccuracy.toFixed(4)} in ${r.seconds.toFixed(1)} s`);
// → mlp-wasm:      test accuracy 0.9739 in 18 s   (2-core EPYC, 2026-12-04; npm run mnist -- --activation relu)

// TensorFlow.js: the same network, optimiser and data (its WebAssembly backend; no native add-on).
const tf = await import('@tensorflow/tfjs');
const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname);
await tf.setBackend('wasm');

const tensors = (ds: typeof data.train) => {
  const { X, Y } = ds.toMatrices(); // the standardised inputs and one-hot targets, as float32 matrices
  return [tf.tensor2d(X.data, [X.rows, X.cols]), tf.tensor2d(Y.data, [Y.rows, Y.cols])] as const;
};
const [xTrain, yTrain] = tensors(data.train);
const [xTest] = tensors(data.test);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: 500, activation: 'relu' }), // Glorot-uniform weights, zero biases (the defaults)
    tf.layers.dense({ units: 250, activation: 'relu' }),
    tf.layers.dense({ units: 100, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
const start = performance.now();
await model.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 64, shuffle: true, verbose: 0 });
const seconds = (performance.now() - start) / 1000;
const predicted = (model.predict(xTest) as import('@tensorflow/tfjs').Tensor).argMax(1).dataSync();
const tfAccuracy = classificationReport(data.test.labels, Array.from(predicted)).accuracy;
console.log(`TensorFlow.js: test accuracy ${tfAccuracy.toFixed(4)} in ${seconds.toFixed(1)} s (${tf.getBackend()} backend)`);
// → TensorFlow.js: test accuracy ≈ 0.97 in about 14 minutes (wasm backend)
// The same algorithm lands on the same accuracy (up to the random initial weights and shuffles);
// the report's PyTorch run reached 0.94. `npm run experiments` also runs the sigmoid baseline in TF.js.

ours.dispose();
data.dispose();
tf.dispose([xTrain, yTrain, xTest]);
