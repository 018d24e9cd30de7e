// The experiments report: one Markdown file with its SVG charts beside it, a self-contained
// HTML page (charts inline), and results.json with every number. The table sets each of our
// results beside the original report's figure; the notes explain the differences.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChartSvg, lineChartSvg } from '../index.js';
import { RUN_REPORT_CSS } from '../report/run-report-style.js';
import { architecture, type TrainConfig } from './config.js';
import type { ExperimentDef } from './experiments.js';
import { formatSeconds } from './progress.js';
import { experimentNotes } from './experiments-notes.js';
import { REPORT_FIGURES } from './reference.js';

export interface ExperimentResult {
  def: ExperimentDef;
  config: TrainConfig;
  batchesPerEpoch: number;
  /** Images in the training, validation and test sets. */
  sizes: { train: number; val: number; test: number };
  /** "mlp-wasm" or "TensorFlow.js wasm" / "TensorFlow.js cpu". */
  engine: string;
  testAccuracy: number;
  trainAccuracy: number;
  finalTrainLoss: number | null;
  finalValLoss: number | null;
  /** Seconds spent training (excluding data loading and evaluation). */
  trainSeconds: number;
  /** Seconds for the whole run, evaluation included. */
  wallSeconds: number;
  samplesPerSecond: number;
  history: { iteration: number[]; trainLoss: number[]; valLoss: number[] };
  testReport: string;
  trainReport: string;
  stopped: boolean;
  error: string | null;
}

export interface ExperimentsReportInput {
  results: ExperimentResult[];
  quick: boolean;
  date: Date;
  totalSeconds: number;
  interrupted: boolean;
  cpu: string;
  node: string;
}

export function writeExperimentsReport(dir: string, input: ExperimentsReportInput): string[] {
  mkdirSync(dir, { recursive: true });
  const charts = buildCharts(input.results);
  const files: [string, string][] = [
    ['report.md', markdown(input)],
    ['report.html', html(input, charts)],
    ['accuracy.svg', charts.accuracy],
    ['val-loss.svg', charts.valLoss],
    ...charts.perRun.map(({ id, svg }): [string, string] => [`loss-${id}.svg`, svg]),
    ['results.json', JSON.stringify(jsonResults(input), null, 2) + '\n'],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    return path;
  });
}

interface Charts {
  accuracy: string;
  valLoss: string;
  perRun: { id: string; svg: string }[];
}

function buildCharts(results: ExperimentResult[]): Charts {
  const ok = results.filter((r) => !r.error);
  const accuracy = barChartSvg({
    title: 'Test accuracy by experiment',
    yLabel: 'Test accuracy',
    bars: ok.map((r) => ({ label: r.def.id, value: r.testAccuracy })),
    formatValue: (x) => x.toFixed(3),
    width: Math.max(560, 110 + ok.length * 70),
  });
  const valLoss = lineChartSvg({
    title: 'Validation loss of every run (without regularisation)',
    xLabel: 'Epoch',
    yLabel: 'Validation loss',
    series: ok
      .filter((r) => r.history.valLoss.length > 0 && r.config.regularization === null)
      .map((r) => ({ name: r.def.id, x: r.history.iteration.map((i) => i / r.batchesPerEpoch), y: r.history.valLoss })),
    width: 760,
    height: 460,
  });
  const perRun = ok.map((r) => {
    const scale = r.config.logEvery;
    const series = [{ name: 'Training loss', x: r.history.iteration.map((i) => i / scale), y: r.history.trainLoss }];
    if (r.history.valLoss.length) series.push({ name: 'Validation loss', x: r.history.iteration.map((i) => i / scale), y: r.history.valLoss });
    return {
      id: r.def.id,
      svg: lineChartSvg({ title: `Training vs Validation Loss: ${r.def.title}`, xLabel: scale > 1 ? `Iteration (in ${scale}s)` : 'Iteration', yLabel: 'Loss', series, width: 640, height: 380 }),
    };
  });
  return { accuracy, valLoss, perRun };
}

