// One training run as a human-readable report: a Markdown file (charts linked as SVG files
// next to it) and a self-contained HTML page (charts inline). Writing the files is
// write.ts's job; these functions only build strings, so they also work in a browser.

import type { ClassificationReport } from './classification-report.js';
import { confusionMatrixText } from './confusion-matrix.js';
import {
  CONFUSION_SVG,
  LOSS_SVG,
  formatConfigValue,
  runReportCharts,
  summaryRows,
} from './run-report-parts.js';
import { checkRunReport } from './run-report-check.js';
import { RUN_REPORT_CSS } from './run-report-style.js';
import { escapeXml as escapeHtml } from './svg/common.js';

export interface RunReport {
  title: string;
  /** Short run identifier, e.g. "mnist-adam-2x128". */
  name: string;
  /** When the run happened, as it should be printed (e.g. an ISO timestamp). */
  date: string;
  /** Hyper-parameters and settings, printed as a table in insertion order. */
  config: Record<string, string | number | boolean | null>;
  trainingTimeSeconds: number;
  finalTrainLoss: number | null;
  finalValLoss: number | null;
  /**
   * Logged losses: `iteration[i]` is the iteration number at which `trainLoss[i]` and
   * `valLoss[i]` were recorded (NaN or an empty `valLoss` when there was no validation set).
   */
  history: { iteration: number[]; trainLoss: number[]; valLoss: number[] };
  /** Iterations between log entries; the loss chart's x axis counts in these units. */
  logEvery: number;
  /** One classification report per data split, e.g. "Training set", "Test set". */
  sections: { title: string; report: ClassificationReport }[];
  confusion?: { title: string; labels: number[]; matrix: number[][] };
  notes?: string[];
}

export function runReportMarkdown(report: RunReport): string {
  const run = checkRunReport('runReportMarkdown', report);
  const charts = runReportCharts(run);
  const out: string[] = [];
  out.push(`# ${oneLine(run.title)}`, '');
  out.push('## Summary', '', '| | |', '|---|---|');
  for (const [label, value] of summaryRows(run)) out.push(`| ${cell(label)} | ${cell(value)} |`);
  out.push('');
  out.push('## Configuration', '');
  const config = Object.entries(run.config);
  if (config.length === 0) out.push('_No settings recorded._');
  else {
    out.push('| Setting | Value |', '|---|---|');
    for (const [key, value] of config) out.push(`| ${cell(key)} | ${cell(formatConfigValue(value))} |`);
  }
  out.push('');
  out.push('## Loss curves', '', `![${charts.lossTitle}](${LOSS_SVG})`, '');
  for (const section of run.sections) {
    out.push(`## ${oneLine(section.title)}`, '', fence(section.report.text), '');
  }
  if (run.confusion) {
    const { title, labels, matrix } = run.confusion;
    out.push(`## ${oneLine(title)}`, '', `![${oneLine(title)}](${CONFUSION_SVG})`, '');
    out.push(fence(confusionMatrixText(labels, matrix)), '');
  }
  if (run.notes && run.notes.length > 0) {
    out.push('## Notes', '');
    for (const note of run.notes) out.push(`- ${oneLine(note)}`);
    out.push('');
  }
  return out.join('\n');
}

export function runReportHtml(report: RunReport): string {
  const run = checkRunReport('runReportHtml', report);
  const charts = runReportCharts(run);
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(run.title)}</title>`,
    `<style>${RUN_REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${escapeHtml(run.title)}</h1>`,
    `<p class="meta">${escapeHtml(run.name)} · ${escapeHtml(run.date)}</p>`,
    '</header>',
  );
  parts.push(section('Summary', table(summaryRows(run))));
  const config = Object.entries(run.config).map(([k, v]): [string, string] => [k, formatConfigValue(v)]);
  parts.push(section('Configuration', config.length > 0 ? table(config) : '<p>No settings recorded.</p>'));
  parts.push(section('Loss curves', `<div class="chart">\n${charts.lossSvg}</div>`));
  for (const s of run.sections) parts.push(section(s.title, `<pre>${escapeHtml(s.report.text)}</pre>`));
  if (run.confusion && charts.confusionSvg) {
    const { title, labels, matrix } = run.confusion;
    const text = `<pre>${escapeHtml(confusionMatrixText(labels, matrix))}</pre>`;
    parts.push(section(title, `<div class="pair">\n<div class="chart">\n${charts.confusionSvg}</div>\n${text}\n</div>`));
  }
  if (run.notes && run.notes.length > 0) {
    parts.push(section('Notes', `<ul>\n${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>`));
  }
  parts.push('</main>', '</body>', '</html>', '');
  return parts.join('\n');
}

function section(title: string, body: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function table(rows: [string, string][]): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  return `<table>\n${body}\n</table>`;
}

/** A Markdown table cell: pipes escaped, newlines flattened. */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

function oneLine(text: string): string {
  return String(text).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A fenced code block that cannot be closed early by backticks inside the text. */
function fence(text: string): string {
  let ticks = '```';
  while (text.includes(ticks)) ticks += '`';
  return `${ticks}text\n${text.replace(/\n$/, '')}\n${ticks}`;
}
