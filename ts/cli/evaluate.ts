// `mlp-wasm evaluate --model FILE`: the test-set classification report and confusion matrix
// of a saved model, with the test images preprocessed exactly as its training data was (the
// transform stored in the model's metadata).

import { Dataset, FASHION_MNIST_CLASSES, confusionMatrix, type FeedForwardNeuralNets, type U8Transform } from '../index.js';
import { loadModelFile } from '../node/model-file.js';
import type { DatasetChoice, ParsedArgs } from './args.js';
import { readMetadata } from './config.js';
import { EXIT_OK, println, type CliContext } from './context.js';
import { evaluateSplit, loadData, loadRaw } from './job.js';
import { BASELINE } from './config.js';

export async function evaluateCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const v = args.values;
  const path = v.model as string;
  const quiet = v.quiet === true;
  let net: FeedForwardNeuralNets | null = null;
  let test: Dataset | null = null;
  try {
    net = loadModelFile(path);
    const meta = readMetadata(net.metadata, path);
    const dataset = (v.dataset as DatasetChoice | undefined) ?? meta?.dataset ?? 'mnist';
    const limit = v['test-limit'] as number | undefined;
    let how: string;
    if (meta && (v.dataset === undefined || v.dataset === meta.dataset)) {
      const raw = await loadRaw(dataset);
      const transform: U8Transform = {
        scale: meta.transform.scale,
        mean: Float32Array.from(meta.transform.mean),
        std: Float32Array.from(meta.transform.std),
      };
      const count = Math.min(raw.test.count, limit ?? Infinity);
      const rows = Uint32Array.from({ length: count }, (_, i) => i);
      test = Dataset.fromU8({ pixels: raw.test.images, labels: raw.test.labels, features: 784 }, rows, 10, transform);
      how = `preprocessed with the model's stored transform (${meta.config.standardize} standardisation)`;
    } else {
      // No CLI metadata: the default pipeline's statistics (global standardisation, 10,000 held out).
      const data = await loadData({ ...BASELINE, dataset, testLimit: limit ?? null });
      test = data.test;
      data.train.dispose();
      data.val?.dispose();
      how = 'preprocessed with the default pipeline (the model carries no CLI metadata)';
    }
    if (test.d !== net.inputSize || test.k !== net.outputSize) {
      throw new Error(`the model is ${net.inputSize} → ${net.outputSize} but the ${dataset} images are ${test.d} → ${test.k}`);
    }
    const names = dataset === 'fashion-mnist' ? FASHION_MNIST_CLASSES : undefined;
    const result = evaluateSplit(net, test, names);
    const loss = net.loss(test);
    if (!quiet) {
      println(ctx.stdout, `Model ${path}: ${net.config.sizes.join('-')}, ${net.config.hidden.name} hidden, ${net.epochsTrained} epochs trained`);
      println(ctx.stdout, `Test set: ${test.n} ${dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'} images, ${how}`);
      println(ctx.stdout);
      println(ctx.stdout, result.report.text);
      println(ctx.stdout, 'Confusion matrix (rows: true label, columns: predicted):');
      println(ctx.stdout, confusionMatrix(result.labels, result.predictions, { labels: Array.from({ length: 10 }, (_, i) => i) }).text);
    }
    println(ctx.stdout, `Test loss:     ${loss.toFixed(4)}`);
    println(ctx.stdout, `Test accuracy: ${(100 * result.accuracy).toFixed(2)}% (${result.accuracy.toFixed(4)})`);
    return EXIT_OK;
  } finally {
    net?.dispose();
    test?.dispose();
  }
}
