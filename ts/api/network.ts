// FeedForwardNeuralNets (report section 1.4): the class API over one engine network.
// Everything numeric happens in the engine; this class validates, copies data in once,
// drives the epoch loop in chunks (for progress, history and stopping) and names results.

import { MAX_THREADS, getEngine } from '../wasm/load.js';
import type { Engine, Scratch } from '../wasm/engine.js';
import { StatusCode } from '../wasm/exports.js';
import { Activation, Sigmoid, Softmax, activationFromName, checkActivation } from './activations.js';
import { Dataset, checkDataset } from './dataset.js';
import { DisposedError, DivergenceError, OutOfMemoryError, ShapeError, ValueError, describe } from './errors.js';
import { layerSizes, INIT_CODES, INITIALIZATIONS, type Initialization } from './initializer.js';
import { CrossEntropyLoss, Loss, checkLoss, checkProbabilityRows, lossFromName, probabilityRowsProblem } from './losses.js';
import { Matrix, checkFiniteInEngine, expectShape, toMatrix, type MatrixLike } from './matrix.js';
import { nextTick } from '../util/next-tick.js';
import { flatten, parameterCount, unflatten, type Parameters } from './parameters.js';
import { decodeModel, encodeBinary, encodeJson, MODEL_FORMAT, MODEL_VERSION, type ModelFile, type ModelSnapshot } from './model-format.js';
import { MAX_ENGINE_COUNT, checkOptions, nonNegativeInteger, oneOf, positiveFloat32, positiveInteger, randomSeed, seedParts, unitFloat32 } from './validate.js';

export type OptimizerName = 'gd' | 'adam';
const OPTIMIZER_CODES: Record<OptimizerName, number> = { gd: 0, adam: 1 };

export interface FeedForwardOptions {
  /** Training inputs X (n x d), a resident Dataset (then `outputs` is omitted), or just the input width. */
  inputs: MatrixLike | Dataset | number;
  /** One-hot training targets Y (n x k), or just the output width. */
  outputs?: MatrixLike | number;
  hiddenLayers: number[];
  /** Hidden activation (default Sigmoid). */
  g?: Activation;
  /** Loss (default CrossEntropyLoss). */
  L?: Loss;
  /** Output activation (default Softmax). */
  O?: Activation;
  eta?: number;
  optimizer?: OptimizerName;
  initializationMethod?: Initialization;
  batchSize?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam's step counter to start from (the report's `t`; default 0): the next adam() step is t + 1. */
  t?: number;
  /** Integer seed for initial weights and shuffling; random when omitted (see `seed`). */
  seed?: number;
  /**
   * Threads this network's training and inference use (a positive integer; default: all the
   * engine has, see `init({ threads })`; more than the engine has means all of them). The
   * results are the same bit for bit whatever the count.
   */
  threads?: number;
}

const OPTION_NAMES = ['inputs', 'outputs', 'hiddenLayers', 'g', 'L', 'O', 'eta', 'optimizer', 'initializationMethod', 'batchSize', 'beta1', 'beta2', 'epsilon', 't', 'seed', 'threads'] as const;

export type ValidationData = Dataset | [MatrixLike, MatrixLike] | { X: MatrixLike; Y: MatrixLike };

export interface TrainOptions {
  validationData?: ValidationData;
  /** Train on this instead of the constructor's data. */
  data?: Dataset | [MatrixLike, MatrixLike];
  /** Record history (and validation loss) every this many iterations (default 200). */
  logEvery?: number;
  /** Called as training goes; return false to stop after the current batch. */
  onProgress?: (progress: TrainProgress) => void | boolean;
  signal?: AbortSignal;
  /** Called with the learning rate to use at each epoch (1-based), e.g. a schedule. */
  learningRate?: (epoch: number) => number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Iterations (batches) since this network was created. */
  iteration: number;
  /** Mean training loss of the batches since the last log point (or this chunk). */
  trainLoss: number;
  /** Latest validation loss, if any. */
  valLoss: number | null;
  /** True when this call coincides with a history entry. */
  logged: boolean;
  samplesPerSecond: number;
  elapsedSeconds: number;
  /** Estimated seconds left in this train() call. */
  etaSeconds: number;
}

