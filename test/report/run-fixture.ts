// A complete RunReport built from the scikit-learn MNIST fixture, for the run report tests.
import { classificationReport } from '../../ts/report/classification-report.js';
import { confusionMatrix } from '../../ts/report/confusion-matrix.js';
import type { RunReport } from '../../ts/report/run-report.js';
import { sklearnFixtures } from './sklearn-fixtures.js';

export const mnist = sklearnFixtures.cases.find((c) => c.confusion.labels.length === 10 && c.yTrue.length >= 1000)!;
export const testReport = classificationReport(mnist.yTrue, mnist.yPred);
export const cm = confusionMatrix(mnist.yTrue, mnist.yPred);

export function makeRun(overrides: Partial<RunReport> = {}): RunReport {
  const iteration = Array.from({ length: 30 }, (_, i) => (i + 1) * 200);
  return {
    title: 'MNIST <2x128> & Adam',
    name: 'mnist-adam-2x128',
    date: '2025-01-31T12:00:00Z',
    config: { hiddenLayers: '128,128', learningRate: 0.001, optimizer: 'adam', earlyStopping: false, seed: null, 'a|b': 'x|y' },
    trainingTimeSeconds: 83.25,
    finalTrainLoss: 0.041234,
    finalValLoss: 0.0871,
    history: {
      iteration,
      trainLoss: iteration.map((i) => 2 * Math.exp(-i / 1000) + 0.04),
      valLoss: iteration.map((i) => 2 * Math.exp(-i / 1100) + 0.08),
    },
    logEvery: 200,
    sections: [
      { title: 'Training set', report: classificationReport(mnist.yTrue, mnist.yTrue) },
      { title: 'Test set', report: testReport },
    ],
    confusion: { title: 'Confusion matrix (test set)', labels: cm.labels, matrix: cm.matrix },
    notes: ['Weights initialised with He-uniform.', 'Second note'],
    ...overrides,
  };
}
