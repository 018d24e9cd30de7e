// Checks a RunReport before the Markdown, HTML or file writer uses it, so a wrong field is
// reported by name (run.history.trainLoss, run.sections[1].report, ...) instead of surfacing
// as a TypeError deep inside the chart code.

import { ValueError, describe } from '../api/errors.js';
import { checkOptions, positiveInteger } from '../api/validate.js';
import type { RunReport } from './run-report.js';
import { MAX_HEATMAP_CLASSES } from './svg/heatmap.js';
import { checkConfusion, checkLabel, checkNumbers, checkString } from './validate.js';

const RUN_FIELDS = [
  'title',
  'name',
  'date',
  'config',
  'trainingTimeSeconds',
  'finalTrainLoss',
  'finalValLoss',
  'history',
  'logEvery',
  'sections',
  'confusion',
  'notes',
];
// The loss chart draws two series of this many points at most (lineChartSvg's limit).
const MAX_HISTORY = 500_000;

/** Checks every field of `run` that the reports read; `fn` is the public function called. */
export function checkRunReport(fn: string, run: unknown): RunReport {
  const r = checkObject(fn, 'run', run);
  checkOptions(r, RUN_FIELDS, `${fn}: argument run`);
  checkString(fn, 'run.title', r.title);
  checkString(fn, 'run.name', r.name);
  checkString(fn, 'run.date', r.date);
  checkConfig(fn, r.config);
  checkNumber(fn, 'run.trainingTimeSeconds', r.trainingTimeSeconds);
  checkNumberOrNull(fn, 'run.finalTrainLoss', r.finalTrainLoss);
  checkNumberOrNull(fn, 'run.finalValLoss', r.finalValLoss);
  checkHistory(fn, r.history);
  positiveInteger(r.logEvery, fn, 'argument run.logEvery');
  checkSections(fn, r.sections);
  if (r.confusion !== undefined) checkRunConfusion(fn, r.confusion);
  if (r.notes !== undefined) checkStrings(fn, 'run.notes', r.notes);
  return run as RunReport;
}

function checkObject(fn: string, arg: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValueError(`${fn}: argument ${arg} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function checkNumber(fn: string, arg: string, value: unknown): void {
  if (typeof value !== 'number') throw new ValueError(`${fn}: argument ${arg} must be a number, got ${describe(value)}`);
}

function checkNumberOrNull(fn: string, arg: string, value: unknown): void {
  if (value !== null && typeof value !== 'number') {
    throw new ValueError(`${fn}: argument ${arg} must be a number or null, got ${describe(value)}`);
  }
}

function checkConfig(fn: string, config: unknown): void {
  for (const [key, value] of Object.entries(checkObject(fn, 'run.config', config))) {
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ValueError(`${fn}: argument run.config[${JSON.stringify(key)}] must be a string, number, boolean or null, got ${describe(value)}`);
    }
  }
}

function checkHistory(fn: string, history: unknown): void {
  const h = checkObject(fn, 'run.history', history);
  for (const key of ['iteration', 'trainLoss', 'valLoss']) {
    const values = checkNumbers(fn, `run.history.${key}`, h[key]);
    if (values.length > MAX_HISTORY) {
      throw new ValueError(`${fn}: argument run.history.${key} must hold at most ${MAX_HISTORY} entries (log less often), got ${describe(values)}`);
    }
  }
}

function checkSections(fn: string, sections: unknown): void {
  if (!Array.isArray(sections)) {
    throw new ValueError(`${fn}: argument run.sections must be an array of { title, report }, got ${describe(sections)}`);
  }
  sections.forEach((section: unknown, i) => {
    const s = checkObject(fn, `run.sections[${i}]`, section);
    checkString(fn, `run.sections[${i}].title`, s.title);
    const report = checkObject(fn, `run.sections[${i}].report`, s.report);
    checkString(fn, `run.sections[${i}].report.text`, report.text);
    checkNumber(fn, `run.sections[${i}].report.accuracy`, report.accuracy);
  });
}

function checkRunConfusion(fn: string, confusion: unknown): void {
  const c = checkObject(fn, 'run.confusion', confusion);
  checkLabel(fn, 'run.confusion.title', c.title);
  // Drawn as a heat map, so the heat map's class limit applies.
  checkConfusion(fn, { labels: 'run.confusion.labels', matrix: 'run.confusion.matrix' }, c.labels, c.matrix, MAX_HEATMAP_CLASSES);
}

function checkStrings(fn: string, arg: string, values: unknown): void {
  if (!Array.isArray(values)) throw new ValueError(`${fn}: argument ${arg} must be an array of strings, got ${describe(values)}`);
  values.forEach((v: unknown, i) => checkString(fn, `${arg}[${i}]`, v));
}