export interface TrainResult {
  epochsCompleted: number;
  iterations: number;
  stopped: false | 'signal' | 'callback';
  seconds: number;
  finalTrainLoss: number | null;
  finalValLoss: number | null;
}

export interface History {
  iteration: number[];
  trainLoss: number[];
  /** Aligned with `iteration` when validation data was given, else empty. */
  valLoss: number[];
}

export interface NetworkConfig {
  sizes: number[];
  hidden: Activation;
  output: Activation;
  loss: Loss;
  eta: number;
  optimizer: OptimizerName;
  initializationMethod: Initialization;
  batchSize: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  seed: number;
}

const registry = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<{ engine: Engine; handle: number }>(({ engine, handle }) => engine.exports.mlp_network_free(handle))
  : null;

export class FeedForwardNeuralNets {
  readonly config: Readonly<NetworkConfig>;
  readonly history: History = { iteration: [], trainLoss: [], valLoss: [] };
  /** True while a train/trainAsync run is in progress. */
  private training = false;
  /** Iterations (batches) trained so far. */
  iteration = 0;
  /** Full epochs trained so far. */
  epochsTrained = 0;

  private readonly engine: Engine;
  private _handle: number;
  private trainData: Dataset | null = null;
  private ownsTrainData = false;
  private pendingData: [Matrix, Matrix] | null = null;
  private hasGradients = false;

  constructor(options: FeedForwardOptions) {
    const where = 'new FeedForwardNeuralNets';
    const o = checkOptions(options, OPTION_NAMES, where);
    if (!('inputs' in o)) throw new ValueError(`${where}: inputs is required (the training data X, a Dataset, or the input width)`);
    if (!('hiddenLayers' in o)) throw new ValueError(`${where}: hiddenLayers is required, e.g. [500, 250, 100] (use [] for none)`);
    const loss = checkLoss(o.L ?? new CrossEntropyLoss(), where, 'L');
    const [d, k] = this.acceptData(o.inputs, o.outputs, loss, where);
    const config: NetworkConfig = {
      sizes: layerSizes(d, o.hiddenLayers, k, where),
      hidden: checkActivation(o.g ?? new Sigmoid(), where, 'g'),
      output: checkActivation(o.O ?? new Softmax(), where, 'O'),
      loss,
      eta: positiveFloat32(o.eta ?? 0.01, where, 'eta'),
      optimizer: oneOf(o.optimizer ?? 'gd', ['gd', 'adam'] as const, where, 'optimizer'),
      initializationMethod: oneOf(o.initializationMethod ?? 'glorot', INITIALIZATIONS, where, 'initializationMethod'),
      batchSize: positiveInteger(o.batchSize ?? 32, where, 'batchSize', MAX_ENGINE_COUNT),
      beta1: unitFloat32(o.beta1 ?? 0.9, where, 'beta1'),
      beta2: unitFloat32(o.beta2 ?? 0.999, where, 'beta2'),
      epsilon: positiveFloat32(o.epsilon ?? 1e-8, where, 'epsilon'),
      seed: (o.seed as number | undefined) ?? randomSeed(),
    };
    if (config.hidden.name === 'softmax' && config.sizes.length > 2) {
      throw new ValueError(`${where}: g (the hidden activation) cannot be Softmax; use ReLU, Sigmoid, Tanh or Linear`);
    }
    const vectors = config.optimizer === 'adam' ? 4 : 2; // weights, gradients (+ Adam's two moments)
    const bytes = parameterCount(config.sizes) * 4 * vectors;
    if (bytes > 3 * 2 ** 30) {
      throw new OutOfMemoryError(`${where}: a ${config.sizes.join('-')} network with ${config.optimizer} needs ${(bytes / 2 ** 30).toFixed(1)} GiB of engine memory for its parameters alone; wasm32 memory is limited to 4 GiB`);
    }
    const [lo, hi] = seedParts(config.seed, where);
    const threads = o.threads === undefined ? 0 : positiveInteger(o.threads, where, 'threads', MAX_THREADS);
    // Validated before the engine network exists, so a bad value leaves nothing to free.
    const t = o.t === undefined ? 0 : nonNegativeInteger(o.t, where, 't', 2 ** 32 - 1);
    this.config = Object.freeze(config);
    this.engine = getEngine(where);
    const e = this.engine.exports;
    this._handle = this.engine.scoped((s) =>
      this.engine.checkHandle(
        e.mlp_network_create(
          s.copyIn(Uint32Array.from(config.sizes)), config.sizes.length, config.hidden.code, config.output.code,
          loss.code, loss.regularizationCode, loss.alpha, OPTIMIZER_CODES[config.optimizer], config.eta,
          config.beta1, config.beta2, config.epsilon, INIT_CODES[config.initializationMethod], lo, hi,
        ),
        where,
      ),
    );
    if (threads !== 0) this.engine.check(e.mlp_network_set_threads(this._handle, threads), where);
    registry?.register(this, { engine: this.engine, handle: this._handle }, this);
    if (t !== 0) {
      const state = this.readState();
      state[0] = t;
      this.writeState(state, where);
    }
  }

