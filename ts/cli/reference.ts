// The original report's figures (../shared/reference/original-report.md), for the tables
// that set our results beside them.

import { BASELINE, type TrainConfig } from './config.js';

export interface ReportFigure {
  /** What the report calls it. */
  label: string;
  /** Section of the report. */
  section: string;
  testAccuracy?: number;
  trainAccuracy?: number;
  trainLoss?: number;
  valLoss?: number;
  /** Free text where the report gives no number. */
  remark?: string;
}

export type ReferenceId = 'baseline' | 'tanh' | 'relu' | 'framework' | 'l2' | 'other';

export const REPORT_FIGURES: Record<ReferenceId, ReportFigure> = {
  baseline: { label: 'baseline (sigmoid)', section: '3–4', testAccuracy: 0.86, trainAccuracy: 0.85, trainLoss: 0.4487, valLoss: 0.4499 },
  tanh: { label: 'tanh model', section: '5.1', testAccuracy: 0.93, trainAccuracy: 0.93, trainLoss: 0.2275, valLoss: 0.2076 },
  relu: { label: 'ReLU model', section: '5.2', testAccuracy: 0.94, trainAccuracy: 0.94, trainLoss: 0.2233, valLoss: 0.2131 },
  framework: { label: 'PyTorch model', section: '6', testAccuracy: 0.94 },
  l2: { label: 'ReLU with L2 regularisation', section: '7', trainAccuracy: 0.78, remark: 'alpha cut off in the report ("alpha = 0.0…")' },
  other: { label: 'other experiments', section: '8', remark: 'no figures; "did not perform better than the baseline model"' },
};

/**
 * The L2 strength used for the report's section 7. The report's text is cut off at
 * "alpha = 0.0…". Under our convention, (α/2)·ΣW² added to the loss (gradient α·W), no α
 * below 0.1 brings the training accuracy near the report's 0.78 (the `l2-sweep` experiments
 * measure it). Hand-written NumPy code often adds α·ΣW² instead (gradient 2α·W), so the
 * report's "alpha = 0.09" would be our 0.18: the largest value the cut-off text allows.
 */
export const REPORT_L2_ALPHA = 0.18;

/** Which of the report's experiments a config reproduces, if any. */
export function matchReportExperiment(c: TrainConfig): ReferenceId | null {
  const sameAsBaseline =
    c.dataset === 'mnist' && c.hidden.join(',') === BASELINE.hidden.join(',') && c.loss === BASELINE.loss && c.init === BASELINE.init &&
    c.optimizer === 'gd' && c.eta === BASELINE.eta && c.lrDecay === 1 && c.epochs === BASELINE.epochs && c.batchSize === BASELINE.batchSize &&
    c.trainLimit === null && c.validationSize === BASELINE.validationSize && c.standardize === 'global';
  if (!sameAsBaseline) return null;
  if (c.regularization === null) {
    if (c.activation === 'sigmoid') return 'baseline';
    if (c.activation === 'tanh') return 'tanh';
    if (c.activation === 'relu') return 'relu';
    return null;
  }
  if (c.activation === 'relu' && c.regularization.kind === 'l2' && c.regularization.alpha === REPORT_L2_ALPHA) return 'l2';
  return null;
}
