// mlp-wasm: multi-layer perceptrons on a Rust/WebAssembly SIMD128 engine.
// The public surface; everything here is re-exported from the modules that define it.

export { init, initSync, isInitialized, threadCount, shutdown, type WasmSource, type InitOptions } from './wasm/load.js';
export { Matrix, type MatrixLike } from './api/matrix.js';
export { Activation, ReLU, Sigmoid, Softmax, Tanh, Linear, type ActivationName } from './api/activations.js';
export { Loss, CrossEntropyLoss, SquaredErrorLoss, type LossOptions, type LossGradient, type Regularization } from './api/losses.js';
export { ParameterInitializer, type Initialization, type ParameterInitializerOptions } from './api/initializer.js';
export { Dataset, type U8Source, type U8Transform } from './api/dataset.js';
export {
  FeedForwardNeuralNets,
  type FeedForwardOptions,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type History,
  type OptimizerName,
  type ValidationData,
} from './api/network.js';
export type { Parameters } from './api/parameters.js';
export {
  MlpError,
  ShapeError,
  ValueError,
  DataFormatError,
  NotInitializedError,
  DisposedError,
  DivergenceError,
  OutOfMemoryError,
  EngineLoadError,
} from './api/errors.js';
export { MODEL_FORMAT, MODEL_VERSION, type ModelFile } from './api/model-format.js';
export { loadMnist, DatasetUnavailableError, MNIST_FILES, type LoadMnistOptions, type MnistData, type MnistSplit } from './data/mnist.js';
export { loadFashionMnist, FASHION_MNIST_CLASSES } from './data/fashion-mnist.js';
export { parseIdx, checkPair, decodeIdxFile, type IdxFile, type IdxImages, type IdxLabels } from './data/idx.js';
export { prepareMnist, imagesToMatrix, type PrepareOptions, type PreparedData, type Standardization } from './data/preprocess.js';
export {
  classificationReport,
  confusionMatrix,
  lineChartSvg,
  confusionMatrixSvg,
  barChartSvg,
  runReportMarkdown,
  runReportHtml,
} from './report/index.js';
export type { ClassificationReport, RunReport } from './report/index.js';
