// The demo's training worker: the engine lives here, so the page never freezes.
//
// Messages from the page (`id` is echoed back on the answer):
//   { type: 'start', config }          train a new network (see DEFAULTS for config's fields)
//   { type: 'stop' }                   stop training after the current batch; the test report follows
//   { type: 'predict', id, pixels }    pixels: Uint8Array(784), 0-255, white ink on black
//   { type: 'save', id }               answer { type: 'saved', id, json, fileName }
//   { type: 'load', id, text }         a file from 'save' (net.save() JSON plus the preprocessing)
// Messages to the page:
//   { type: 'ready', info }            engine loaded: { crossOriginIsolated, threads, cores }
// The worker's own URL may carry ?threads=N (the engine's thread count, default: every core
// when the page is crossOriginIsolated, else 1).
//   { type: 'status', phase, text }    phase: 'loading' | 'preparing' | 'training' | 'evaluating'
//   { type: 'progress', progress, history }   TrainProgress and the loss history so far
//   { type: 'trained', result, seconds }      training ended (result.stopped says whether stopped)
//   { type: 'report', report, cm, classNames, testCount }   classification report on the test set
//   { type: 'prediction', id, probs }  probs: Float32Array(classes), or null without a model
//   { type: 'saved', id, json, fileName } / { type: 'loaded', id, model }
//                                      model.reportNote: why no test report follows (else one does)
//   { type: 'error', id, during, message, stage }   stage 'report': a loaded model's test report failed

import * as mlp from '../dist/index.js';
import {
  init,
  loadMnist,
  loadFashionMnist,
  prepareMnist,
  imagesToMatrix,
  Dataset,
  FeedForwardNeuralNets,
  ReLU,
  Sigmoid,
  Tanh,
  Softmax,
  CrossEntropyLoss,
  classificationReport,
  confusionMatrix,
  FASHION_MNIST_CLASSES,
} from '../dist/index.js';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const DATASETS = {
  mnist: { name: 'MNIST', load: loadMnist, classNames: DIGITS },
  fashion: { name: 'Fashion-MNIST', load: loadFashionMnist, classNames: [...FASHION_MNIST_CLASSES] },
};
const ACTIVATIONS = { relu: () => new ReLU(), sigmoid: () => new Sigmoid(), tanh: () => new Tanh() };

const DEFAULTS = {
  dataset: 'mnist',
  /** Absolute URL of the folder holding the dataset's four .gz files. */
  dataUrl: '',
  hidden: [128],
  activation: 'relu',
  optimizer: 'adam',
  eta: 0.001,
  batchSize: 64,
  epochs: 3,
  /** Training images used (before the validation split). */
  trainImages: 60000,
  /** Test images used for the report. */
  testImages: 10000,
  /** Threads for this network (0: all the engine has). */
  threads: 0,
  seed: 1,
};

/** MNIST's global statistics on [0, 1], for model files that do not carry their own. */
const FALLBACK_TRANSFORM = { scale: 1 / 255, mean: 0.1307, std: 0.3081 };

const post = (message, transfer) => self.postMessage(message, transfer ?? []);

let net = null;
/** { transform, classNames, dataset } of the current network. */
let model = null;
let controller = null;
let busy = false;
const dataCache = new Map();

// ?threads=N on the worker's URL caps the engine's threads; by default it uses every core
// when the page is crossOriginIsolated (shared memory), else one.
const threadsWanted = Number(new URL(self.location.href).searchParams.get('threads') ?? NaN);
const ready = (Number.isInteger(threadsWanted) && threadsWanted > 0 ? init({ threads: threadsWanted }) : init()).then(
  () => post({
    type: 'ready',
    info: { crossOriginIsolated: self.crossOriginIsolated === true, threads: mlp.threadCount?.() ?? 1, cores: navigator.hardwareConcurrency ?? 1 },
  }),
  (error) => {
    post({ type: 'error', during: 'init', message: error?.message ?? String(error) });
    throw error;
  },
);
ready.catch(() => {}); // reported above; every later message fails with the same error

self.onmessage = async ({ data: message }) => {
  try {
    await ready;
    switch (message.type) {
      case 'start':
        return await start({ ...DEFAULTS, ...message.config });
      case 'stop':
        controller?.abort();
        return;
      case 'predict':
        return predict(message.id, message.pixels);
      case 'save':
        return save(message.id);
      case 'load':
        return await load(message.id, message.text, message.dataUrls ?? {});
      default:
        throw new Error(`unknown message type ${JSON.stringify(message.type)}`);
    }
  } catch (error) {
    post({ type: 'error', id: message.id, during: message.type, stage: error?.stage, message: error?.message ?? String(error) });
  }
};

function getData(dataset, dataUrl) {
  const key = `${dataset} ${dataUrl}`;
  if (!dataCache.has(key)) {
    const promise = DATASETS[dataset].load({ baseUrl: dataUrl });
    promise.catch(() => dataCache.delete(key));
    dataCache.set(key, promise);
  }
  return dataCache.get(key);
}

