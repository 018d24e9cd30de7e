// Writes a run report to disk: report.md with its two SVG charts beside it, and the
// self-contained report.html. The only module of ts/report that touches the file system,
// so everything else stays usable in a browser.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError, describe } from '../api/errors.js';
import { CONFUSION_SVG, LOSS_SVG, runReportCharts } from './run-report-parts.js';
import { checkRunReport } from './run-report-check.js';
import { runReportHtml, runReportMarkdown, type RunReport } from './run-report.js';

export interface WrittenRunReport {
  markdown: string;
  html: string;
  /** Paths of the files written, in order: report.md, report.html, loss.svg[, confusion.svg]. */
  files: string[];
}

/** Creates `dir` if needed and writes the report files into it (overwriting old ones). */
export function writeRunReport(dir: string, run: RunReport): WrittenRunReport {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ValueError(`writeRunReport: argument dir must be a non-empty directory path, got ${describe(dir)}`);
  }
  // Checked here too, so a bad field is reported as writeRunReport's before anything is written.
  checkRunReport('writeRunReport', run);
  const markdown = runReportMarkdown(run);
  const html = runReportHtml(run);
  const charts = runReportCharts(run);
  const contents: [string, string][] = [
    ['report.md', markdown],
    ['report.html', html],
    [LOSS_SVG, charts.lossSvg],
  ];
  if (charts.confusionSvg !== null) contents.push([CONFUSION_SVG, charts.confusionSvg]);

  mkdirSync(dir, { recursive: true });
  const files = contents.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    return path;
  });
  return { markdown, html, files };
}
