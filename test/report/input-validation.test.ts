// Every public report function rejects bad arguments with a typed error whose message names
// the function, the argument, what was expected and what was given; and none of them can be
// made to build something unbounded (a 1e9-pixel chart, a million-class heat map).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../ts/api/errors.js';
import { classificationReport } from '../../ts/report/classification-report.js';
import { confusionMatrix, confusionMatrixText } from '../../ts/report/confusion-matrix.js';
import { runReportHtml, runReportMarkdown, type RunReport } from '../../ts/report/run-report.js';
import { barChartSvg, type BarChartOptions } from '../../ts/report/svg/bar-chart.js';
import { confusionMatrixSvg } from '../../ts/report/svg/heatmap.js';
import { lineChartSvg, type LineChartOptions } from '../../ts/report/svg/line-chart.js';
import { writeRunReport } from '../../ts/report/write.js';
import { makeRun } from './run-fixture.js';
import { expectCleanSvg } from './svg-check.js';
import { textContents } from './xml-check.js';

/** Asserts that `call` throws exactly `type` with a message matching `message`. */
function expectError(call: () => unknown, type: typeof ValueError | typeof ShapeError, message: RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const never = (v: unknown) => v as never;

describe('classificationReport options', () => {
  it('rejects options that are not an object, and unknown options', () => {
    expectError(() => classificationReport([0, 1], [0, 1], never(null)), ValueError, /^classificationReport: options must be an object, got null$/);
    expectError(() => classificationReport([0, 1], [0, 1], never(2)), ValueError, /^classificationReport: options must be an object, got 2$/);
    expectError(() => classificationReport([0, 1], [0, 1], never({ digit: 3 })), ValueError, /^classificationReport: unknown option "digit" \(did you mean "digits"\?\)/);
    expectError(() => classificationReport([0, 1], [0, 1], { targetNames: never(['a', 5]) }), ValueError, /argument options.targetNames must be 2 strings/);
  });

  it('reports 200 000 classes (no Math.max(...names) call-stack overflow)', () => {
    const labels = range(200_000);
    const report = classificationReport(labels, labels);
    expect(report.classes).toHaveLength(200_000);
    expect(report.accuracy).toBe(1);
  });
});

describe('confusionMatrix limits', () => {
  it('rejects more than 1000 distinct labels before allocating the matrix', () => {
    const labels = range(1001);
    expectError(
      () => confusionMatrix(labels, labels),
      ValueError,
      /^confusionMatrix: arguments yTrue and yPred must hold at most 1000 distinct labels .*, got 1001; pass options.labels/,
    );
    expect(confusionMatrix(labels, labels, { labels: [0, 1] }).matrix).toEqual([[1, 0], [0, 1]]);
    expect(confusionMatrix(range(1000), range(1000)).labels).toHaveLength(1000);
  });

  it('rejects more than 1000 labels in options.labels, and bad options', () => {
    expectError(() => confusionMatrix([0], [0], { labels: range(1001) }), ValueError, /^confusionMatrix: argument options.labels must list at most 1000 labels, got an array of length 1001$/);
    expectError(() => confusionMatrix([0], [0], never(null)), ValueError, /^confusionMatrix: options must be an object, got null$/);
    expectError(() => confusionMatrix([0], [0], never({ label: [0] })), ValueError, /unknown option "label" \(did you mean "labels"\?\)/);
  });
});

describe('confusionMatrixText', () => {
  it('validates labels, matrix and names', () => {
    expectError(() => confusionMatrixText(never(null), never(null)), ValueError, /^confusionMatrixText: argument labels must be an array or typed array of integer class labels, got null$/);
    expectError(() => confusionMatrixText([0, 1], [[1]]), ShapeError, /^confusionMatrixText: argument matrix must have one row per label \(2\), got an array of length 1$/);
    expectError(() => confusionMatrixText([0], [[NaN]]), ValueError, /^confusionMatrixText: argument matrix\[0\]\[0\] must be a finite count >= 0, got NaN$/);
    expectError(() => confusionMatrixText([0], never([5])), ShapeError, /^confusionMatrixText: argument matrix\[0\] must have one count per label \(1\), got 5$/);
    expectError(() => confusionMatrixText([0], [[1]], never([1])), ValueError, /^confusionMatrixText: argument names must be 1 strings \(one per label\), got an array of length 1$/);
    expectError(() => confusionMatrixText(range(1001), []), ValueError, /argument labels must list at most 1000 labels/);
    expect(confusionMatrixText([0, 1], [[2, 0], [1, 3]], ['cat', 'dog'])).toContain('cat');
  });
});

describe('confusionMatrixSvg options and limits', () => {
  const cm = { labels: [0, 1], matrix: [[3, 1], [0, 4]] };

  it('rejects null, non-string titles and unknown options', () => {
    expectError(() => confusionMatrixSvg(cm, never(null)), ValueError, /^confusionMatrixSvg: options must be an object, got null$/);
    expectError(() => confusionMatrixSvg(cm, { title: never(5) }), ValueError, /^confusionMatrixSvg: argument options.title must be a string, got 5$/);
    expectError(() => confusionMatrixSvg(cm, { title: 'x'.repeat(10_001) }), ValueError, /argument options.title must be at most 10000 characters long, got a string of 10001/);
    expectError(() => confusionMatrixSvg(cm, never({ titel: 'x' })), ValueError, /unknown option "titel" \(did you mean "title"\?\)/);
    expectError(() => confusionMatrixSvg(cm, { classNames: never(['a', 5]) }), ValueError, /argument options.classNames must be 2 strings/);
    expectError(() => confusionMatrixSvg(never(null)), ValueError, /^confusionMatrixSvg: argument cm must be \{ labels: number\[\], matrix: number\[\]\[\] \}/);
    expectError(() => confusionMatrixSvg({ labels: never(['a']), matrix: [[1]] }), ValueError, /argument cm.labels\[0\] must be an integer class label, got "a"/);
  });

  it('draws at most 300 classes', () => {
    const big = (n: number) => ({ labels: range(n), matrix: range(n).map(() => new Array<number>(n).fill(1)) });
    expectError(() => confusionMatrixSvg(big(301)), ValueError, /^confusionMatrixSvg: argument cm.labels must list at most 300 labels, got an array of length 301$/);
    expect(confusionMatrixSvg(big(20)).length).toBeGreaterThan(0);
  });
});

describe('lineChartSvg options and limits', () => {
  const base: LineChartOptions = { title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [0, 1], y: [1, 2] }] };

  it('rejects missing or non-object options and unknown options', () => {
    expectError(() => lineChartSvg(never(undefined)), ValueError, /^lineChartSvg: options must be an object, got undefined$/);
    expectError(() => lineChartSvg(never(null)), ValueError, /^lineChartSvg: options must be an object, got null$/);
    expectError(() => lineChartSvg(never({ ...base, widht: 300 })), ValueError, /^lineChartSvg: unknown option "widht" \(did you mean "width"\?\)/);
  });

  it('rejects texts, series and colours of the wrong type', () => {
    expectError(() => lineChartSvg({ ...base, title: never(5) }), ValueError, /^lineChartSvg: argument options.title must be a string, got 5$/);
    expectError(() => lineChartSvg({ ...base, yLabel: never(undefined) }), ValueError, /argument options.yLabel must be a string, got undefined/);
    expectError(() => lineChartSvg({ ...base, series: [{ name: 'a', x: never(['1']), y: [1] }] }), ValueError, /argument options.series\[0\].x\[0\] must be a number, got "1"/);
    expectError(() => lineChartSvg({ ...base, series: [{ name: 'a', x: never(new BigInt64Array(1)), y: [1] }] }), ValueError, /options.series\[0\].x must be an array or typed array of numbers/);
    expectError(() => lineChartSvg({ ...base, series: [{ name: never(1), x: [], y: [] }] }), ValueError, /argument options.series\[0\].name must be a string, got 1/);
    expectError(() => lineChartSvg({ ...base, series: [{ name: 'a', x: [], y: [], color: never(5) }] }), ValueError, /options.series\[0\].color must be a string, got 5/);
    expectError(() => lineChartSvg({ ...base, series: [never(null)] }), ValueError, /options.series\[0\] must be \{ name: string, x: number\[\], y: number\[\] \}, got null/);
  });

  it('bounds width and height', () => {
    expectError(() => lineChartSvg({ ...base, width: 1e9 }), ValueError, /^lineChartSvg: argument options.width must be a number of pixels from 200 to 20000, got 1000000000$/);
    expectError(() => lineChartSvg({ ...base, height: Infinity }), ValueError, /argument options.height must be a number of pixels from 150 to 20000, got Infinity/);
    expectError(() => lineChartSvg({ ...base, width: never('720') }), ValueError, /options.width must be a number of pixels .*, got "720"/);
    expect(Number(expectCleanSvg(lineChartSvg({ ...base, width: 20_000 })).root.attrs.width)).toBe(20_000);
  });

  it('bounds the number of series and points', () => {
    const many = range(1001).map((i) => ({ name: `s${i}`, x: [], y: [] }));
    expectError(() => lineChartSvg({ ...base, series: many }), ValueError, /argument options.series must hold at most 1000 series, got an array of length 1001/);
    const long = new Float64Array(500_001);
    expectError(
      () => lineChartSvg({ ...base, series: [{ name: 'a', x: long, y: long }, { name: 'b', x: long, y: long }] }),
      ValueError,
      /argument options.series must hold at most 1000000 points in all .*, got 1000002/,
    );
  });

  it('grows the canvas when the legend would leave no room for the plot', () => {
    const series = range(30).map((i) => ({ name: `run number ${i}`, x: [0, 1], y: [i, i + 1] }));
    const doc = expectCleanSvg(lineChartSvg({ ...base, series, width: 200, height: 150 }));
    const frame = doc.elements.find((e) => e.name === 'rect' && e.attrs.fill === 'none')!;
    expect(Number(frame.attrs.height)).toBeGreaterThanOrEqual(60);
    expect(Number(doc.root.attrs.height)).toBeGreaterThan(150);
  });

  it('leaves out values too large to place on an axis, like non-finite ones', () => {
    const max = Number.MAX_VALUE;
    const svg = lineChartSvg({ ...base, series: [{ name: 'a', x: [0, 1, 2, 3], y: [1, max, -max, 2] }] });
    expectCleanSvg(svg);
    expect(textContents(expectCleanSvg(svg))).toContain('2.0');
  });
});

