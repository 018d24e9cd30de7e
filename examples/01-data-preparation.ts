// Section 2 of the report: data preparation and preprocessing.
// Run: npx tsx examples/01-data-preparation.ts        (about a second; --quick or QUICK=1 is the same here)

import { init, loadMnist, prepareMnist } from '../ts/index.js';

await init(); // load the WebAssembly engine once

// The four MNIST files are vendored in data/mnist/ and checked against their SHA-256 on load.
const mnist = await loadMnist();
console.log('images:', mnist.train.count, 'training,', mnist.test.count, 'test,', `${mnist.train.rows}x${mnist.train.cols} pixels`);
// → images: 60000 training, 10000 test, 28x28 pixels

// One of them, as the network will never see it: raw 8-bit pixels.
const first = mnist.train.images.subarray(0, 784);
for (let r = 4; r < 24; r += 2) {
  console.log(Array.from(first.subarray(r * 28 + 2, r * 28 + 26), (p) => ' .:-=+*#%@'[Math.floor(p / 25.6)]).join(''));
}
console.log('label:', mnist.train.labels[0]); // → label: 5  (the ASCII art above is a 5)

// 2.1 Split: 10,000 of the 60,000 training images held out for validation (seeded, so every
//     run sees the same split). 2.4 Normalise to [0, 1], standardise with the *training* split's
//     mean and standard deviation (applied unchanged to validation and test), flatten to 784,
//     one-hot labels. The uint8 → float32 expansion happens once, inside the engine.
const data = prepareMnist(mnist, { validationSize: 10_000, seed: 0, standardize: 'global' });
console.log('split:', data.train.n, 'train,', data.val!.n, 'validation,', data.test.n, 'test;', data.features, 'features,', data.classes, 'classes');
// → split: 50000 train, 10000 validation, 10000 test; 784 features, 10 classes

const { scale, mean, std } = data.transform;
console.log('pixel transform: (p * 1/255 - mean) / std with mean', mean[0]!.toFixed(4), 'std', std[0]!.toFixed(4), `(scale 1/${1 / scale})`);
// → pixel transform: (p * 1/255 - mean) / std with mean 0.1305 std 0.3080 (scale 1/255)

// 2.5 The preprocessed data: a look at the validation set as plain matrices.
const { X, Y } = data.val!.toMatrices();
let sum = 0;
let sumSq = 0;
for (const v of X.data) {
  sum += v;
  sumSq += v * v;
}
const m = sum / X.data.length;
console.log('validation inputs:', `${X.rows} x ${X.cols}`, 'mean', m.toFixed(3), 'std', Math.sqrt(sumSq / X.data.length - m * m).toFixed(3));
// → validation inputs: 10000 x 784 mean 0.003 std 1.003   (≈ 0 and 1: the training split's statistics fit it too)
console.log('first one-hot target:', Array.from(Y.data.subarray(0, 10)).join(' '), '→ label', data.val!.labels[0]);
// → first one-hot target: 0 0 1 0 0 0 0 0 0 0 → label 2

data.dispose(); // free the engine's copies (a FinalizationRegistry would do it eventually)
