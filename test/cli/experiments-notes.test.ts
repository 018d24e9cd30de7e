// The experiments report's notes state only what this report's runs measured: verdicts follow
// the numbers, and a comparison appears only when both of its runs are present.

import { describe, expect, it } from 'vitest';
import { EXPERIMENTS, experimentConfig } from '../../ts/cli/experiments.js';
import { experimentNotes } from '../../ts/cli/experiments-notes.js';
import type { ExperimentResult } from '../../ts/cli/experiments-report.js';

function result(id: string, testAccuracy: number, trainAccuracy = testAccuracy, trainLoss: number[] = [2, 1, 0.5, 0.4]): ExperimentResult {
  const def = EXPERIMENTS.find((e) => e.id === id)!;
  return {
    def, config: experimentConfig(def, {}), batchesPerEpoch: 782, sizes: { train: 50_000, val: 10_000, test: 10_000 }, engine: def.framework ? 'TensorFlow.js wasm' : 'mlp-wasm',
    testAccuracy, trainAccuracy, finalTrainLoss: trainLoss[trainLoss.length - 1]!, finalValLoss: 0.41, trainSeconds: 50, wallSeconds: 55, samplesPerSecond: 15_000,
    history: { iteration: trainLoss.map((_, i) => (i + 1) * 2000), trainLoss, valLoss: trainLoss }, testReport: '', trainReport: '', stopped: false, error: null,
  };
}
const notes = (results: ExperimentResult[]) => experimentNotes({ results, quick: false, date: new Date(0), totalSeconds: 1, interrupted: false, cpu: 'a CPU', node: 'v20' }).join('\n');

describe('experiments notes', () => {
  it('say the engines agree only when they do', () => {
    expect(notes([result('baseline', 0.897), result('tfjs', 0.895)])).toMatch(/Ours with the same settings: 0\.8970: the two engines agree within ±0\.02/);
    const apart = notes([result('baseline', 0.5), result('tfjs', 0.99)]);
    expect(apart).toMatch(/the two engines differ by \+0\.490/);
    expect(apart).not.toMatch(/agree/);
  });

  it('judge the smaller-step explanation run by run, the baseline included', () => {
    const all = notes([result('tanh-eta-0.001', 0.93), result('relu-eta-0.001', 0.944), result('baseline-eta-0.001', 0.5158)]);
    expect(all).toMatch(/tanh 0\.9300 test, 0\.9300 train vs 0\.93 \/ 0\.93, final losses .* \(within ±0\.02\)/);
    expect(all).toMatch(/baseline 0\.5158 test, 0\.5158 train vs 0\.86 \/ 0\.85.*\(not within ±0\.02\)/);
    expect(all).toMatch(/tanh and relu land on the report's figures but baseline does not, so a smaller step alone does not explain the report/);
    expect(notes([result('tanh-eta-0.001', 0.2)])).toMatch(/none lands on the report's figures/);
    expect(notes([result('tanh', 0.97), result('relu', 0.97)])).not.toMatch(/eta 0\.001/);
  });

  it('cite baseline diagnostics only when they ran, and never a figure from elsewhere', () => {
    const bare = notes([result('baseline', 0.897)]);
    expect(bare).not.toMatch(/seeds|Gaussian|not noise|98\.38|NumPy\)/);
    const withSeeds = notes([result('baseline', 0.8971), result('baseline-seed-2', 0.8988), result('baseline-seed-3', 0.898), result('baseline-gaussian', 0.9065)]);
    expect(withSeeds).toMatch(/3 seeds give 0\.8971–0\.8988 test accuracy, all above the report's figure: not seed noise; Gaussian initial weights 0\.9065/);
    expect(notes([result('baseline', 0.87), result('baseline-seed-2', 0.85)])).not.toMatch(/not seed noise/);
    // The logged loss first reaches the report's final 0.4487 at the 4th log (8000 iterations), 782 batches an epoch.
    expect(bare).toMatch(/falls to the report's final 0\.4487 after about 10\.2 of its 15 epochs/);
  });

  it('list the L2 alphas that ran and say how far the chosen one is', () => {
    const l2 = notes([result('l2', 0.8268, 0.8224), result('l2-alpha-0.2', 0.76, 0.7555), result('l2-alpha-0.01', 0.97, 0.9723)]);
    expect(l2).toMatch(/Training accuracy after 15 epochs here: 0\.9723 at 0\.01, 0\.8224 at 0\.18, 0\.7555 at 0\.2\. At 0\.18 the training accuracy is 0\.8224, more than ±0\.02 from the report's 0\.78\./);
  });

  it('say which other experiments beat the baseline', () => {
    expect(notes([result('baseline', 0.8971), result('hidden-100', 0.9309), result('epochs-5', 0.7682)])).toMatch(/unlike the report's, hidden-100 \(0\.9309\) beat our baseline's 0\.8971/);
  });
});
