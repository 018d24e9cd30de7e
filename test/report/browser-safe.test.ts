// ts/report must run in a browser: only write.ts may import Node built-ins, and the index
// must not pull write.ts in.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as report from '../../ts/report/index.js';

const root = fileURLToPath(new URL('../../ts/report/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('ts/report is browser-safe', () => {
  it('imports Node built-ins only in write.ts', () => {
    const files = sources(root);
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const importsNode = text.includes("from 'node:") || text.includes('from "node:') || text.includes("require('");
      expect({ file: file.slice(root.length), importsNode }).toEqual({ file: file.slice(root.length), importsNode: file.endsWith('/write.ts') });
    }
    expect(readFileSync(join(root, 'index.ts'), 'utf8')).not.toContain("from './write");
  });

  it('exports the public functions', () => {
    for (const name of ['classificationReport', 'confusionMatrix', 'lineChartSvg', 'confusionMatrixSvg', 'barChartSvg', 'runReportMarkdown', 'runReportHtml']) {
      expect(typeof (report as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