  /** Widths from the constructor's data; keeps the data for train(). */
  private acceptData(inputs: unknown, outputs: unknown, loss: Loss, where: string): [number, number] {
    if (inputs instanceof Dataset) {
      checkDataset(inputs, where, 'inputs');
      checkTargetsSuitLoss(inputs, loss, where, 'inputs');
      if (outputs !== undefined) throw new ValueError(`${where}: outputs must be omitted when inputs is a Dataset (it carries its targets)`);
      this.trainData = inputs;
      return [inputs.d, inputs.k];
    }
    if (typeof inputs === 'number') {
      positiveInteger(inputs, where, 'inputs');
      if (typeof outputs !== 'number') throw new ValueError(`${where}: when inputs is a width, outputs must be the output width too, got ${describe(outputs)}`);
      return [inputs, positiveInteger(outputs, where, 'outputs')];
    }
    const X = toMatrix(inputs, where, 'inputs');
    if (outputs === undefined) throw new ValueError(`${where}: outputs (the one-hot targets Y) is required with inputs X`);
    const Y = toMatrix(outputs, where, 'outputs');
    if (X.rows !== Y.rows) throw new ShapeError(`${where}: inputs and outputs must have the same number of rows, got ${X.rows} and ${Y.rows}`);
    if (loss instanceof CrossEntropyLoss) checkProbabilityRows(Y, where, 'outputs');
    this.pendingData = [X, Y];
    return [X.cols, Y.cols];
  }

  get handle(): number {
    if (this._handle === 0) throw new DisposedError('FeedForwardNeuralNets: this network was disposed; create or load a new one');
    return this._handle;
  }

  get disposed(): boolean {
    return this._handle === 0;
  }

  get inputSize(): number {
    return this.config.sizes[0];
  }

  get outputSize(): number {
    return this.config.sizes[this.config.sizes.length - 1];
  }

  get hiddenLayers(): number[] {
    return this.config.sizes.slice(1, -1);
  }

  get seed(): number {
    return this.config.seed;
  }

  /** The learning rate in use (change it with `setLearningRate`). */
  get eta(): number {
    return this.currentEta ?? this.config.eta;
  }
  private currentEta: number | null = null;

  setLearningRate(eta: number): void {
    const where = 'FeedForwardNeuralNets.setLearningRate';
    positiveFloat32(eta, where, 'eta');
    this.engine.check(this.engine.exports.mlp_network_set_hyper(this.handle, eta, this.config.beta1, this.config.beta2, this.config.epsilon), where);
    this.currentEta = eta;
  }

  /** Adam's step counter. */
  get t(): number {
    return this.readState()[0];
  }

  /** Copies of the weights and biases: { W1, b1, …, W{L}, b{L} }. */
  get parameters(): Parameters {
    return unflatten(this.readVector(0, 'FeedForwardNeuralNets.parameters'), this.config.sizes);
  }

  /** Replaces every weight and bias. */
  setParameters(params: Parameters | Record<string, MatrixLike>): void {
    const where = 'FeedForwardNeuralNets.setParameters';
    const flat = flatten(params, this.config.sizes, where);
    this.writeVector(0, flat, where);
  }

  /** Output probabilities for x (n x inputs). */
  forwardPropagation(x: MatrixLike): Matrix {
    return this.evaluate(x, 'FeedForwardNeuralNets.forwardPropagation');
  }

