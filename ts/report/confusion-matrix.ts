// Confusion matrix with scikit-learn's conventions: rows are true labels, columns are
// predicted labels, labels sorted unless given; samples whose true or predicted label is
// not in `labels` are left out (as `sklearn.metrics.confusion_matrix` does).

import { ValueError } from '../api/errors.js';
import { padLeft } from './python-format.js';
import { MAX_CLASSES, checkConfusion, checkLabelsOption, checkNames, checkOptionsObject, checkTargets, uniqueLabels } from './validate.js';

const FN = 'confusionMatrix';
const TEXT_FN = 'confusionMatrixText';

export interface ConfusionMatrix {
  labels: number[];
  /** matrix[i][j] = number of samples with true label labels[i] predicted as labels[j]. */
  matrix: number[][];
  /** The matrix as an aligned plain-text table. */
  text: string;
}

export interface ConfusionMatrixOptions {
  /**
   * Which labels to count, in this order (default: every label in yTrue or yPred, sorted).
   * At most 1000 either way: the matrix has n × n cells.
   */
  labels?: number[];
}

export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ConfusionMatrixOptions = {},
): ConfusionMatrix {
  const [t, p] = checkTargets(FN, yTrue, yPred);
  const o = checkOptionsObject(FN, options, ['labels']);
  const labels = o.labels === undefined ? observedLabels(t, p) : checkLabelsOption(FN, o.labels, MAX_CLASSES);
  const index = new Map(labels.map((label, i) => [label, i]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let k = 0; k < t.length; k++) {
    const i = index.get(t[k]!);
    const j = index.get(p[k]!);
    if (i !== undefined && j !== undefined) matrix[i]![j]!++;
  }
  return { labels, matrix, text: formatMatrix(labels, matrix) };
}

/** Every label seen, refusing (before the n × n allocation) more than MAX_CLASSES of them. */
function observedLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number[] {
  const labels = uniqueLabels(yTrue, yPred);
  if (labels.length > MAX_CLASSES) {
    throw new ValueError(
      `${FN}: arguments yTrue and yPred must hold at most ${MAX_CLASSES} distinct labels (the matrix has one row and column per label), ` +
        `got ${labels.length}; pass options.labels to count only some of them`,
    );
  }
  return labels;
}

/**
 * Renders a confusion matrix as text, e.g.
 *
 *     true \ pred    0    1    2
 *               0   48    1    1
 *               1    2   45    3
 *
 * `names` (one per label) replace the label numbers in the headings.
 */
export function confusionMatrixText(labels: number[], matrix: number[][], names?: string[]): string {
  const checked = checkConfusion(TEXT_FN, { labels: 'labels', matrix: 'matrix' }, labels, matrix);
  return formatMatrix(checked.labels, checked.matrix, checkNames(TEXT_FN, 'names', names, checked.labels.length));
}

function formatMatrix(labels: number[], matrix: number[][], names?: string[]): string {
  const headings = names ?? labels.map(String);
  const corner = 'true \\ pred';
  const rowHeadWidth = Math.max(corner.length, ...headings.map((h) => h.length));
  let cellWidth = Math.max(...headings.map((h) => h.length));
  for (const row of matrix) for (const v of row) cellWidth = Math.max(cellWidth, String(v).length);
  const cell = (s: string) => '  ' + padLeft(s, cellWidth);
  let text = padLeft(corner, rowHeadWidth) + headings.map(cell).join('') + '\n';
  matrix.forEach((row, i) => {
    text += padLeft(headings[i]!, rowHeadWidth) + row.map((v) => cell(String(v))).join('') + '\n';
  });
  return text;
}
