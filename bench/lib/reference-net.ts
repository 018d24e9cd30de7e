// The one network every peer in the benchmark is measured on, so figures are comparable:
// 784-500-250-100-10, sigmoid hidden layers, softmax output, categorical cross-entropy,
// plain SGD, Glorot-uniform initialisation, float32.

export const REFERENCE_LAYERS = [784, 500, 250, 100, 10] as const;
export const TRAIN_BATCH = 64;
export const INFERENCE_BATCH = 1000;
export const LEARNING_RATE = 0.01;

/** Multiply-adds of one forward pass for one sample (weights only; biases and activations are noise). */
export function forwardMacsPerSample(layers: readonly number[] = REFERENCE_LAYERS): number {
  let macs = 0;
  for (let i = 1; i < layers.length; i++) macs += layers[i - 1] * layers[i];
  return macs;
}
