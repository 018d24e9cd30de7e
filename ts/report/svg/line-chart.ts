// Line chart as a standalone SVG string, meant for reports (e.g. training vs validation loss
// per iteration): title, legend, gridlines at 1-2-5 ticks, labelled axes. Non-finite points
// (a validation loss that was not computed, a diverged run) break the line instead of
// corrupting the drawing; so do absurd ones beyond ±1e300 (AXIS_LIMIT).

import { ShapeError, ValueError, describe } from '../../api/errors.js';
import { checkLabel, checkNumbers, checkOptionsObject } from '../validate.js';
import {
  AXIS_COLOUR,
  checkSize,
  escapeXml,
  formatTick,
  GRID_COLOUR,
  isPlottable,
  LABEL_SIZE,
  MIN_PLOT,
  MUTED_TEXT,
  niceTicks,
  PALETTE,
  px,
  SVG_CLOSE,
  svgOpen,
  svgText,
  textWidth,
  TICK_SIZE,
  TITLE_SIZE,
  type Ticks,
} from './common.js';

const FN = 'lineChartSvg';
const OPTION_NAMES = ['title', 'xLabel', 'yLabel', 'series', 'width', 'height'];

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** CSS colour; default: the next palette colour. */
  color?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** At most 1000 series and 1,000,000 points in all. */
  series: LineSeries[];
  /** Pixels (default 720, at most 20000). */
  width?: number;
  /** Pixels (default 440, at most 20000; more if the legend needs the room). */
  height?: number;
}

// Series with at most this many points also get a dot on every point.
const MARKER_LIMIT = 40;
// More series than this cannot be told apart (the palette has 10 colours), and more points
// than a plot has pixels only make the file huge; downsample first.
const MAX_SERIES = 1000;
const MAX_POINTS = 1_000_000;

export function lineChartSvg(options: LineChartOptions): string {
  const o = checkOptionsObject(FN, options, OPTION_NAMES, true);
  const title = checkLabel(FN, 'options.title', o.title);
  const xLabel = checkLabel(FN, 'options.xLabel', o.xLabel);
  const yLabel = checkLabel(FN, 'options.yLabel', o.yLabel);
  const requestedWidth = checkSize(FN, 'options.width', o.width, 720, 200);
  const requestedHeight = checkSize(FN, 'options.height', o.height, 440, 150);
  const series = checkSeries(o.series);
  const colours = series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const points = series.map(plottableSegments);

  const all = points.flat(2);
  const hasData = all.length > 0;
  const xTicks = hasData ? niceTicks(minOf(all, 0), maxOf(all, 0), Math.max(3, Math.round(requestedWidth / 110))) : niceTicks(0, 1);
  const yTicks = hasData ? niceTicks(minOf(all, 1), maxOf(all, 1), Math.max(3, Math.round(requestedHeight / 80))) : niceTicks(0, 1);
  const yTickLabels = yTicks.values.map((v) => formatTick(v, yTicks.step));

  // Layout, top to bottom: title, legend, plot, x tick labels, x axis label.
  const legend = layoutLegend(series.map((s) => s.name), requestedWidth);
  const top = 44 + legend.height + 10;
  const left = 22 + LABEL_SIZE + 10 + Math.max(...yTickLabels.map((l) => textWidth(l, TICK_SIZE))) + 10;
  // A tall legend or wide tick labels grow the canvas rather than squeeze the plot away.
  const width = Math.max(requestedWidth, left + MIN_PLOT + 28);
  const height = Math.max(requestedHeight, top + MIN_PLOT + 58);
  const right = width - 28;
  const bottom = height - 58;
  const plot = { left, right, top, bottom };
  const sx = (v: number) => left + ((v - xTicks.min) / (xTicks.max - xTicks.min)) * (right - left);
  const sy = (v: number) => bottom - ((v - yTicks.min) / (yTicks.max - yTicks.min)) * (bottom - top);

  let svg = svgOpen(width, height, title);
  svg += svgText((left + right) / 2, 28, title, { size: TITLE_SIZE, weight: 'bold', anchor: 'middle' }) + '\n';
  svg += grid(plot, xTicks, yTicks, sx, sy, yTickLabels);
  svg += svgText((left + right) / 2, height - 16, xLabel, { size: LABEL_SIZE, anchor: 'middle', fill: MUTED_TEXT }) + '\n';
  svg += svgText(22, (top + bottom) / 2, yLabel, { size: LABEL_SIZE, anchor: 'middle', rotate: -90, baseline: 'middle', fill: MUTED_TEXT }) + '\n';

  if (!hasData) {
    svg += svgText((left + right) / 2, (top + bottom) / 2, 'No data', { size: 14, anchor: 'middle', fill: MUTED_TEXT }) + '\n';
  }
  points.forEach((segments, i) => {
    svg += drawSeries(segments, colours[i]!, sx, sy);
  });
  legend.items.forEach((item, i) => {
    const dots = points[i]!.reduce((n, s) => n + s.length, 0) <= MARKER_LIMIT;
    svg += legendItem(item.x, 44 + item.row * 20 + 8, series[i]!.name, colours[i]!, dots);
  });
  return svg + SVG_CLOSE;
}

