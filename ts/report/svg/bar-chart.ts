// Vertical bar chart as an SVG string, for comparing one number across a few runs (e.g. the
// test accuracy of several configurations). Bars start at zero unless `yMin` says otherwise,
// so their lengths stay honest; each bar carries its value on top.

import { ValueError, describe } from '../../api/errors.js';
import { checkLabel, checkOptionsObject } from '../validate.js';
import {
  AXIS_COLOUR,
  checkSize,
  escapeXml,
  formatTick,
  formatValue,
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
} from './common.js';

const FN = 'barChartSvg';
const OPTION_NAMES = ['title', 'yLabel', 'xLabel', 'bars', 'yMin', 'formatValue', 'color', 'width', 'height'];

export interface BarChartOptions {
  title: string;
  yLabel: string;
  xLabel?: string;
  /** At most 1000 bars; a NaN (or beyond ±1e300) value is drawn as "n/a". */
  bars: { label: string; value: number }[];
  /** Lower end of the value axis (default 0, or the smallest value if that is negative). */
  yMin?: number;
  /** Formats the value printed on each bar (default: up to 4 significant digits). */
  formatValue?: (value: number) => string;
  /** CSS colour of the bars (default: the first palette colour). */
  color?: string;
  /** Pixels (default: 90 per bar, at least 360, at most 20000). */
  width?: number;
  /** Pixels (default 400, at most 20000; more if long bar labels need the room). */
  height?: number;
}

// A chart of more bars than this has no room left for a bar, let alone its label.
const MAX_BARS = 1000;