async function start(config) {
  if (busy) throw new Error('already training: stop the current run first');
  const spec = DATASETS[config.dataset];
  if (!spec) throw new Error(`unknown dataset ${JSON.stringify(config.dataset)}`);
  if (!ACTIVATIONS[config.activation]) throw new Error(`unknown activation ${JSON.stringify(config.activation)}`);
  busy = true;
  let prepared = null;
  try {
    post({ type: 'status', phase: 'loading', text: `Loading ${spec.name}…` });
    const data = await getData(config.dataset, config.dataUrl);
    post({ type: 'status', phase: 'preparing', text: 'Preparing the data…' });
    const trainImages = Math.min(config.trainImages, data.train.count);
    // 10% of the training images are held out for the validation loss (at most 2,000, so that
    // computing it at every chart point stays cheap).
    const validationSize = Math.max(1, Math.min(2000, Math.round(trainImages * 0.1)));
    prepared = prepareMnist(data, { trainLimit: trainImages, validationSize, testLimit: config.testImages, seed: config.seed });
    const next = new FeedForwardNeuralNets({
      inputs: prepared.train,
      hiddenLayers: config.hidden,
      g: ACTIVATIONS[config.activation](),
      O: new Softmax(),
      L: new CrossEntropyLoss(),
      optimizer: config.optimizer,
      eta: config.eta,
      batchSize: config.batchSize,
      seed: config.seed,
      ...(config.threads ? { threads: config.threads } : {}),
    });
    net?.dispose();
    net = next;
    model = { transform: prepared.transform, classNames: spec.classNames, dataset: config.dataset };

    const batchesPerEpoch = Math.ceil(prepared.train.n / config.batchSize);
    const totalBatches = batchesPerEpoch * config.epochs;
    // About 60 points on the loss chart, whatever the run's length.
    const logEvery = Math.max(1, Math.round(totalBatches / 60));
    post({
      type: 'status',
      phase: 'training',
      text: `Training on ${prepared.train.n.toLocaleString('en')} images (${prepared.val.n.toLocaleString('en')} held out for validation)`,
      totalBatches,
    });
    controller = new AbortController();
    let lastPost = 0;
    const result = await net.trainAsync(config.epochs, {
      validationData: prepared.val,
      logEvery,
      signal: controller.signal,
      onProgress: (progress) => {
        const t = performance.now();
        const last = progress.epoch === progress.epochs && progress.batch === progress.batchesPerEpoch;
        if (!progress.logged && !last && t - lastPost < 100) return;
        lastPost = t;
        post({ type: 'progress', progress, history: copyHistory(net.history) });
      },
    });
    post({ type: 'trained', result, history: copyHistory(net.history) });
    post({ type: 'status', phase: 'evaluating', text: 'Evaluating on the test set…' });
    evaluate(prepared.test, data.test.labels.subarray(0, prepared.test.n), spec.classNames);
  } finally {
    controller = null;
    busy = false;
    prepared?.dispose();
  }
}

function copyHistory(h) {
  return { iteration: [...h.iteration], trainLoss: [...h.trainLoss], valLoss: [...h.valLoss] };
}

/** Test-set predictions → classification report and confusion matrix for the page. */
function evaluate(test, labels, classNames) {
  const predicted = net.predict(test);
  const classes = classNames.map((_, i) => i);
  const report = classificationReport(labels, predicted, { labels: classes, targetNames: classNames, digits: 3 });
  const cm = confusionMatrix(labels, predicted, { labels: classes });
  model.testAccuracy = report.accuracy;
  post({ type: 'report', report, cm: { labels: cm.labels, matrix: cm.matrix }, classNames, testCount: labels.length });
}

function predict(id, pixels) {
  if (!net || !model) return post({ type: 'prediction', id, probs: null });
  const X = imagesToMatrix(pixels, model.transform);
  const probs = net.evaluate(X).data;
  post({ type: 'prediction', id, probs }, [probs.buffer]);
}

function save(id) {
  if (!net || !model) throw new Error('there is no model to save yet: train one first');
  const { transform } = model;
  const metadata = {
    app: 'mlp-wasm demo',
    dataset: model.dataset,
    classNames: model.classNames,
    testAccuracy: model.testAccuracy ?? null,
    // How pixels are preprocessed: x = (u * scale - mean) / std, per pixel.
    preprocessing: { scale: transform.scale, mean: Array.from(transform.mean), std: Array.from(transform.std) },
  };
  const json = JSON.stringify(net.save({ metadata }));
  const fileName = `mlp-wasm-${model.dataset}-${net.config.sizes.join('-')}.json`;
  post({ type: 'saved', id, json, fileName });
}