  /** The same as forwardPropagation: the network's output for X (or a Dataset). */
  evaluate(X: MatrixLike | Dataset, where = 'FeedForwardNeuralNets.evaluate'): Matrix {
    const k = this.outputSize;
    const e = this.engine.exports;
    if (X instanceof Dataset) {
      checkDataset(X, where, 'X');
      if (X.d !== this.inputSize) throw new ShapeError(`${where}: X has ${X.d} inputs per row but the network expects ${this.inputSize}`);
      return this.engine.scoped((s) => {
        const out = s.allocOf(Float32Array, X.n * k);
        this.engine.check(e.mlp_network_dataset_forward(this.handle, X.handle, out), where);
        return new Matrix(X.n, k, s.copyOut(Float32Array, out, X.n * k));
      });
    }
    // Finiteness is checked in the engine, on the copy it computes from (SIMD, not a JS loop).
    const x = toMatrix(X, where, 'X', { finite: false });
    expectShape(x, null, this.inputSize, where, 'X');
    return this.engine.scoped((s) => {
      const px = s.copyIn(x.data);
      checkFiniteInEngine(this.engine, px, x, where, 'X');
      const out = s.allocOf(Float32Array, x.rows * k);
      this.engine.check(e.mlp_network_forward(this.handle, px, x.rows, x.cols, out), where);
      return new Matrix(x.rows, k, s.copyOut(Float32Array, out, x.rows * k));
    });
  }

  /** Class labels: the index of the largest output of each row. */
  predict(X: MatrixLike | Dataset): Int32Array {
    const where = 'FeedForwardNeuralNets.predict';
    const p = this.evaluate(X, where);
    return this.engine.scoped((s) => {
      const out = s.allocOf(Int32Array, p.rows);
      this.engine.check(this.engine.exports.mlp_argmax_rows(s.copyIn(p.data), p.rows, p.cols, out), where);
      return s.copyOut(Int32Array, out, p.rows);
    });
  }

  /** Mean loss (including regularisation) on X, Y or a Dataset. */
  loss(X: MatrixLike | Dataset, Y?: MatrixLike): number {
    const where = 'FeedForwardNeuralNets.loss';
    const e = this.engine.exports;
    if (X instanceof Dataset) {
      this.checkDatasetFits(X, where, 'X');
      return this.engine.scoped((s) => {
        const out = s.allocOf(Float64Array, 1);
        this.engine.check(e.mlp_network_dataset_loss(this.handle, X.handle, out), where);
        return this.engine.view(Float64Array, out, 1)[0];
      });
    }
    const [x, y] = this.batch(X, Y, where);
    return this.engine.scoped((s) => {
      const py = this.targetsIn(s, y, where);
      const out = s.allocOf(Float64Array, 1);
      this.engine.check(e.mlp_network_loss(this.handle, s.copyIn(x.data), py, x.rows, x.cols, out), where);
      return this.engine.view(Float64Array, out, 1)[0];
    });
  }

  /**
   * Gradients of the loss (with regularisation) for the batch x, y: { dW1, db1, … }. The
   * engine recomputes the forward pass from x (it needs every layer's activations), so yPred
   * must be this network's output for x, forwardPropagation(x), as in the report; anything
   * else is refused rather than silently ignored. The gradients are also kept for
   * gradientDescent()/adam().
   */
  backPropagation(yPred: MatrixLike, y: MatrixLike, x: MatrixLike): Parameters {
    const where = 'FeedForwardNeuralNets.backPropagation';
    const [xm, ym] = this.batch(x, y, where);
    const p = toMatrix(yPred, where, 'yPred');
    expectShape(p, ym.rows, ym.cols, where, 'yPred');
    // One forward pass: the engine compares its output with yPred (it must be the network's
    // output for x, since the gradients come from x) before the backward pass.
    const mismatch = this.engine.scoped((s) => {
      const py = this.targetsIn(s, ym, where);
      const [loss, at, actual] = [s.allocOf(Float64Array, 1), s.allocOf(Int32Array, 1), s.allocOf(Float32Array, 1)];
      this.engine.check(this.engine.exports.mlp_network_gradients(this.handle, s.copyIn(xm.data), py, xm.rows, xm.cols, s.copyIn(p.data), loss, at, actual), where);
      return { at: this.engine.view(Int32Array, at, 1)[0]!, actual: this.engine.view(Float32Array, actual, 1)[0]! };
    });
    if (mismatch.at >= 0) {
      const [r, c] = [Math.floor(mismatch.at / p.cols), mismatch.at % p.cols];
      throw new ValueError(`${where}: yPred must be this network's output for x, forwardPropagation(x) (the gradients are computed from x); at row ${r}, column ${c} it is ${p.data[mismatch.at]} but the network gives ${mismatch.actual}`);
    }
    this.hasGradients = true;
    return unflatten(this.readVector(1, where), this.config.sizes, 'd');
  }