export function barChartSvg(options: BarChartOptions): string {
  const o = checkOptionsObject(FN, options, OPTION_NAMES, true);
  const title = checkLabel(FN, 'options.title', o.title);
  const yLabel = checkLabel(FN, 'options.yLabel', o.yLabel);
  const xLabel = o.xLabel === undefined ? '' : checkLabel(FN, 'options.xLabel', o.xLabel);
  const bars = checkBars(o.bars);
  const requestedWidth = checkSize(FN, 'options.width', o.width, Math.max(360, 120 + bars.length * 90), 200);
  const requestedHeight = checkSize(FN, 'options.height', o.height, 400, 150);
  const format = checkFormatter(o.formatValue);
  const colour = escapeXml(o.color === undefined ? PALETTE[0]! : checkLabel(FN, 'options.color', o.color));
  const yMin = checkYMin(o.yMin);

  const plottable = bars.map((b) => b.value).filter(isPlottable);
  const low = Math.min(yMin, ...plottable);
  const high = Math.max(low, ...plottable);
  const ticks = niceTicks(low, high === low ? low + 1 : high, Math.max(3, Math.round(requestedHeight / 80)));
  const tickLabels = ticks.values.map((v) => formatTick(v, ticks.step));

  const names = bars.map((b) => b.label);
  const slotGuess = (requestedWidth - 120) / Math.max(1, bars.length);
  const rotate = Math.max(0, ...names.map((n) => textWidth(n, TICK_SIZE))) > slotGuess - 8;
  const namesHeight = rotate ? Math.max(...names.map((n) => textWidth(n, TICK_SIZE))) * Math.SQRT1_2 + TICK_SIZE : TICK_SIZE + 6;

  const top = 66;
  const left = 22 + LABEL_SIZE + 10 + Math.max(...tickLabels.map((l) => textWidth(l, TICK_SIZE))) + 10;
  const below = 20 + (xLabel ? LABEL_SIZE + 12 : 0) + namesHeight;
  // Long rotated labels or wide tick labels grow the canvas rather than squeeze the plot away.
  const width = Math.max(requestedWidth, left + MIN_PLOT + 20);
  const height = Math.max(requestedHeight, top + MIN_PLOT + below);
  const right = width - 20;
  const bottom = height - below;
  const sy = (v: number) => bottom - ((v - ticks.min) / (ticks.max - ticks.min)) * (bottom - top);
  const slot = (right - left) / Math.max(1, bars.length);
  const barWidth = Math.min(80, slot * 0.62);
  const base = sy(Math.min(Math.max(0, ticks.min), ticks.max));

  let svg = svgOpen(width, height, title);
  svg += svgText((left + right) / 2, 30, title, { size: TITLE_SIZE, weight: 'bold', anchor: 'middle' }) + '\n';
  svg += `<g stroke="${GRID_COLOUR}" stroke-width="1">\n`;
  for (const v of ticks.values) svg += `<line x1="${px(left)}" y1="${px(sy(v))}" x2="${px(right)}" y2="${px(sy(v))}"/>\n`;
  svg += '</g>\n';
  ticks.values.forEach((v, i) => {
    svg += svgText(left - 8, sy(v), tickLabels[i]!, { size: TICK_SIZE, anchor: 'end', baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  });

  bars.forEach((b, i) => {
    const cx = left + (i + 0.5) * slot;
    if (isPlottable(b.value)) {
      const y = sy(b.value);
      const [y0, y1] = y < base ? [y, base] : [base, y];
      svg += `<rect x="${px(cx - barWidth / 2)}" y="${px(y0)}" width="${px(barWidth)}" height="${px(Math.max(0, y1 - y0))}" fill="${colour}" rx="2"/>\n`;
      svg += svgText(cx, b.value >= 0 ? y0 - 6 : y1 + 14, format(b.value), { size: TICK_SIZE, anchor: 'middle', weight: 'bold', halo: true }) + '\n';
    } else {
      svg += svgText(cx, base - 6, 'n/a', { size: TICK_SIZE, anchor: 'middle', fill: MUTED_TEXT }) + '\n';
    }
    svg += rotate
      ? svgText(cx + 4, bottom + 10, b.label, { size: TICK_SIZE, anchor: 'end', rotate: -45, baseline: 'middle' }) + '\n'
      : svgText(cx, bottom + 8, b.label, { size: TICK_SIZE, anchor: 'middle', baseline: 'hanging' }) + '\n';
  });
  svg += `<line x1="${px(left)}" y1="${px(base)}" x2="${px(right)}" y2="${px(base)}" stroke="${AXIS_COLOUR}" stroke-width="1"/>\n`;
  svg += svgText(22, (top + bottom) / 2, yLabel, { size: LABEL_SIZE, anchor: 'middle', rotate: -90, baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  if (xLabel) {
    svg += svgText((left + right) / 2, height - 16, xLabel, { size: LABEL_SIZE, anchor: 'middle', fill: MUTED_TEXT }) + '\n';
  }
  return svg + SVG_CLOSE;
}

function checkBars(bars: unknown): { label: string; value: number }[] {
  if (!Array.isArray(bars)) {
    throw new ValueError(`${FN}: argument options.bars must be an array of { label, value }, got ${describe(bars)}`);
  }
  if (bars.length > MAX_BARS) {
    throw new ValueError(`${FN}: argument options.bars must hold at most ${MAX_BARS} bars, got ${describe(bars)}`);
  }
  bars.forEach((b: { label?: unknown; value?: unknown } | null, i) => {
    if (b === null || typeof b !== 'object' || typeof b.label !== 'string' || typeof b.value !== 'number') {
      throw new ValueError(`${FN}: argument options.bars[${i}] must be { label: string, value: number }, got ${describe(b)}`);
    }
    checkLabel(FN, `options.bars[${i}].label`, b.label);
  });
  return bars as { label: string; value: number }[];
}

function checkYMin(yMin: unknown): number {
  if (yMin === undefined) return 0;
  if (typeof yMin !== 'number' || !isPlottable(yMin)) {
    throw new ValueError(`${FN}: argument options.yMin must be a finite number from -1e300 to 1e300, got ${describe(yMin)}`);
  }
  return yMin;
}

/** The value formatter, checked once here and its every result checked where it is used. */
function checkFormatter(format: unknown): (value: number) => string {
  if (format === undefined) return formatValue;
  if (typeof format !== 'function') {
    throw new ValueError(`${FN}: argument options.formatValue must be a function (value: number) => string, got ${describe(format)}`);
  }
  return (value) => {
    const text: unknown = format(value);
    if (typeof text !== 'string') {
      throw new ValueError(`${FN}: argument options.formatValue must return a string, got ${describe(text)} for the value ${value}`);
    }
    return checkLabel(FN, `options.formatValue(${value})`, text);
  };
}