type Point = [number, number];

/** Splits a series into runs of consecutive plottable (finite, within ±AXIS_LIMIT) points. */
function plottableSegments(s: LineSeries): Point[][] {
  const segments: Point[][] = [];
  let current: Point[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!;
    const y = s.y[i]!;
    if (isPlottable(x) && isPlottable(y)) {
      current.push([x, y]);
    } else if (current.length > 0) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

function grid(
  plot: { left: number; right: number; top: number; bottom: number },
  xTicks: Ticks,
  yTicks: Ticks,
  sx: (v: number) => number,
  sy: (v: number) => number,
  yTickLabels: string[],
): string {
  const { left, right, top, bottom } = plot;
  let g = `<g stroke="${GRID_COLOUR}" stroke-width="1">\n`;
  for (const v of xTicks.values) g += `<line x1="${px(sx(v))}" y1="${px(top)}" x2="${px(sx(v))}" y2="${px(bottom)}"/>\n`;
  for (const v of yTicks.values) g += `<line x1="${px(left)}" y1="${px(sy(v))}" x2="${px(right)}" y2="${px(sy(v))}"/>\n`;
  g += '</g>\n';
  g += `<rect x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="none" stroke="${AXIS_COLOUR}" stroke-width="1"/>\n`;
  g += `<g stroke="${AXIS_COLOUR}" stroke-width="1">\n`;
  for (const v of xTicks.values) g += `<line x1="${px(sx(v))}" y1="${px(bottom)}" x2="${px(sx(v))}" y2="${px(bottom + 5)}"/>\n`;
  for (const v of yTicks.values) g += `<line x1="${px(left - 5)}" y1="${px(sy(v))}" x2="${px(left)}" y2="${px(sy(v))}"/>\n`;
  g += '</g>\n';
  for (const v of xTicks.values) {
    g += svgText(sx(v), bottom + 9, formatTick(v, xTicks.step), { size: TICK_SIZE, anchor: 'middle', baseline: 'hanging', fill: MUTED_TEXT }) + '\n';
  }
  yTicks.values.forEach((v, i) => {
    g += svgText(left - 9, sy(v), yTickLabels[i]!, { size: TICK_SIZE, anchor: 'end', baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  });
  return g;
}

function drawSeries(segments: Point[][], colour: string, sx: (v: number) => number, sy: (v: number) => number): string {
  const count = segments.reduce((n, s) => n + s.length, 0);
  let out = '';
  const lines = segments.filter((s) => s.length > 1);
  if (lines.length > 0) {
    const d = lines.map((s) => s.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(sx(x))} ${px(sy(y))}`).join(' ')).join(' ');
    out += `<path d="${d}" fill="none" stroke="${escapeXml(colour)}" stroke-width="2.25" stroke-linejoin="round" stroke-linecap="round"/>\n`;
  }
  // Dots for short series, and always for isolated points, which a path would not show.
  const dots = count <= MARKER_LIMIT ? segments.flat() : segments.filter((s) => s.length === 1).flat();
  if (dots.length > 0) {
    out += `<g fill="${escapeXml(colour)}" stroke="#ffffff" stroke-width="1">\n`;
    for (const [x, y] of dots) out += `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="3.5"/>\n`;
    out += '</g>\n';
  }
  return out;
}

interface LegendLayout {
  items: { x: number; row: number }[];
  height: number;
}

/** Centred legend rows under the title, wrapping when the names do not fit on one line. */
function layoutLegend(names: string[], width: number): LegendLayout {
  if (names.length === 0) return { items: [], height: 0 };
  const itemWidths = names.map((n) => 30 + textWidth(n, LABEL_SIZE));
  const gap = 22;
  const maxRow = width - 40;
  const rows: number[][] = [[]];
  let rowWidth = 0;
  itemWidths.forEach((w, i) => {
    const row = rows[rows.length - 1]!;
    if (row.length > 0 && rowWidth + gap + w > maxRow) {
      rows.push([i]);
      rowWidth = w;
    } else {
      row.push(i);
      rowWidth += (row.length > 1 ? gap : 0) + w;
    }
  });
  const items: { x: number; row: number }[] = [];
  rows.forEach((row, r) => {
    const total = row.reduce((s, i) => s + itemWidths[i]!, 0) + gap * (row.length - 1);
    let x = (width - total) / 2;
    for (const i of row) {
      items[i] = { x, row: r };
      x += itemWidths[i]! + gap;
    }
  });
  return { items, height: rows.length * 20 };
}

/** Legend entry drawn like its series: a line, with a dot if the series shows dots. */
function legendItem(x: number, y: number, name: string, colour: string, dot: boolean): string {
  const c = escapeXml(colour);
  return (
    `<g>` +
    `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 22)}" y2="${px(y)}" stroke="${c}" stroke-width="2.25" stroke-linecap="round"/>` +
    (dot ? `<circle cx="${px(x + 11)}" cy="${px(y)}" r="3.5" fill="${c}" stroke="#ffffff" stroke-width="1"/>` : '') +
    svgText(x + 30, y, name, { size: LABEL_SIZE, baseline: 'middle' }) +
    `</g>\n`
  );
}

function checkSeries(series: unknown): LineSeries[] {
  if (!Array.isArray(series)) {
    throw new ValueError(`${FN}: argument options.series must be an array of { name, x, y }, got ${describe(series)}`);
  }
  if (series.length > MAX_SERIES) {
    throw new ValueError(`${FN}: argument options.series must hold at most ${MAX_SERIES} series, got ${describe(series)}`);
  }
  let total = 0;
  series.forEach((s: unknown, i) => {
    total += checkOneSeries(s, `options.series[${i}]`).x.length;
  });
  if (total > MAX_POINTS) {
    throw new ValueError(`${FN}: argument options.series must hold at most ${MAX_POINTS} points in all (downsample longer histories), got ${total}`);
  }
  return series as LineSeries[];
}

function checkOneSeries(s: unknown, arg: string): LineSeries {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) {
    throw new ValueError(`${FN}: argument ${arg} must be { name: string, x: number[], y: number[] }, got ${describe(s)}`);
  }
  const { name, x, y, color } = s as Record<string, unknown>;
  checkLabel(FN, `${arg}.name`, name);
  const xs = checkNumbers(FN, `${arg}.x`, x);
  const ys = checkNumbers(FN, `${arg}.y`, y);
  if (color !== undefined) checkLabel(FN, `${arg}.color`, color);
  if (xs.length !== ys.length) {
    throw new ShapeError(`${FN}: argument ${arg}.y must have the same length as its x (${xs.length}), got ${describe(y)}`);
  }
  return s as LineSeries;
}

function minOf(points: Point[], axis: 0 | 1): number {
  let m = Infinity;
  for (const p of points) if (p[axis] < m) m = p[axis];
  return m;
}

function maxOf(points: Point[], axis: 0 | 1): number {
  let m = -Infinity;
  for (const p of points) if (p[axis] > m) m = p[axis];
  return m;
}