async function load(id, text, dataUrls) {
  if (busy) throw new Error('stop training before loading a model');
  const loaded = FeedForwardNeuralNets.load(text);
  let transform;
  try {
    if (loaded.inputSize !== 784) {
      throw new Error(`this page needs a network with 784 inputs (28x28 images); the file's network is ${loaded.config.sizes.join('-')}`);
    }
    // Checked before the current network is replaced: a file the page cannot use is refused whole.
    transform = readPreprocessing(loaded.metadata?.preprocessing, loaded.inputSize);
  } catch (error) {
    loaded.dispose();
    throw error;
  }
  const meta = loaded.metadata ?? {};
  const p = meta.preprocessing;
  const dataset = DATASETS[meta.dataset] ? meta.dataset : 'mnist';
  const spec = DATASETS[dataset];
  const classNames = Array.isArray(meta.classNames) && meta.classNames.length === loaded.outputSize
    ? meta.classNames.map(String)
    : Array.from({ length: loaded.outputSize }, (_, i) => String(i));
  // The test report needs one output per class of the data set, and the data set itself.
  const dataUrl = dataUrls[dataset];
  const reportNote = loaded.outputSize !== spec.classNames.length
    ? `No test report: this network has ${loaded.outputSize} output${loaded.outputSize === 1 ? '' : 's'}, but ${spec.name} has ${spec.classNames.length} classes.`
    : !dataUrl
      ? `No test report: ${spec.name} is not served by this server.`
      : null;
  net?.dispose();
  net = loaded;
  model = { transform, classNames, dataset, testAccuracy: meta.testAccuracy ?? null };
  const c = net.config;
  post({
    type: 'loaded',
    id,
    model: {
      sizes: c.sizes, activation: c.hidden.name, optimizer: c.optimizer, eta: net.eta, batchSize: c.batchSize,
      iteration: net.iteration, epochsTrained: net.epochsTrained, dataset, classNames,
      history: copyHistory(net.history), preprocessing: p ? 'from the file' : 'MNIST defaults', reportNote,
    },
  });
  if (reportNote) return;
  busy = true;
  try {
    post({ type: 'status', phase: 'evaluating', text: 'Evaluating the loaded model on the test set…' });
    const data = await getData(dataset, dataUrl);
    const labels = data.test.labels;
    const rows = Uint32Array.from({ length: data.test.count }, (_, i) => i);
    const test = Dataset.fromU8({ pixels: data.test.images, labels, features: 784 }, rows, classNames.length, transform);
    try {
      evaluate(test, labels, classNames);
    } finally {
      test.dispose();
    }
  } catch (error) {
    // The model is loaded (and answers drawings); only its report failed.
    if (error && typeof error === 'object') error.stage = 'report';
    throw error;
  } finally {
    busy = false;
  }
}

/**
 * A model file's metadata.preprocessing ({ scale, mean, std }: x = (u * scale - mean) / std per
 * pixel, as save() writes it) as a transform, or MNIST's defaults when the file has none. Throws
 * a message for the user when it is there but unusable. A std of 0 marks a pixel that never
 * varied in training (it is then not divided, as Dataset.fromU8 does), but not every pixel can be one.
 */
function readPreprocessing(p, features) {
  if (p === undefined || p === null) {
    return { scale: FALLBACK_TRANSFORM.scale, mean: new Float32Array(features).fill(FALLBACK_TRANSFORM.mean), std: new Float32Array(features).fill(FALLBACK_TRANSFORM.std) };
  }
  const bad = (what) => new Error(`the file's preprocessing (metadata.preprocessing) is not usable: ${what}`);
  const show = (v) => (typeof v === 'string' ? JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v) : Array.isArray(v) ? 'an array' : String(v));
  if (typeof p !== 'object' || Array.isArray(p)) throw bad(`it must be { scale, mean, std }, got ${show(p)}`);
  if (typeof p.scale !== 'number' || !Number.isFinite(p.scale) || !(p.scale > 0)) throw bad(`scale must be a number above 0 (1/255 for 0-255 pixels), got ${show(p.scale)}`);
  const values = (name, min) => {
    const a = p[name];
    if (!Array.isArray(a) || a.length !== features) {
      throw bad(`${name} must be a list of ${features} numbers (one per pixel), got ${Array.isArray(a) ? `${a.length} values` : show(a)}`);
    }
    const out = Float32Array.from(a, (v) => (typeof v === 'number' ? v : NaN));
    const i = out.findIndex((v) => !Number.isFinite(v) || v < min);
    if (i >= 0) throw bad(`${name}[${i}] must be a finite number${min === 0 ? ' of at least 0' : ''}, got ${show(a[i])}`);
    return out;
  };
  const mean = values('mean', -Infinity);
  const std = values('std', 0);
  if (!std.some((v) => v > 0)) throw bad('std is 0 for every pixel');
  return { scale: p.scale, mean, std };
}
