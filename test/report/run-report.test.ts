import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReportHtml, runReportMarkdown } from '../../ts/report/run-report.js';
import { writeRunReport } from '../../ts/report/write.js';
import { cm, makeRun, testReport } from './run-fixture.js';
import { parseXml, textContents } from './xml-check.js';

describe('runReportMarkdown', () => {
  const md = runReportMarkdown(makeRun());

  it('has the title, summary, config table, charts, reports and notes', () => {
    expect(md.startsWith('# MNIST <2x128> & Adam\n')).toBe(true);
    for (const heading of ['## Summary', '## Configuration', '## Loss curves', '## Training set', '## Test set', '## Confusion matrix (test set)', '## Notes']) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toContain('| Setting | Value |');
    expect(md).toContain('| learningRate | 0.001 |');
    expect(md).toContain('| earlyStopping | false |');
    expect(md).toContain('| seed | null |');
    expect(md).toContain('| a\\|b | x\\|y |');
    expect(md).toContain('| Training time | 1 min 23.3 s |');
    expect(md).toContain('| Final training loss | 0.04123 |');
    expect(md).toContain(`| Test set accuracy | ${(testReport.accuracy * 100).toFixed(2)}% |`);
    expect(md).toContain('![Training vs Validation Loss](loss.svg)');
    expect(md).toContain('](confusion.svg)');
    expect(md).toContain('- Second note');
  });

  it('embeds each classification report verbatim in a code block', () => {
    expect(md).toContain('```text\n' + testReport.text.replace(/\n$/, '') + '\n```');
    expect(md).toContain('```text\n' + cm.text.replace(/\n$/, '') + '\n```');
  });

  it('leaves out what the run does not have', () => {
    const bare = runReportMarkdown(makeRun({ confusion: undefined, notes: undefined, finalValLoss: null, history: { iteration: [1, 2], trainLoss: [1, 0.5], valLoss: [] } }));
    expect(bare).not.toContain('confusion.svg');
    expect(bare).not.toContain('## Notes');
    expect(bare).toContain('| Final validation loss | n/a |');
    expect(bare).toContain('![Training Loss](loss.svg)');
  });
});

describe('runReportHtml', () => {
  const html = runReportHtml(makeRun());

  it('is a self-contained page with escaped text and inline, well-formed SVGs', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain('<title>MNIST &lt;2x128&gt; &amp; Adam</title>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain(' src=');
    expect(html).not.toContain(' href=');
    const svgs: string[] = [];
    for (let at = html.indexOf('<svg'); at >= 0; at = html.indexOf('<svg', at + 1)) {
      svgs.push(html.slice(at, html.indexOf('</svg>', at) + '</svg>'.length));
    }
    expect(svgs).toHaveLength(2);
    const texts = svgs.flatMap((s) => textContents(parseXml(s)));
    expect(texts).toContain('Training vs Validation Loss');
    expect(texts).toContain('Iteration (in 200s)');
    expect(texts).toContain('Predicted label');
    expect(html).not.toContain('NaN');
  });

  it('contains every section and the report text (HTML-escaped)', () => {
    for (const h of ['Summary', 'Configuration', 'Loss curves', 'Training set', 'Test set', 'Confusion matrix (test set)', 'Notes']) {
      expect(html).toContain(`<h2>${h}</h2>`);
    }
    expect(html).toContain(`<pre>${testReport.text}</pre>`); // the report has no characters to escape
    expect(html).toContain('<th scope="row">optimizer</th><td>adam</td>');
    expect(html).toContain('<li>Weights initialised with He-uniform.</li>');
  });
});

describe('writeRunReport', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes report.md, report.html and the two SVGs', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mlp-report-')), 'nested', 'run');
    dirs.push(dir);
    const run = makeRun();
    const out = writeRunReport(dir, run);
    expect(out.files.map((f) => f.slice(dir.length + 1))).toEqual(['report.md', 'report.html', 'loss.svg', 'confusion.svg']);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(out.markdown);
    expect(out.markdown).toBe(runReportMarkdown(run));
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(out.html);
    const loss = readFileSync(join(dir, 'loss.svg'), 'utf8');
    expect(out.html).toContain(loss.trimEnd());
    expect(textContents(parseXml(readFileSync(join(dir, 'confusion.svg'), 'utf8')))).toContain('True label');
  });

  it('skips confusion.svg when there is no confusion matrix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlp-report-'));
    dirs.push(dir);
    const out = writeRunReport(dir, makeRun({ confusion: undefined }));
    expect(out.files).toHaveLength(3);
    expect(existsSync(join(dir, 'confusion.svg'))).toBe(false);
  });

  it('rejects an empty directory path', () => {
    expect(() => writeRunReport('', makeRun())).toThrow(/writeRunReport: argument dir must be a non-empty directory path, got ""/);
  });
});
