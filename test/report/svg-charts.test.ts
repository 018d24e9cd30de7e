import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../ts/api/errors.js';
import { barChartSvg } from '../../ts/report/svg/bar-chart.js';
import { colourAt, confusionMatrixSvg, luminance } from '../../ts/report/svg/heatmap.js';
import { lineChartSvg } from '../../ts/report/svg/line-chart.js';
import { sklearnFixtures } from './sklearn-fixtures.js';
import { expectCleanSvg } from './svg-check.js';
import { parseXml, textContents } from './xml-check.js';

const iterations = Array.from({ length: 50 }, (_, i) => (i + 1) * 200);
const lossChart = () =>
  lineChartSvg({
    title: 'Training vs Validation Loss',
    xLabel: 'Iteration (in 200s)',
    yLabel: 'Loss',
    series: [
      { name: 'Training loss', x: iterations.map((i) => i / 200), y: iterations.map((i) => 2.3 * Math.exp(-i / 2000) + 0.05) },
      { name: 'Validation loss', x: iterations.map((i) => i / 200), y: iterations.map((i, k) => (k === 20 ? NaN : 2.3 * Math.exp(-i / 2200) + 0.1)) },
    ],
  });

describe('lineChartSvg', () => {
  it('is well-formed and has title, axis labels, legend and 1-2-5 ticks', () => {
    const doc = expectCleanSvg(lossChart());
    const texts = textContents(doc);
    expect(texts).toContain('Training vs Validation Loss');
    expect(texts).toContain('Iteration (in 200s)');
    expect(texts).toContain('Loss');
    expect(texts).toContain('Training loss');
    expect(texts).toContain('Validation loss');
    // y from about 0.06 to 2.2 -> 0, 0.5, ..., 2.5; x from 1 to 50 -> 0, 10, ..., 50
    for (const tick of ['0', '0.5', '1.0', '1.5', '2.0', '2.5', '10', '20', '50']) expect(texts).toContain(tick);
    expect(doc.elements.find((e) => e.name === 'title')?.text).toBe('Training vs Validation Loss');
  });

  it('draws one path per series in distinct colours, breaking the line at NaN', () => {
    const doc = parseXml(lossChart());
    const paths = doc.elements.filter((e) => e.name === 'path');
    expect(paths).toHaveLength(2);
    expect(paths[0]!.attrs.stroke).not.toBe(paths[1]!.attrs.stroke);
    const moves = (d: string) => [...d].filter((c) => c === 'M').length;
    expect(moves(paths[0]!.attrs.d!)).toBe(1);
    expect(moves(paths[1]!.attrs.d!)).toBe(2);
  });

  it('keeps every point inside the plot frame', () => {
    const doc = parseXml(lossChart());
    const frame = doc.elements.find((e) => e.name === 'rect' && e.attrs.fill === 'none')!;
    const [x0, y0] = [Number(frame.attrs.x), Number(frame.attrs.y)];
    const [x1, y1] = [x0 + Number(frame.attrs.width), y0 + Number(frame.attrs.height)];
    for (const p of doc.elements.filter((e) => e.name === 'path')) {
      const numbers = p.attrs.d!.split(/[ML ]+/).filter(Boolean).map(Number);
      for (let k = 0; k < numbers.length; k += 2) {
        expect(numbers[k]).toBeGreaterThanOrEqual(x0);
        expect(numbers[k]).toBeLessThanOrEqual(x1);
        expect(numbers[k + 1]).toBeGreaterThanOrEqual(y0);
        expect(numbers[k + 1]).toBeLessThanOrEqual(y1);
      }
    }
  });

  it('handles empty, all-NaN and single-point series', () => {
    const empty = expectCleanSvg(lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [], y: [] }] }));
    expect(textContents(empty)).toContain('No data');
    const nan = expectCleanSvg(lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1, 2], y: [NaN, NaN] }] }));
    expect(textContents(nan)).toContain('No data');
    const none = expectCleanSvg(lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [] }));
    expect(textContents(none)).toContain('No data');
    const one = expectCleanSvg(lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [3], y: [0.5] }] }));
    expect(one.elements.filter((e) => e.name === 'circle').length).toBeGreaterThanOrEqual(1);
    expect(textContents(one)).not.toContain('No data');
  });

  it('escapes markup in labels', () => {
    const svg = lineChartSvg({ title: 'a < b & "c"', xLabel: '<x>', yLabel: 'y', series: [{ name: 'R&D', x: [0, 1], y: [1, 2] }] });
    const texts = textContents(expectCleanSvg(svg));
    expect(texts).toContain('a < b & "c"');
    expect(texts).toContain('<x>');
    expect(texts).toContain('R&D');
  });

  it('validates its input', () => {
    expect(() => lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1, 2], y: [1] }] })).toThrow(ShapeError);
    expect(() => lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', x: [1, 2], y: [1] }] })).toThrow(
      /lineChartSvg: argument options.series\[0\].y must have the same length as its x \(2\), got an array of length 1/,
    );
    expect(() => lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: null as never })).toThrow(ValueError);
    expect(() => lineChartSvg({ title: 'T', xLabel: 'x', yLabel: 'y', series: [], width: NaN })).toThrow(/options.width must be a number of pixels/);
  });
});

