// Pieces shared by the Markdown and HTML run reports: the charts, the summary rows and the
// value formatting, so both documents always say the same thing.

import type { RunReport } from './run-report.js';
import { confusionMatrixSvg } from './svg/heatmap.js';
import { lineChartSvg, type LineSeries } from './svg/line-chart.js';

/** File names the charts are written under, and linked by, next to report.md. */
export const LOSS_SVG = 'loss.svg';
export const CONFUSION_SVG = 'confusion.svg';

export interface RunReportCharts {
  lossTitle: string;
  lossSvg: string;
  /** Null when the run has no confusion matrix. */
  confusionSvg: string | null;
}

/**
 * The loss curves and the confusion heat map of a run. History iterations are plotted in
 * units of `logEvery` ("Iteration (in 200s)"), the way the losses were logged.
 */
export function runReportCharts(run: RunReport): RunReportCharts {
  const scale = run.logEvery > 1 ? run.logEvery : 1;
  const series: LineSeries[] = [];
  const { iteration, trainLoss, valLoss } = run.history;
  const x = (n: number) => iteration.slice(0, n).map((i) => i / scale);
  if (trainLoss.length > 0) {
    const n = Math.min(iteration.length, trainLoss.length);
    series.push({ name: 'Training loss', x: x(n), y: trainLoss.slice(0, n) });
  }
  const hasVal = valLoss.some(Number.isFinite);
  if (hasVal) {
    const n = Math.min(iteration.length, valLoss.length);
    series.push({ name: 'Validation loss', x: x(n), y: valLoss.slice(0, n) });
  }
  const lossTitle = hasVal ? 'Training vs Validation Loss' : 'Training Loss';
  const lossSvg = lineChartSvg({
    title: lossTitle,
    xLabel: scale > 1 ? `Iteration (in ${scale}s)` : 'Iteration',
    yLabel: 'Loss',
    series,
  });
  const confusionSvg = run.confusion ? confusionMatrixSvg(run.confusion, { title: run.confusion.title }) : null;
  return { lossTitle, lossSvg, confusionSvg };
}

/** Label/value rows of the summary table. */
export function summaryRows(run: RunReport): [string, string][] {
  const rows: [string, string][] = [
    ['Run', run.name],
    ['Date', run.date],
    ['Training time', formatDuration(run.trainingTimeSeconds)],
    ['Final training loss', formatLoss(run.finalTrainLoss)],
    ['Final validation loss', formatLoss(run.finalValLoss)],
  ];
  for (const s of run.sections) rows.push([`${s.title} accuracy`, formatPercent(s.report.accuracy)]);
  return rows;
}

/** "42.3 s", "12 min 5.0 s", "1 h 2 min 3 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'n/a';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${(seconds - minutes * 60).toFixed(1)} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes - hours * 60} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Loss with 4 significant digits; "n/a" when the run did not record it. */
export function formatLoss(loss: number | null): string {
  if (loss === null || !Number.isFinite(loss)) return 'n/a';
  return String(Number(loss.toPrecision(4)));
}

export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)}%` : 'n/a';
}

/** A config value as text: null and booleans spelled out, arrays would already be strings. */
export function formatConfigValue(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  return String(value);
}
