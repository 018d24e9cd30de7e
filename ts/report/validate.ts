// Argument checks shared by the report functions. Messages follow the package rule
// (ts/api/errors.ts): name the function, the argument, what was expected and what was given.

import { ShapeError, ValueError, describe } from '../api/errors.js';

/** Checks that `value` is an array-like of integer class labels and returns it. */
export function checkLabelArray(fn: string, arg: string, value: unknown): ArrayLike<number> {
  if (!isArrayLike(value)) {
    throw new ValueError(`${fn}: argument ${arg} must be an array or typed array of integer class labels, got ${describe(value)}`);
  }
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new ValueError(`${fn}: argument ${arg}[${i}] must be an integer class label, got ${describe(v)}`);
    }
  }
  return value as ArrayLike<number>;
}

/** Checks the (yTrue, yPred) pair: both label arrays, same length, not empty. */
export function checkTargets(fn: string, yTrue: unknown, yPred: unknown): [ArrayLike<number>, ArrayLike<number>] {
  const t = checkLabelArray(fn, 'yTrue', yTrue);
  const p = checkLabelArray(fn, 'yPred', yPred);
  if (t.length !== p.length) {
    throw new ShapeError(`${fn}: argument yPred must have the same length as yTrue (${t.length}), got ${describe(yPred)}`);
  }
  if (t.length === 0) {
    throw new ShapeError(`${fn}: arguments yTrue and yPred must hold at least one sample, got ${describe(yTrue)}`);
  }
  return [t, p];
}

/** Checks an explicit `labels` option: a non-empty list of distinct integers. */
export function checkLabelsOption(fn: string, labels: unknown): number[] {
  const arr = checkLabelArray(fn, 'options.labels', labels);
  if (arr.length === 0) {
    throw new ValueError(`${fn}: argument options.labels must list at least one label, got an empty array`);
  }
  const seen = new Set<number>();
  for (let i = 0; i < arr.length; i++) {
    if (seen.has(arr[i])) {
      throw new ValueError(`${fn}: argument options.labels must not repeat a label, got ${arr[i]} twice`);
    }
    seen.add(arr[i]);
  }
  return Array.from(arr);
}

/** The sorted distinct labels of both arrays, like scikit-learn's `unique_labels`. */
export function uniqueLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number[] {
  const set = new Set<number>();
  for (let i = 0; i < yTrue.length; i++) set.add(yTrue[i]);
  for (let i = 0; i < yPred.length; i++) set.add(yPred[i]);
  return [...set].sort((a, b) => a - b);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return false;
}