  /** W −= eta · dW for every parameter, with the gradients of the last backPropagation. */
  gradientDescent(): void {
    this.applyKept(0, 'FeedForwardNeuralNets.gradientDescent');
  }

  /** One bias-corrected Adam step (t increases by one) with the kept gradients. */
  adam(): void {
    this.applyKept(1, 'FeedForwardNeuralNets.adam');
  }

  private applyKept(code: number, where: string): void {
    if (!this.hasGradients) throw new ValueError(`${where}: no gradients yet: call backPropagation(yPred, y, x) first`);
    const status = this.engine.exports.mlp_network_apply(this.handle, code);
    if (status === StatusCode.Diverged) {
      throw new DivergenceError(`${where}: ${this.engine.lastError()}`, this.epochsTrained + 1, this.iteration);
    }
    this.engine.check(status, where);
  }

  /** Trains for `epochs` epochs, synchronously. See `trainAsync` to keep an event loop alive. */
  train(epochs: number, options: TrainOptions = {}): TrainResult {
    const run = this.trainSteps(epochs, options, 'FeedForwardNeuralNets.train');
    for (;;) {
      const step = run.next();
      if (step.done) return step.value;
    }
  }

  /** Like train(), but yields to the event loop between chunks of batches (pages stay responsive, Ctrl-C works). */
  async trainAsync(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    const run = this.trainSteps(epochs, options, 'FeedForwardNeuralNets.trainAsync');
    for (;;) {
      const step = run.next();
      if (step.done) return step.value;
      await nextTick();
    }
  }

