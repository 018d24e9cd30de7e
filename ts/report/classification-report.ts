// Per-class precision / recall / F1 and their averages, computed the way scikit-learn's
// `classification_report` computes them (default zero_division: 0.0 where a ratio is 0/0),
// plus the same text table, so numbers and printout can be compared with Python's.

import { ValueError, describe } from '../api/errors.js';
import { formatReportText, type ScoreRow } from './classification-report-text.js';
import { numpyMean, numpySum } from './numpy-sum.js';
import { checkLabelsOption, checkNames, checkOptionsObject, checkTargets, uniqueLabels } from './validate.js';

const FN = 'classificationReport';

export interface ClassScores {
  /** The class's display name: its target name, or the label number as a string. */
  label: string;
  precision: number;
  recall: number;
  f1Score: number;
  /** Number of samples whose true label is this class. */
  support: number;
}

export interface AverageScores {
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

export interface ClassificationReport {
  classes: ClassScores[];
  /** Fraction of all samples predicted correctly. */
  accuracy: number;
  /**
   * Micro-averaged scores, only when `labels` leaves out a class that occurs in the data;
   * the text then prints a "micro avg" row instead of "accuracy" (as scikit-learn does).
   */
  microAvg: AverageScores | null;
  macroAvg: AverageScores;
  weightedAvg: AverageScores;
  /** Sum of the listed classes' supports. */
  totalSupport: number;
  /** scikit-learn's `classification_report` text, character for character. */
  text: string;
}

export interface ClassificationReportOptions {
  /** Decimals in the text (default 2). The numeric fields are never rounded. */
  digits?: number;
  /** Display names, one per label (in `labels` order, else sorted label order). */
  targetNames?: string[];
  /** Which labels to report, in this order (default: every label in yTrue or yPred, sorted). */
  labels?: number[];
}

export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const [t, p] = checkTargets(FN, yTrue, yPred);
  const o = checkOptionsObject(FN, options, ['digits', 'targetNames', 'labels']);
  const digits = checkDigits(o.digits);
  const observed = uniqueLabels(t, p);
  const labels = o.labels === undefined ? observed : checkLabelsOption(FN, o.labels);
  const names = checkNames(FN, 'options.targetNames', o.targetNames, labels.length) ?? labels.map(String);

  const counts = countPerLabel(t, p, labels);
  const precision = counts.tp.map((tp, i) => ratio(tp, counts.predicted[i]!));
  const recall = counts.tp.map((tp, i) => ratio(tp, counts.actual[i]!));
  const f1 = precision.map((pr, i) => f1Score(pr, recall[i]!));
  const totalSupport = sum(counts.actual);

  const classes: ClassScores[] = labels.map((_, i) => ({
    label: names[i]!,
    precision: precision[i]!,
    recall: recall[i]!,
    f1Score: f1[i]!,
    support: counts.actual[i]!,
  }));
  const micro = microAverage(counts, totalSupport);
  const macroAvg: AverageScores = {
    precision: numpyMean(precision),
    recall: numpyMean(recall),
    f1Score: numpyMean(f1),
    support: totalSupport,
  };
  const weightedAvg = weightedAverage(precision, recall, f1, counts.actual, totalSupport);
  // scikit-learn calls the micro average "accuracy" when it covers every observed label.
  const microIsAccuracy = o.labels === undefined || sameSet(labels, observed);

  const text = formatReportText({
    classes: classes.map((c): ScoreRow => ({ ...c, name: c.label })),
    first: microIsAccuracy
      ? { kind: 'accuracy', value: micro.f1Score, support: totalSupport }
      : { kind: 'micro', row: { name: 'micro avg', ...micro } },
    macro: { name: 'macro avg', ...macroAvg },
    weighted: { name: 'weighted avg', ...weightedAvg },
    digits,
  });

  return {
    classes,
    accuracy: countCorrect(t, p) / t.length,
    microAvg: microIsAccuracy ? null : micro,
    macroAvg,
    weightedAvg,
    totalSupport,
    text,
  };
}

interface Counts {
  tp: number[];
  /** Predictions of each label (tp + fp). */
  predicted: number[];
  /** True occurrences of each label (tp + fn), i.e. support. */
  actual: number[];
}

function countPerLabel(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels: number[]): Counts {
  const index = new Map(labels.map((label, i) => [label, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const predicted = tp.slice();
  const actual = tp.slice();
  for (let k = 0; k < yTrue.length; k++) {
    const ti = index.get(yTrue[k]!);
    const pi = index.get(yPred[k]!);
    if (ti !== undefined) actual[ti]!++;
    if (pi !== undefined) predicted[pi]!++;
    if (ti !== undefined && yTrue[k] === yPred[k]) tp[ti]!++;
  }
  return { tp, predicted, actual };
}

/** A 0/0 ratio is reported as 0.0, scikit-learn's default `zero_division`. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** scikit-learn's F-beta with beta = 1, in its operation order: (2 * p) * r / (p + r). */
function f1Score(p: number, r: number): number {
  const denominator = p + r;
  return (2 * p * r) / (denominator === 0 ? 1 : denominator);
}

function microAverage(c: Counts, totalSupport: number): AverageScores {
  const precision = ratio(sum(c.tp), sum(c.predicted));
  const recall = ratio(sum(c.tp), totalSupport);
  return { precision, recall, f1Score: f1Score(precision, recall), support: totalSupport };
}

function weightedAverage(p: number[], r: number[], f: number[], support: number[], totalSupport: number): AverageScores {
  // With no true samples at all the weights sum to zero; scikit-learn then reports 0.0.
  if (totalSupport === 0) return { precision: 0, recall: 0, f1Score: 0, support: 0 };
  // np.average(x, weights=w) = sum(x * w) / sum(w), each sum numpy-ordered.
  const weighted = (x: number[]) => numpySum(x.map((v, i) => v * support[i]!)) / numpySum(support);
  return { precision: weighted(p), recall: weighted(r), f1Score: weighted(f), support: totalSupport };
}

function countCorrect(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < yTrue.length; k++) if (yTrue[k] === yPred[k]) n++;
  return n;
}

function sum(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function sameSet(a: number[], b: number[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((v) => set.has(v));
}

function checkDigits(digits: unknown): number {
  if (digits === undefined) return 2;
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new ValueError(`${FN}: argument options.digits must be an integer from 0 to 20, got ${describe(digits)}`);
  }
  return digits;
}