describe('confusionMatrixSvg', () => {
  const mnist = sklearnFixtures.cases.find((c) => c.confusion.labels.length === 10 && c.yTrue.length >= 1000)!;

  it('is well-formed with one cell and one count per matrix entry, and axis titles', () => {
    const svg = confusionMatrixSvg(mnist.confusion, { title: 'Test set' });
    const doc = expectCleanSvg(svg);
    const cells = doc.elements.filter((e) => e.name === 'rect' && e.parent?.name === 'g');
    expect(cells).toHaveLength(100);
    const texts = textContents(doc);
    expect(texts).toContain('Test set');
    expect(texts).toContain('Predicted label');
    expect(texts).toContain('True label');
    for (const row of mnist.confusion.matrix) for (const v of row) expect(texts).toContain(String(v));
  });

  it('prints counts in a colour that contrasts with the cell', () => {
    const doc = parseXml(confusionMatrixSvg({ labels: [0, 1], matrix: [[90, 0], [5, 80]] }));
    const countText = (v: string) => doc.elements.find((e) => e.name === 'text' && e.text === v)!;
    expect(countText('90').attrs.fill).toBe('#ffffff');
    expect(countText('0').attrs.fill).not.toBe('#ffffff');
    const cells = doc.elements.filter((e) => e.name === 'rect' && e.parent?.name === 'g');
    for (const cell of cells) expect(cell.attrs.fill).toMatch(/^#[0-9a-f]{6}$/);
    expect(luminance(cells[0]!.attrs.fill!)).toBeLessThan(luminance(cells[1]!.attrs.fill!));
  });

  it('has a colour scale whose gradient is defined', () => {
    const doc = parseXml(confusionMatrixSvg(mnist.confusion));
    const gradient = doc.elements.find((e) => e.name === 'linearGradient')!;
    expect(gradient).toBeDefined();
    expect(doc.elements.some((e) => e.attrs.fill === `url(#${gradient.attrs.id})`)).toBe(true);
  });

  it('uses class names, rotating long ones', () => {
    const svg = confusionMatrixSvg({ labels: [0, 1], matrix: [[1, 2], [3, 4]] }, { classNames: ['cat', 'hippopotamus & co'] });
    const doc = expectCleanSvg(svg);
    expect(textContents(doc)).toContain('hippopotamus & co');
    expect(doc.elements.some((e) => e.name === 'text' && e.attrs.transform?.startsWith('rotate(-45'))).toBe(true);
  });

  it('handles an all-zero matrix', () => {
    expectCleanSvg(confusionMatrixSvg({ labels: [3], matrix: [[0]] }));
  });

  it('validates its input', () => {
    expect(() => confusionMatrixSvg({ labels: [0, 1], matrix: [[1, 2]] })).toThrow(ShapeError);
    expect(() => confusionMatrixSvg({ labels: [0, 1], matrix: [[1, 2], [3]] })).toThrow(/cm.matrix\[1\] must have one count per label \(2\)/);
    expect(() => confusionMatrixSvg({ labels: [0], matrix: [[-1]] })).toThrow(ValueError);
    expect(() => confusionMatrixSvg({ labels: [0, 1], matrix: [[1, 2], [3, 4]] }, { classNames: ['a'] })).toThrow(
      /options.classNames must be 2 strings/,
    );
  });

  it('interpolates the scale from light to dark', () => {
    expect(colourAt(0)).toBe('#f7fbff');
    expect(colourAt(1)).toBe('#08306b');
    expect(luminance(colourAt(0.5))).toBeLessThan(luminance(colourAt(0.25)));
  });
});

describe('barChartSvg', () => {
  it('draws one bar per value with its label and value', () => {
    const svg = barChartSvg({
      title: 'Test accuracy',
      yLabel: 'Accuracy',
      bars: [
        { label: 'sgd', value: 0.9712 },
        { label: 'adam', value: 0.9803 },
        { label: 'diverged', value: NaN },
      ],
    });
    const doc = expectCleanSvg(svg);
    const texts = textContents(doc);
    for (const t of ['Test accuracy', 'Accuracy', 'sgd', 'adam', 'diverged', '0.9712', '0.9803', 'n/a']) expect(texts).toContain(t);
    const bars = doc.elements.filter((e) => e.name === 'rect' && e.attrs.rx === '2');
    expect(bars).toHaveLength(2);
    expect(Number(bars[1]!.attrs.height)).toBeGreaterThan(Number(bars[0]!.attrs.height));
  });

  it('validates its input', () => {
    expect(() => barChartSvg({ title: 'T', yLabel: 'y', bars: [{ label: 1 as never, value: 1 }] })).toThrow(/options.bars\[0\] must be/);
  });
});