describe('barChartSvg options and limits', () => {
  const base: BarChartOptions = { title: 'T', yLabel: 'y', bars: [{ label: 'a', value: 0.5 }] };

  it('rejects missing or non-object options and unknown options', () => {
    expectError(() => barChartSvg(never(undefined)), ValueError, /^barChartSvg: options must be an object, got undefined$/);
    expectError(() => barChartSvg(never([])), ValueError, /^barChartSvg: options must be an object, got an array of length 0$/);
    expectError(() => barChartSvg(never({ ...base, colour: 'red' })), ValueError, /^barChartSvg: unknown option "colour" \(did you mean "color"\?\)/);
  });

  it('checks formatValue, its results, yMin, colour and texts', () => {
    expectError(() => barChartSvg({ ...base, formatValue: never(5) }), ValueError, /^barChartSvg: argument options.formatValue must be a function \(value: number\) => string, got 5$/);
    expectError(() => barChartSvg({ ...base, formatValue: never(() => 3) }), ValueError, /^barChartSvg: argument options.formatValue must return a string, got 3 for the value 0.5$/);
    expect(textContents(expectCleanSvg(barChartSvg({ ...base, formatValue: (v) => `${v * 100}%` })))).toContain('50%');
    expectError(() => barChartSvg({ ...base, yMin: NaN }), ValueError, /^barChartSvg: argument options.yMin must be a finite number .*, got NaN$/);
    expectError(() => barChartSvg({ ...base, yMin: never('0') }), ValueError, /argument options.yMin must be a finite number .*, got "0"/);
    expectError(() => barChartSvg({ ...base, color: never(5) }), ValueError, /^barChartSvg: argument options.color must be a string, got 5$/);
    expectError(() => barChartSvg({ ...base, xLabel: never(5) }), ValueError, /^barChartSvg: argument options.xLabel must be a string, got 5$/);
    expectError(() => barChartSvg({ ...base, title: never(null) }), ValueError, /^barChartSvg: argument options.title must be a string, got null$/);
  });

  it('bounds width, height and the number of bars', () => {
    expectError(() => barChartSvg({ ...base, width: 1e9 }), ValueError, /argument options.width must be a number of pixels from 200 to 20000, got 1000000000/);
    expectError(() => barChartSvg({ ...base, height: -1 }), ValueError, /argument options.height must be a number of pixels from 150 to 20000, got -1/);
    const bars = (n: number) => range(n).map((i) => ({ label: `b${i}`, value: i }));
    expectError(() => barChartSvg({ ...base, bars: bars(1001) }), ValueError, /argument options.bars must hold at most 1000 bars, got an array of length 1001/);
    // the default width (90 px a bar) is capped too
    expect(Number(expectCleanSvg(barChartSvg({ ...base, bars: bars(1000) })).root.attrs.width)).toBe(20_000);
  });

  it('grows the canvas when long labels would leave no room for the bars', () => {
    const bars = range(4).map((i) => ({ label: `a very long configuration name number ${i}`, value: i + 1 }));
    const doc = expectCleanSvg(barChartSvg({ ...base, bars, xLabel: 'Run', height: 150 }));
    const heights = doc.elements.filter((e) => e.name === 'rect' && e.attrs.rx === '2').map((e) => Number(e.attrs.height));
    expect(heights).toHaveLength(4);
    expect(heights[3]).toBeGreaterThanOrEqual(50);
  });

  it('draws a value too large to place on an axis as n/a', () => {
    const doc = expectCleanSvg(barChartSvg({ ...base, bars: [{ label: 'a', value: 0.5 }, { label: 'b', value: Number.MAX_VALUE }] }));
    expect(textContents(doc)).toContain('n/a');
    expect(doc.elements.filter((e) => e.name === 'rect' && e.attrs.rx === '2')).toHaveLength(1);
  });
});

