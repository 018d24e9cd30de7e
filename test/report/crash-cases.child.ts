// Child process of crash-cases.test.ts: runs one input that used to kill the process
// (V8's "invalid size" abort, heap OOM) and prints the result as JSON. Run apart from the
// test worker so that, without the fix, the test fails instead of taking vitest down.
import { readFileSync } from 'node:fs';
import { confusionMatrix } from '../../ts/report/confusion-matrix.js';
import { barChartSvg } from '../../ts/report/svg/bar-chart.js';
import { niceTicks } from '../../ts/report/svg/common.js';
import { lineChartSvg } from '../../ts/report/svg/line-chart.js';

const ulp = 0.1 + 0.2; // 0.30000000000000004, one ULP above 0.3

const cases: Record<string, () => unknown> = {
  'line-ulp': () => lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1, 2], y: [ulp, 0.3] }] }),
  'line-1e16': () => lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1e16, 1e16 + 2], y: [1, 2] }] }),
  'bar-ulp': () =>
    barChartSvg({ title: 't', yLabel: 'y', bars: [{ label: 'a', value: ulp }, { label: 'b', value: 0.3 }], yMin: 0.3 }),
  // stdin: [[min, max, target], ...]
  ticks: () => (JSON.parse(readFileSync(0, 'utf8')) as [number, number, number][]).map(([a, b, t]) => niceTicks(a, b, t)),
  'confusion-1e5': () => {
    const labels = Array.from({ length: 1e5 }, (_, i) => i);
    try {
      return confusionMatrix(labels, labels).labels.length;
    } catch (e) {
      return { error: (e as Error).name, message: (e as Error).message };
    }
  },
};

process.stdout.write(JSON.stringify(cases[process.argv[2]!]!()));