  /** The epoch loop as a generator: it yields between chunks of batches. */
  private *trainSteps(epochs: number, options: TrainOptions, where: string): Generator<void, TrainResult> {
    void this.handle; // a disposed network says so before anything else
    positiveInteger(epochs, where, 'epochs');
    const o = checkOptions(options, ['validationData', 'data', 'logEvery', 'onProgress', 'signal', 'learningRate'], where) as TrainOptions;
    const logEvery = positiveInteger(o.logEvery ?? 200, where, 'logEvery');
    if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new ValueError(`${where}: onProgress must be a function, got ${describe(o.onProgress)}`);
    if (o.learningRate !== undefined && typeof o.learningRate !== 'function') throw new ValueError(`${where}: learningRate must be a function of the epoch, got ${describe(o.learningRate)}`);
    if (o.signal !== undefined && (o.signal === null || typeof o.signal !== 'object' || typeof (o.signal as { aborted?: unknown }).aborted !== 'boolean')) {
      throw new ValueError(`${where}: signal must be an AbortSignal, got ${describe(o.signal)}`);
    }
    // Two runs at once (trainAsync twice, or train() from onProgress) would reshuffle each
    // other's epoch order mid-epoch.
    if (this.training) throw new ValueError(`${where}: this network is already training (await the running trainAsync first)`);
    const data = this.trainingData(o.data, where);
    const [val, ownsVal] = o.validationData === undefined ? [null, false] : this.validationDataset(o.validationData, where);
    const e = this.engine.exports;
    const batch = this.config.batchSize;
    const batchesPerEpoch = Math.ceil(data.n / batch);
    const totalBatches = batchesPerEpoch * epochs;
    const start = now();
    let windowLoss = 0;
    let windowCount = 0;
    let lastVal: number | null = null;
    let batchesDone = 0;
    let stopped: TrainResult['stopped'] = false;
    let epochsCompleted = 0;
    const sumPtr = e.mlp_alloc(16);
    this.training = true;
    try {
      outer: for (let epoch = 1; epoch <= epochs; epoch++) {
        if (o.learningRate) this.setLearningRate(o.learningRate(this.epochsTrained + 1));
        this.engine.check(e.mlp_network_shuffle(this.handle, data.n), where);
        let b = 0;
        while (b < batchesPerEpoch) {
          if (o.signal?.aborted) {
            stopped = 'signal';
            break outer;
          }
          const toLog = logEvery - (this.iteration % logEvery);
          const count = Math.min(toLog, batchesPerEpoch - b, 16);
          const status = e.mlp_network_train(this.handle, data.handle, batch, b, count, sumPtr, sumPtr + 8);
          const done = this.engine.view(Uint32Array, sumPtr + 8, 1)[0];
          if (status === StatusCode.Diverged) {
            this.iteration += done;
            const at = this.iteration + 1;
            throw new DivergenceError(
              `${where}: training diverged at epoch ${this.epochsTrained + 1}, iteration ${at} (${this.engine.lastError()}). ` +
                'Try a smaller learning rate (eta) or standardised inputs; the network keeps its last finite weights.',
              this.epochsTrained + 1,
              at,
            );
          }
          this.engine.check(status, where);
          windowLoss += this.engine.view(Float64Array, sumPtr, 1)[0];
          windowCount += done;
          b += done;
          batchesDone += done;
          this.iteration += done;
          const logged = this.iteration % logEvery === 0 || (epoch === epochs && b === batchesPerEpoch && windowCount > 0);
          const trainLoss = windowLoss / Math.max(windowCount, 1);
          if (logged) {
            if (val) lastVal = this.datasetLoss(val, where);
            this.history.iteration.push(this.iteration);
            this.history.trainLoss.push(trainLoss);
            if (val) this.history.valLoss.push(lastVal as number);
            windowLoss = 0;
            windowCount = 0;
          }
          if (o.onProgress) {
            const elapsed = (now() - start) / 1000;
            const rate = (batchesDone * batch) / Math.max(elapsed, 1e-9);
            const progress: TrainProgress = {
              epoch, epochs, batch: b, batchesPerEpoch, iteration: this.iteration, trainLoss, valLoss: lastVal, logged,
              samplesPerSecond: rate, elapsedSeconds: elapsed, etaSeconds: ((totalBatches - batchesDone) * batch) / Math.max(rate, 1e-9),
            };
            if (o.onProgress(progress) === false) {
              stopped = 'callback';
              break outer;
            }
          }
          yield;
        }
        this.epochsTrained++;
        epochsCompleted++;
      }
    } finally {
      this.training = false;
      e.mlp_free(sumPtr, 16);
      if (ownsVal) val?.dispose();
    }
    const last = this.history.trainLoss.length - 1;
    return {
      epochsCompleted,
      iterations: batchesDone,
      stopped,
      seconds: (now() - start) / 1000,
      finalTrainLoss: last >= 0 ? this.history.trainLoss[last] : null,
      finalValLoss: val && this.history.valLoss.length ? this.history.valLoss[this.history.valLoss.length - 1] : null,
    };
  }

  private datasetLoss(data: Dataset, where: string): number {
    return this.engine.scoped((s) => {
      const out = s.allocOf(Float64Array, 1);
      this.engine.check(this.engine.exports.mlp_network_dataset_loss(this.handle, data.handle, out), where);
      return this.engine.view(Float64Array, out, 1)[0];
    });
  }

  private trainingData(override: TrainOptions['data'], where: string): Dataset {
    if (override !== undefined) {
      const ds = override instanceof Dataset ? override : this.toDataset(override, where, 'data');
      this.checkDatasetFits(ds, where, 'data');
      if (!(override instanceof Dataset)) this.adoptTrainData(ds);
      return ds;
    }
    if (this.pendingData) {
      const [X, Y] = this.pendingData;
      this.pendingData = null;
      this.adoptTrainData(Dataset.fromMatrices(X, Y, { where }));
    }
    if (!this.trainData) throw new ValueError(`${where}: this network has no training data: pass options.data (a Dataset or [X, Y])`);
    this.checkDatasetFits(this.trainData, where, 'training data');
    return this.trainData;
  }

  private adoptTrainData(ds: Dataset): void {
    if (this.ownsTrainData && this.trainData !== ds) this.trainData?.dispose();
    this.trainData = ds;
    this.ownsTrainData = true;
  }

