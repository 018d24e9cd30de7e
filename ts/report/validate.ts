// Argument checks shared by the report functions. Messages follow the package rule
// (ts/api/errors.ts): name the function, the argument, what was expected and what was given.

import { ShapeError, ValueError, describe } from '../api/errors.js';
import { checkOptions } from '../api/validate.js';

/**
 * Most classes a confusion matrix may have: its n × n counts (and text) grow quadratically,
 * and 1000 classes are already a million cells.
 */
export const MAX_CLASSES = 1000;

/** Longest title, axis label or name a chart accepts; longer text cannot be laid out anyway. */
export const MAX_LABEL_LENGTH = 10_000;

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
export function checkLabelsOption(fn: string, labels: unknown, maxLabels = Infinity): number[] {
  const arr = checkLabelArray(fn, 'options.labels', labels);
  if (arr.length === 0) {
    throw new ValueError(`${fn}: argument options.labels must list at least one label, got an empty array`);
  }
  if (arr.length > maxLabels) {
    throw new ValueError(`${fn}: argument options.labels must list at most ${maxLabels} labels, got ${describe(labels)}`);
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

/**
 * Checks an options object: undefined means "all defaults" unless the options are required
 * (they hold the chart's data); anything else must be an object with only known keys.
 */
export function checkOptionsObject(fn: string, options: unknown, allowed: readonly string[], required = false): Record<string, unknown> {
  if (required && options === undefined) {
    throw new ValueError(`${fn}: options must be an object, got undefined`);
  }
  return checkOptions(options, allowed, fn);
}

/** Checks a string argument; `maxLength` keeps chart text from growing without bound. */
export function checkString(fn: string, arg: string, value: unknown, maxLength = Infinity): string {
  if (typeof value !== 'string') {
    throw new ValueError(`${fn}: argument ${arg} must be a string, got ${describe(value)}`);
  }
  if (value.length > maxLength) {
    throw new ValueError(`${fn}: argument ${arg} must be at most ${maxLength} characters long, got a string of ${value.length}`);
  }
  return value;
}

/** A chart's title, axis label or name: a string of at most MAX_LABEL_LENGTH characters. */
export function checkLabel(fn: string, arg: string, value: unknown): string {
  return checkString(fn, arg, value, MAX_LABEL_LENGTH);
}

/** Checks an optional array of strings, one per label (class names, target names). */
export function checkNames(fn: string, arg: string, names: unknown, count: number, maxLength = Infinity): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.length !== count || !names.every((s) => typeof s === 'string')) {
    throw new ValueError(`${fn}: argument ${arg} must be ${count} strings (one per label), got ${describe(names)}`);
  }
  names.forEach((name, i) => checkString(fn, `${arg}[${i}]`, name, maxLength));
  return names as string[];
}

/** Checks an array or typed array of numbers (NaN allowed: charts leave such points out). */
export function checkNumbers(fn: string, arg: string, value: unknown): ArrayLike<number> {
  const typed = ArrayBuffer.isView(value) && !(value instanceof DataView) && !isBigIntArray(value);
  if (!typed && !Array.isArray(value)) {
    throw new ValueError(`${fn}: argument ${arg} must be an array or typed array of numbers, got ${describe(value)}`);
  }
  if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => {
      if (typeof v !== 'number') throw new ValueError(`${fn}: argument ${arg}[${i}] must be a number, got ${describe(v)}`);
    });
  }
  return value as ArrayLike<number>;
}

/** Argument names of a confusion matrix given as labels and counts, for the messages. */
export interface ConfusionArgs {
  labels: string;
  matrix: string;
}

/**
 * Checks a confusion matrix: 1 to `maxClasses` integer labels and an n × n array of finite
 * counts >= 0, one row and one column per label.
 */
export function checkConfusion(
  fn: string,
  args: ConfusionArgs,
  labels: unknown,
  matrix: unknown,
  maxClasses = MAX_CLASSES,
): { labels: number[]; matrix: number[][] } {
  const checkedLabels = Array.from(checkLabelArray(fn, args.labels, labels));
  const n = checkedLabels.length;
  if (n === 0) {
    throw new ShapeError(`${fn}: argument ${args.labels} must list at least one label, got an empty array`);
  }
  if (n > maxClasses) {
    throw new ValueError(`${fn}: argument ${args.labels} must list at most ${maxClasses} labels, got ${describe(labels)}`);
  }
  if (!Array.isArray(matrix) || matrix.length !== n) {
    throw new ShapeError(`${fn}: argument ${args.matrix} must have one row per label (${n}), got ${describe(matrix)}`);
  }
  matrix.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new ShapeError(`${fn}: argument ${args.matrix}[${i}] must have one count per label (${n}), got ${describe(row)}`);
    }
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ValueError(`${fn}: argument ${args.matrix}[${i}][${j}] must be a finite count >= 0, got ${describe(v)}`);
      }
    });
  });
  return { labels: checkedLabels, matrix: matrix as number[][] };
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return false;
}

function isBigIntArray(value: unknown): boolean {
  return value instanceof BigInt64Array || value instanceof BigUint64Array;
}
