// Sections 3 and 4 of the report: the baseline model and its results.
// Run: npx tsx examples/02-baseline.ts           (15 epochs, about a minute)
//      npx tsx examples/02-baseline.ts --quick   (5,000 training images, 2 epochs, eta 1: a few seconds; or QUICK=1)
// At eta 0.01 this sigmoid network needs thousands of steps to leave its slow start (see epoch 1
// below), so the quick run's 158 steps use eta 1 instead: its test accuracy is then about 0.7
// rather than the 0.11 of always answering "1".

import { CrossEntropyLoss, FeedForwardNeuralNets, Sigmoid, Softmax, classificationReport, init, loadMnist, prepareMnist } from '../ts/index.js';

const QUICK = process.argv.includes('--quick') || process.env.QUICK === '1';

await init();
const data = prepareMnist(await loadMnist(), QUICK ? { trainLimit: 6_000, validationSize: 1_000 } : {}); // 50,000 / 10,000 / 10,000 (quick: 5,000 / 1,000 / 10,000)

// 3.1 The architecture: 784 inputs, hidden layers of 500, 250 and 100 sigmoid units, 10 softmax outputs.
// 3.2 Trained with cross-entropy and plain gradient descent, eta 0.01, batches of 64, Glorot initialisation.
const net = new FeedForwardNeuralNets({
  inputs: data.train, // a Dataset carries its one-hot targets; the engine keeps it resident
  hiddenLayers: [500, 250, 100],
  g: new Sigmoid(),
  O: new Softmax(),
  L: new CrossEntropyLoss(),
  optimizer: 'gd',
  eta: QUICK ? 1 : 0.01,
  batchSize: 64,
  initializationMethod: 'glorot',
  seed: 1,
});
console.log(String(net));
// → FeedForwardNeuralNets(784-500-250-100-10, g=Sigmoid(), O=Softmax(), L=CrossEntropyLoss(alpha=0, regularization=None), optimizer=gd, eta=0.01, batchSize=64)

// 3.3 Training, with the validation loss recorded every 200 iterations (the report's graph).
const result = await net.trainAsync(QUICK ? 2 : 15, {
  validationData: data.val!,
  logEvery: QUICK ? 20 : 200,
  onProgress: (p) => {
    if (p.batch === p.batchesPerEpoch) console.log(`epoch ${p.epoch}/${p.epochs}: training loss ${p.trainLoss.toFixed(4)}, validation loss ${p.valLoss!.toFixed(4)}`);
  },
});
// → epoch 1/15: training loss 2.2317, validation loss 2.2436   (sigmoid starts slowly: the first epoch barely moves)
//   ...
//   epoch 15/15: training loss 0.3697, validation loss 0.3827
console.log(`training time ${result.seconds.toFixed(1)} s; final training loss ${result.finalTrainLoss!.toFixed(4)}, final validation loss ${result.finalValLoss!.toFixed(4)}`);
// → training time 35.3 s; final training loss 0.3697, final validation loss 0.3827
//   (the report: about 44 minutes on an 8-core CPU; final losses 0.4487 and 0.4499)

// 4.1.1 The loss curves are in net.history: iteration, trainLoss, valLoss (one entry every 200 iterations,
//       and one at the end).
console.log('logged points:', net.history.iteration.length, 'last at iteration', net.history.iteration.at(-1));
// → logged points: 59 last at iteration 11730

// 4.1.2 and 4.1.3: classification reports on the training and the test set (scikit-learn's layout).
console.log('Training set\n' + classificationReport(data.train.labels, net.predict(data.train)).text);
console.log('Test set\n' + classificationReport(data.test.labels, net.predict(data.test)).text);
// → Test set
//                 precision    recall  f1-score   support
//   ...
//       accuracy                           0.90     10000    (the report: 0.86)

net.dispose();
data.dispose();