  private validationDataset(v: ValidationData, where: string): [Dataset, boolean] {
    if (v instanceof Dataset) {
      this.checkDatasetFits(v, where, 'validationData');
      return [v, false];
    }
    const ds = this.toDataset(Array.isArray(v) ? v : [(v as { X: MatrixLike }).X, (v as { Y: MatrixLike }).Y], where, 'validationData');
    this.checkDatasetFits(ds, where, 'validationData');
    return [ds, true];
  }

  private toDataset(pair: unknown, where: string, arg: string): Dataset {
    if (!Array.isArray(pair) || pair.length !== 2) throw new ValueError(`${where}: ${arg} must be a Dataset or [X, Y], got ${describe(pair)}`);
    return Dataset.fromMatrices(pair[0], pair[1], { where, needProbabilities: this.config.loss instanceof CrossEntropyLoss });
  }

  private checkDatasetFits(ds: Dataset, where: string, arg: string): void {
    checkDataset(ds, where, arg);
    if (ds.d !== this.inputSize || ds.k !== this.outputSize) {
      throw new ShapeError(`${where}: ${arg} is ${ds.d} inputs → ${ds.k} targets but the network is ${this.inputSize} → ${this.outputSize}`);
    }
    checkTargetsSuitLoss(ds, this.config.loss, where, arg);
  }

  private batch(X: MatrixLike, Y: MatrixLike | undefined, where: string): [Matrix, Matrix] {
    const x = toMatrix(X, where, 'x');
    if (Y === undefined) throw new ValueError(`${where}: targets y are required`);
    const y = toMatrix(Y, where, 'y');
    expectShape(x, null, this.inputSize, where, 'x');
    expectShape(y, x.rows, this.outputSize, where, 'y');
    return [x, y];
  }

  /** y copied into wasm memory once: checked there as cross-entropy targets, then used. */
  private targetsIn(s: Scratch, y: Matrix, where: string): number {
    const ptr = s.copyIn(y.data);
    if (this.config.loss instanceof CrossEntropyLoss) {
      const problem = probabilityRowsProblem(this.engine, ptr, y.rows, y.cols, where, 'y');
      if (problem !== null) throw new ValueError(problem);
    }
    return ptr;
  }

  /** A copy of a flat engine vector: 0 parameters, 1 gradients, 2 Adam m, 3 Adam v. */
  readVector(which: number, where: string): Float32Array {
    const n = parameterCount(this.config.sizes);
    return this.engine.scoped((s) => {
      const out = s.allocOf(Float32Array, n);
      this.engine.check(this.engine.exports.mlp_network_read(this.handle, which, out, n), where);
      return s.copyOut(Float32Array, out, n);
    });
  }

  writeVector(which: number, values: Float32Array, where: string): void {
    this.engine.scoped((s) => this.engine.check(this.engine.exports.mlp_network_write(this.handle, which, s.copyIn(values), values.length), where));
  }

  /** [t, rng0..rng3]: Adam's step and the generator's state. */
  readState(): Uint32Array {
    return this.engine.scoped((s) => {
      const out = s.allocOf(Uint32Array, 5);
      this.engine.check(this.engine.exports.mlp_network_get_state(this.handle, out), 'FeedForwardNeuralNets.state');
      return s.copyOut(Uint32Array, out, 5);
    });
  }

  writeState(state: Uint32Array, where: string): void {
    this.engine.scoped((s) => this.engine.check(this.engine.exports.mlp_network_set_state(this.handle, s.copyIn(state)), where));
  }

  /** Application data kept with the model by save() (e.g. the preprocessing used). */
  metadata: Record<string, unknown> | undefined;

  /**
   * The whole network as one JSON-serialisable object: architecture, activations, loss,
   * optimizer state (Adam's moments and step), generator state, history and weights.
   * `FeedForwardNeuralNets.load()` restores it exactly, so training can resume bit for bit.
   */
  save(options: { metadata?: Record<string, unknown> } = {}): ModelFile {
    return encodeJson(this.snapshot(options.metadata, 'FeedForwardNeuralNets.save'));
  }

  /** The same as save(), in a compact binary container (raw float32 instead of base64). */
  saveBinary(options: { metadata?: Record<string, unknown> } = {}): Uint8Array {
    return encodeBinary(this.snapshot(options.metadata, 'FeedForwardNeuralNets.saveBinary'));
  }

