// mlp-wasm on one thread and TensorFlow.js wasm measured in turns, repeat by repeat (ours
// training, TF.js manual step, TF.js model.fit, ours and TF.js inference on a resident input,
// ours and TF.js inference copying the input in, again...), so each ratio comes from figures
// taken seconds apart: a slow spell of this shared machine hits both sides of a ratio alike
// instead of whichever engine happened to run during it. Ours on MNIST's images takes its
// turn in the same repeats.

import { inferenceFlopsPerSample, oursSamplers } from './ours.js';
import { ceilingSampler } from './ceiling/measure.js';
import { startTfjs, type TfjsResult, type TfjsServer } from './peers/tfjs.js';
import { tfjsRepeats } from './peers/tfjs-measure.js';
import { summarize, type Summary } from './lib/stats.js';

export interface PairedResult {
  tfjs: TfjsResult;
  /** Ours on one thread, from the same turns: inference copying its input in per call, and on
   *  a resident input. */
  ours: { train: Summary; inference: Summary; inferenceResident: Summary };
  /** Ours ÷ TF.js, one value per turn. `inference` has both inputs resident (like for like),
   *  `inferenceCopied` both copied in per call. */
  ratios: { step: Summary; fit: Summary; inference: Summary; inferenceCopied: Summary };
  /** TF.js wasm inference (input resident) as a share of the SIMD128 ceiling sampled in the same turn. */
  tfjsInferenceShare: Summary;
  /** Ours on one thread on MNIST's images (see `BenchData`) in the same turns, and ÷ TF.js's
   *  rates of the turn (TF.js's dense kernels do the same work whatever the values). */
  mnist: { train: Summary; inference: Summary; inferenceResident: Summary; ratios: { step: Summary; fit: Summary; inference: Summary; inferenceCopied: Summary } };
}

export async function benchPaired(opts: { quick: boolean; ceilingChains: number }): Promise<PairedResult> {
  const [ours] = await oursSamplers({ quick: opts.quick, threads: [1] });
  const [mnist] = await oursSamplers({ quick: opts.quick, threads: [1], data: 'mnist' });
  const ceiling = await ceilingSampler(opts.ceilingChains, opts.quick);
  const seen = turns();
  const onMnist = turns();
  const tfShare: number[] = [];
  let tfjs: TfjsServer | undefined;
  let result: TfjsResult;
  try {
    tfjs = await startTfjs({ backend: 'wasm', quick: opts.quick });
    for (let r = 0; r < tfjsRepeats(opts.quick); r++) {
      const train = await ours.train();
      const step = await tfjs.rate('step');
      const fit = await tfjs.rate('fit');
      const resident = await ours.inferResident();
      const tfResident = await tfjs.rate('infer');
      const copied = await ours.infer();
      const tfCopied = await tfjs.rate('inferCopy');
      const peak = await ceiling.sample(0.05, 3);
      const tf = { step, fit, resident: tfResident, copied: tfCopied };
      seen.add({ train, resident, copied }, tf);
      onMnist.add({ train: await mnist.train(), resident: await mnist.inferResident(), copied: await mnist.infer() }, tf);
      tfShare.push((tfResident * inferenceFlopsPerSample()) / (peak * 1e9));
    }
    result = await tfjs.finish();
  } catch (e) {
    await tfjs?.finish().catch(() => undefined); // end the child, or it keeps this process alive
    throw e;
  } finally {
    ours.dispose();
    mnist.dispose();
  }
  const mnistTurns = onMnist.summary();
  return {
    tfjs: result,
    ...seen.summary(),
    tfjsInferenceShare: summarize(tfShare),
    mnist: { ...mnistTurns.ours, ratios: mnistTurns.ratios },
  };
}

/** One engine's rates turn by turn, and their ratios to TF.js's rates of the same turn. */
function turns() {
  const rates = { train: [] as number[], resident: [] as number[], copied: [] as number[] };
  const ratios = { step: [] as number[], fit: [] as number[], inference: [] as number[], inferenceCopied: [] as number[] };
  return {
    add(ours: { train: number; resident: number; copied: number }, tf: { step: number; fit: number; resident: number; copied: number }) {
      rates.train.push(ours.train);
      rates.resident.push(ours.resident);
      rates.copied.push(ours.copied);
      ratios.step.push(ours.train / tf.step);
      ratios.fit.push(ours.train / tf.fit);
      ratios.inference.push(ours.resident / tf.resident);
      ratios.inferenceCopied.push(ours.copied / tf.copied);
    },
    summary() {
      return {
        ours: { train: summarize(rates.train), inference: summarize(rates.copied), inferenceResident: summarize(rates.resident) },
        ratios: { step: summarize(ratios.step), fit: summarize(ratios.fit), inference: summarize(ratios.inference), inferenceCopied: summarize(ratios.inferenceCopied) },
      };
    },
  };
}
