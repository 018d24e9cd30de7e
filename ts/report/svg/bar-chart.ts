// Vertical bar chart as an SVG string, for comparing one number across a few runs (e.g. the
// test accuracy of several configurations). Bars start at zero unless `yMin` says otherwise,
// so their lengths stay honest; each bar carries its value on top.

import { ValueError, describe } from '../../api/errors.js';
import {
  AXIS_COLOUR,
  GRID_COLOUR,
  MUTED_TEXT,
  PALETTE,
  SVG_CLOSE,
  checkSize,
  escapeXml,
  formatTick,
  formatValue,
  niceTicks,
  px,
  svgOpen,
  svgText,
  textWidth,
} from './common.js';

const FN = 'barChartSvg';

export interface BarChartOptions {
  title: string;
  yLabel: string;
  xLabel?: string;
  bars: { label: string; value: number }[];
  /** Lower end of the value axis (default 0, or the smallest value if that is negative). */
  yMin?: number;
  /** Formats the value printed on each bar (default: up to 4 significant digits). */
  formatValue?: (value: number) => string;
  /** CSS colour of the bars (default: the first palette colour). */
  color?: string;
  width?: number;
  height?: number;
}

const TITLE_SIZE = 17;
const LABEL_SIZE = 13;
const TICK_SIZE = 12;

export function barChartSvg(options: BarChartOptions): string {
  const bars = checkBars(options.bars);
  const width = checkSize(FN, 'options.width', options.width, Math.max(360, 120 + bars.length * 90), 200);
  const height = checkSize(FN, 'options.height', options.height, 400, 150);
  const format = options.formatValue ?? formatValue;
  const colour = escapeXml(options.color ?? PALETTE[0]!);

  const finite = bars.map((b) => b.value).filter(Number.isFinite);
  const low = Math.min(options.yMin ?? 0, ...finite);
  const high = Math.max(low, ...finite);
  const ticks = niceTicks(low, high === low ? low + 1 : high, Math.max(3, Math.round(height / 80)));
  const tickLabels = ticks.values.map((v) => formatTick(v, ticks.step));

  const names = bars.map((b) => b.label);
  const slotGuess = (width - 120) / Math.max(1, bars.length);
  const rotate = Math.max(0, ...names.map((n) => textWidth(n, TICK_SIZE))) > slotGuess - 8;
  const namesHeight = rotate ? Math.max(...names.map((n) => textWidth(n, TICK_SIZE))) * Math.SQRT1_2 + TICK_SIZE : TICK_SIZE + 6;

  const top = 66;
  const left = 22 + LABEL_SIZE + 10 + Math.max(...tickLabels.map((l) => textWidth(l, TICK_SIZE))) + 10;
  const right = width - 20;
  const bottom = height - 20 - (options.xLabel ? LABEL_SIZE + 12 : 0) - namesHeight;
  const sy = (v: number) => bottom - ((v - ticks.min) / (ticks.max - ticks.min)) * (bottom - top);
  const slot = (right - left) / Math.max(1, bars.length);
  const barWidth = Math.min(80, slot * 0.62);
  const base = sy(Math.min(Math.max(0, ticks.min), ticks.max));

  let svg = svgOpen(width, height, options.title);
  svg += svgText((left + right) / 2, 30, options.title, { size: TITLE_SIZE, weight: 'bold', anchor: 'middle' }) + '\n';
  svg += `<g stroke="${GRID_COLOUR}" stroke-width="1">\n`;
  for (const v of ticks.values) svg += `<line x1="${px(left)}" y1="${px(sy(v))}" x2="${px(right)}" y2="${px(sy(v))}"/>\n`;
  svg += '</g>\n';
  ticks.values.forEach((v, i) => {
    svg += svgText(left - 8, sy(v), tickLabels[i]!, { size: TICK_SIZE, anchor: 'end', baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  });

  bars.forEach((b, i) => {
    const cx = left + (i + 0.5) * slot;
    if (Number.isFinite(b.value)) {
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
  svg += svgText(22, (top + bottom) / 2, options.yLabel, { size: LABEL_SIZE, anchor: 'middle', rotate: -90, baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  if (options.xLabel) {
    svg += svgText((left + right) / 2, height - 16, options.xLabel, { size: LABEL_SIZE, anchor: 'middle', fill: MUTED_TEXT }) + '\n';
  }
  return svg + SVG_CLOSE;
}

function checkBars(bars: unknown): { label: string; value: number }[] {
  if (!Array.isArray(bars)) {
    throw new ValueError(`${FN}: argument options.bars must be an array of { label, value }, got ${describe(bars)}`);
  }
  bars.forEach((b: { label?: unknown; value?: unknown } | null, i) => {
    if (b === null || typeof b !== 'object' || typeof b.label !== 'string' || typeof b.value !== 'number') {
      throw new ValueError(`${FN}: argument options.bars[${i}] must be { label: string, value: number }, got ${describe(b)}`);
    }
  });
  return bars as { label: string; value: number }[];
}