  /** A network from save() output (object or JSON text) or saveBinary() bytes. */
  static load(model: ModelFile | string | Uint8Array | ArrayBuffer): FeedForwardNeuralNets {
    const where = 'FeedForwardNeuralNets.load';
    const { header: h, params, m, v, state } = decodeModel(model, where);
    const sizes = h.architecture.sizes;
    const net = new FeedForwardNeuralNets({
      inputs: sizes[0], outputs: sizes[sizes.length - 1], hiddenLayers: sizes.slice(1, -1),
      g: activationFromName(h.activations.hidden, where, 'activations.hidden'),
      O: activationFromName(h.activations.output, where, 'activations.output'),
      L: lossFromName(h.loss.type, { alpha: h.loss.alpha, regularization: h.loss.regularization }, where),
      eta: h.optimizer.eta, optimizer: h.optimizer.type, initializationMethod: h.training.initializationMethod,
      batchSize: h.training.batchSize, beta1: h.optimizer.beta1, beta2: h.optimizer.beta2, epsilon: h.optimizer.epsilon,
      seed: h.training.seed,
    });
    try {
      net.writeVector(0, params, where);
      if (m && v) {
        net.writeVector(2, m, where);
        net.writeVector(3, v, where);
      }
      net.writeState(state, where);
      net.iteration = h.training.iteration;
      net.epochsTrained = h.training.epochsTrained;
      // A loop, not push(...list): a long history would overflow the call stack as arguments.
      for (const key of ['iteration', 'trainLoss', 'valLoss'] as const) {
        for (const value of h.history[key]) net.history[key].push(value);
      }
      net.metadata = h.metadata;
    } catch (e) {
      net.dispose();
      throw e;
    }
    return net;
  }

  private snapshot(metadata: Record<string, unknown> | undefined, where: string): ModelSnapshot {
    const c = this.config;
    const state = this.readState();
    const withMoments = c.optimizer === 'adam' || state[0] > 0;
    const meta = metadata ?? this.metadata;
    return {
      header: {
        format: MODEL_FORMAT,
        version: MODEL_VERSION,
        savedAt: new Date().toISOString(),
        architecture: { sizes: [...c.sizes] },
        activations: { hidden: c.hidden.name, output: c.output.name },
        loss: { type: c.loss.name, alpha: c.loss.alpha, regularization: c.loss.regularization },
        optimizer: { type: c.optimizer, eta: this.eta, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, t: state[0] },
        training: { batchSize: c.batchSize, initializationMethod: c.initializationMethod, seed: c.seed, iteration: this.iteration, epochsTrained: this.epochsTrained, rngState: Array.from(state.subarray(1)) },
        history: { iteration: [...this.history.iteration], trainLoss: [...this.history.trainLoss], valLoss: [...this.history.valLoss] },
        ...(meta ? { metadata: meta } : {}),
      },
      params: this.readVector(0, where),
      m: withMoments ? this.readVector(2, where) : null,
      v: withMoments ? this.readVector(3, where) : null,
    };
  }

  /** Frees the engine's memory for this network (and training data it copied in). */
  dispose(): void {
    if (this._handle === 0) return;
    registry?.unregister(this);
    this.engine.exports.mlp_network_free(this._handle);
    this._handle = 0;
    if (this.ownsTrainData) this.trainData?.dispose();
    this.trainData = null;
    this.pendingData = null;
  }

  toString(): string {
    const c = this.config;
    return `FeedForwardNeuralNets(${c.sizes.join('-')}, g=${c.hidden}, O=${c.output}, L=${c.loss}, optimizer=${c.optimizer}, eta=${this.eta}, batchSize=${c.batchSize})`;
  }
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Cross-entropy of targets that are not probabilities trains to a meaningless (even negative) loss. */
function checkTargetsSuitLoss(ds: Dataset, loss: Loss, where: string, arg: string): void {
  if (loss instanceof CrossEntropyLoss && !ds.probabilityTargets) {
    throw new ValueError(`${where}: ${arg} has targets that are not probabilities (one-hot rows), which cross-entropy needs; use SquaredErrorLoss or fix the targets`);
  }
}