interface Row {
  id: string;
  title: string;
  settings: string;
  ours: { test: string; train: string; trainLoss: string; valLoss: string; time: string };
  report: { test: string; train: string; losses: string };
}

function rows(results: ExperimentResult[]): Row[] {
  return results.map((r) => {
    const fig = r.def.reference && r.config.dataset === 'mnist' ? REPORT_FIGURES[r.def.reference] : null;
    const failed = r.error !== null;
    return {
      id: r.def.id,
      title: r.def.title,
      settings: settingsOf(r.config, r.engine),
      ours: {
        test: failed ? 'failed' : r.testAccuracy.toFixed(4),
        train: failed ? '' : r.trainAccuracy.toFixed(4),
        trainLoss: loss(r.finalTrainLoss),
        valLoss: loss(r.finalValLoss),
        time: failed ? '' : `${formatSeconds(r.trainSeconds)}`,
      },
      report: {
        test: fig?.testAccuracy !== undefined ? fig.testAccuracy.toFixed(2) : fig?.remark && r.def.group === 'other' ? '—' : '',
        train: fig?.trainAccuracy !== undefined ? fig.trainAccuracy.toFixed(2) : '',
        losses: fig?.trainLoss !== undefined ? `${fig.trainLoss} / ${fig.valLoss}` : '',
      },
    };
  });
}

function settingsOf(c: TrainConfig, engine: string): string {
  const parts = [
    architecture(c),
    c.activation,
    c.optimizer === 'gd' ? `GD ${c.eta}` : `Adam ${c.eta}`,
  ];
  if (c.lrDecay !== 1) parts.push(`×${c.lrDecay}/epoch`);
  if (c.regularization) parts.push(`${c.regularization.kind.toUpperCase()} ${c.regularization.alpha}`);
  parts.push(`batch ${c.batchSize}`, `${c.epochs} epochs`);
  if (engine !== 'mlp-wasm') parts.push(engine);
  return parts.join(', ');
}

const loss = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));

function markdown(input: ExperimentsReportInput): string {
  const out: string[] = [];
  out.push(`# Reproducing the MNIST MLP report with mlp-wasm${input.quick ? ' (quick mode)' : ''}`, '');
  out.push(`${input.date.toISOString()} · ${input.cpu} · Node ${input.node} · total ${formatSeconds(input.totalSeconds)}`, '');
  out.push('## Results beside the original report', '');
  out.push('| Experiment | Settings | Test acc | Report | Train acc | Report | Final train / val loss | Report | Training time |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows(input.results)) {
    out.push(`| ${r.id} | ${r.settings} | ${r.ours.test} | ${r.report.test} | ${r.ours.train} | ${r.report.train} | ${r.ours.trainLoss} / ${r.ours.valLoss} | ${r.report.losses} | ${r.ours.time} |`);
  }
  out.push('', '![Test accuracy by experiment](accuracy.svg)', '');
  out.push('## Notes', '');
  for (const n of experimentNotes(input)) out.push(`- ${n}`);
  out.push('');
  out.push('## Loss curves', '', '![Validation loss of every run](val-loss.svg)', '', 'Runs with L2 are left out of this chart: their loss includes the penalty and starts far higher.', '');
  for (const r of input.results) {
    if (r.error) continue;
    out.push(`### ${r.def.id}: ${r.def.title}`, '', r.def.about, '', `![Loss curves: ${r.def.title}](loss-${r.def.id}.svg)`, '');
    out.push('Training set:', '', '```text', r.trainReport.replace(/\n$/, ''), '```', '');
    out.push('Test set:', '', '```text', r.testReport.replace(/\n$/, ''), '```', '');
  }
  return out.join('\n');
}

const EXTRA_CSS = `
main { max-width: 80rem; }
.scroll { overflow-x: auto; margin-bottom: 1rem; }
table.results { font-size: 0.88rem; }
table.results th, table.results td { width: auto; white-space: nowrap; padding: 0.4rem 0.5rem; }
table.results td.settings { white-space: normal; min-width: 14rem; max-width: 20rem; color: #4b5563; }
table.results td.num { text-align: right; }
table.results td.ref { text-align: right; color: #6b7280; }
table.results thead th { border-bottom: 2px solid #d1d5db; }
.runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); gap: 1.5rem; }
.runs h3 { margin: 0 0 0.4rem; font-size: 1.05rem; }
.runs p { margin: 0 0 0.6rem; color: #4b5563; font-size: 0.92rem; }
details summary { cursor: pointer; color: #374151; margin: 0.5rem 0; }
ul.notes li { margin-bottom: 0.5rem; }
`;

