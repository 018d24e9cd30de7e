// Renders scores in exactly scikit-learn's `classification_report` text layout, so a
// report printed by mlp-wasm can be diffed against one printed by Python.

import { formatFixed, padLeft, textLength } from './python-format.js';

export interface ScoreRow {
  name: string;
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

export interface ReportTextInput {
  classes: ScoreRow[];
  /** First summary row: scikit-learn prints "accuracy" (f1 and support only) or "micro avg". */
  first: { kind: 'accuracy'; value: number; support: number } | { kind: 'micro'; row: ScoreRow };
  macro: ScoreRow;
  weighted: ScoreRow;
  digits: number;
}

const HEADERS = ['precision', 'recall', 'f1-score', 'support'];
// scikit-learn sizes the name column for its longest fixed heading as well.
const LONGEST_HEADING = 'weighted avg';
const COLUMN = 9;

export function formatReportText(input: ReportTextInput): string {
  const { digits } = input;
  // A loop, not Math.max(...names): spreading 100k+ classes overflows the call stack.
  let nameWidth = 0;
  for (const c of input.classes) nameWidth = Math.max(nameWidth, textLength(c.name));
  const width = Math.max(nameWidth, LONGEST_HEADING.length, digits);
  const cell = (s: string) => ' ' + padLeft(s, COLUMN);
  const row = (r: ScoreRow) =>
    padLeft(r.name, width) +
    ' ' +
    cell(formatFixed(r.precision, digits)) +
    cell(formatFixed(r.recall, digits)) +
    cell(formatFixed(r.f1Score, digits)) +
    cell(String(r.support)) +
    '\n';

  let text = padLeft('', width) + ' ' + HEADERS.map(cell).join('') + '\n\n';
  for (const c of input.classes) text += row(c);
  text += '\n';
  if (input.first.kind === 'accuracy') {
    const { value, support } = input.first;
    text += padLeft('accuracy', width) + ' ' + cell('') + cell('') + cell(formatFixed(value, digits)) + cell(String(support)) + '\n';
  } else {
    text += row(input.first.row);
  }
  text += row(input.macro);
  text += row(input.weighted);
  return text;
}
