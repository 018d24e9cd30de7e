// A tiny app as a user would write it: `mlp-wasm` resolved by Vite from node_modules through
// the package's `exports`, the .wasm found by `new URL(..., import.meta.url)` and emitted by Vite.
import { init, FeedForwardNeuralNets, ReLU, Softmax, CrossEntropyLoss, isInitialized } from 'mlp-wasm';

const out = document.getElementById('out');
const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [[1, 0], [0, 1], [0, 1], [1, 0]];

try {
  await init();
  const net = new FeedForwardNeuralNets({
    inputs: X, outputs: Y, hiddenLayers: [8], g: new ReLU(), O: new Softmax(), L: new CrossEntropyLoss(),
    optimizer: 'adam', eta: 0.05, batchSize: 4, seed: 1,
  });
  const before = net.loss(X, Y);
  const result = await net.trainAsync(500);
  const predicted = Array.from(net.predict(X));
  window.result = { ok: true, initialized: isInitialized(), before, after: net.loss(X, Y), predicted, iterations: result.iterations };
  out.textContent = `XOR learned: predictions ${predicted.join(', ')} (loss ${before.toFixed(3)} → ${window.result.after.toFixed(4)})`;
} catch (e) {
  window.result = { ok: false, error: String(e?.message ?? e) };
  out.textContent = `Failed: ${window.result.error}`;
}
document.body.dataset.done = '1';