describe('runReportMarkdown, runReportHtml and writeRunReport input', () => {
  const cases: [string, unknown, typeof ValueError | typeof ShapeError, RegExp][] = [
    ['an empty object', {}, ValueError, /argument run.title must be a string, got undefined$/],
    ['an unknown field', { ...makeRun(), note: ['x'] }, ValueError, /argument run: unknown option "note" \(did you mean "notes"\?\)/],
    ['a non-string date', makeRun({ date: never(new Date(0)) }), ValueError, /argument run.date must be a string, got a Date$/],
    ['a nested config value', makeRun({ config: never({ layers: [128] }) }), ValueError, /argument run.config\["layers"\] must be a string, number, boolean or null, got an array of length 1$/],
    ['a missing training time', makeRun({ trainingTimeSeconds: never(undefined) }), ValueError, /argument run.trainingTimeSeconds must be a number, got undefined$/],
    ['a string loss', makeRun({ finalValLoss: never('0.1') }), ValueError, /argument run.finalValLoss must be a number or null, got "0.1"$/],
    ['a missing history', makeRun({ history: never(undefined) }), ValueError, /argument run.history must be an object, got undefined$/],
    ['a null loss history', makeRun({ history: { iteration: [1], trainLoss: never(null), valLoss: [] } }), ValueError, /argument run.history.trainLoss must be an array or typed array of numbers, got null$/],
    ['logEvery 0', makeRun({ logEvery: 0 }), ValueError, /argument run.logEvery must be a positive integer, got 0$/],
    ['a section without a report', makeRun({ sections: [{ title: 'Test', report: never(null) }] }), ValueError, /argument run.sections\[0\].report must be an object, got null$/],
    ['sections that are not an array', makeRun({ sections: never({}) }), ValueError, /argument run.sections must be an array of \{ title, report \}, got an object$/],
    ['a ragged confusion matrix', makeRun({ confusion: { title: 'cm', labels: [0, 1], matrix: [[1, 2], [3]] } }), ShapeError, /argument run.confusion.matrix\[1\] must have one count per label \(2\), got an array of length 1$/],
    ['a confusion title that is not a string', makeRun({ confusion: { title: never(1), labels: [0], matrix: [[1]] } }), ValueError, /argument run.confusion.title must be a string, got 1$/],
    ['a note that is not a string', makeRun({ notes: never([5]) }), ValueError, /argument run.notes\[0\] must be a string, got 5$/],
  ];

  for (const [what, run, type, message] of cases) {
    it(`rejects ${what}`, () => {
      expectError(() => runReportMarkdown(run as RunReport), type, new RegExp(`^runReportMarkdown: ${message.source}`));
      expectError(() => runReportHtml(run as RunReport), type, new RegExp(`^runReportHtml: ${message.source}`));
    });
  }

  it('rejects a run that is not an object', () => {
    expectError(() => runReportHtml(never(null)), ValueError, /^runReportHtml: argument run must be an object, got null$/);
    expectError(() => runReportMarkdown(never('run')), ValueError, /^runReportMarkdown: argument run must be an object, got "run"$/);
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writeRunReport names itself and writes nothing for a bad run', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mlp-report-')), 'out');
    dirs.push(dir);
    expectError(() => writeRunReport(dir, never(null)), ValueError, /^writeRunReport: argument run must be an object, got null$/);
    expectError(() => writeRunReport(dir, makeRun({ logEvery: never('200') })), ValueError, /^writeRunReport: argument run.logEvery must be a positive integer, got "200"$/);
    expect(existsSync(dir)).toBe(false);
  });

  it('still accepts a run without the optional fields', () => {
    const md = runReportMarkdown(makeRun({ confusion: undefined, notes: undefined, finalValLoss: null }));
    expect(md).toContain('## Summary');
  });
});