function html(input: ExperimentsReportInput, charts: Charts): string {
  const e = escapeHtml;
  const body: string[] = [];
  const table = [
    '<div class="scroll"><table class="results">',
    '<thead><tr><th>Experiment</th><th>Settings</th><th>Test acc</th><th>Report</th><th>Train acc</th><th>Report</th><th>Final train / val loss</th><th>Report</th><th>Training time</th></tr></thead>',
    '<tbody>',
    ...rows(input.results).map((r) =>
      `<tr><th scope="row">${e(r.id)}</th><td class="settings">${e(r.settings)}</td><td class="num"><strong>${e(r.ours.test)}</strong></td><td class="ref">${e(r.report.test)}</td>` +
      `<td class="num">${e(r.ours.train)}</td><td class="ref">${e(r.report.train)}</td><td class="num">${e(r.ours.trainLoss)} / ${e(r.ours.valLoss)}</td><td class="ref">${e(r.report.losses)}</td><td class="num">${e(r.ours.time)}</td></tr>`),
    '</tbody>',
    '</table></div>',
  ].join('\n');
  body.push(section('Results beside the original report', `${table}\n<div class="chart">\n${charts.accuracy}</div>`));
  body.push(section('Notes', `<ul class="notes">\n${experimentNotes(input).map((n) => `<li>${e(n)}</li>`).join('\n')}\n</ul>`));
  body.push(section('Loss curves', `<div class="chart">\n${charts.valLoss}</div>\n<p>Runs with L2 are left out of this chart: their loss includes the penalty and starts far higher.</p>`));
  const svgById = new Map(charts.perRun.map((c) => [c.id, c.svg]));
  const runs = input.results.filter((r) => !r.error).map((r) =>
    `<div>\n<h3>${e(r.def.id)}: ${e(r.def.title)}</h3>\n<p>${e(r.def.about)}</p>\n<div class="chart">\n${svgById.get(r.def.id) ?? ''}</div>\n` +
    `<details><summary>Test-set classification report</summary><pre>${e(r.testReport)}</pre></details>\n` +
    `<details><summary>Training-set classification report</summary><pre>${e(r.trainReport)}</pre></details>\n</div>`);
  body.push(section('Runs', `<div class="runs">\n${runs.join('\n')}\n</div>`));
  const title = `Reproducing the MNIST MLP report with mlp-wasm${input.quick ? ' (quick mode)' : ''}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${RUN_REPORT_CSS}${EXTRA_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${e(title)}</h1>`,
    `<p class="meta">${e(input.date.toISOString())} · ${e(input.cpu)} · Node ${e(input.node)} · total ${e(formatSeconds(input.totalSeconds))}</p>`,
    '</header>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function section(title: string, content: string): string {
  return `<section>\n<h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function jsonResults(input: ExperimentsReportInput): unknown {
  return {
    date: input.date.toISOString(),
    quick: input.quick,
    cpu: input.cpu,
    node: input.node,
    totalSeconds: input.totalSeconds,
    interrupted: input.interrupted,
    results: input.results.map((r) => ({
      id: r.def.id,
      title: r.def.title,
      engine: r.engine,
      config: r.config,
      reference: r.def.reference ? REPORT_FIGURES[r.def.reference] : null,
      testAccuracy: r.testAccuracy,
      trainAccuracy: r.trainAccuracy,
      finalTrainLoss: r.finalTrainLoss,
      finalValLoss: r.finalValLoss,
      trainSeconds: r.trainSeconds,
      wallSeconds: r.wallSeconds,
      samplesPerSecond: r.samplesPerSecond,
      history: r.history,
      error: r.error,
    })),
  };
}
