// Confusion matrix as an SVG heat map: one shaded cell per (true, predicted) pair with its
// count printed in a colour that stays readable on that shade, class names on both axes and
// a colour bar, like scikit-learn's ConfusionMatrixDisplay.

import { ValueError, describe } from '../../api/errors.js';
import { MAX_LABEL_LENGTH, checkConfusion, checkLabel, checkNames, checkOptionsObject } from '../validate.js';
import {
  formatTick,
  formatValue,
  LABEL_SIZE,
  MUTED_TEXT,
  niceTicks,
  px,
  shortHash,
  SVG_CLOSE,
  svgOpen,
  svgText,
  TEXT_COLOUR,
  textWidth,
  TICK_SIZE,
  TITLE_SIZE,
} from './common.js';

const FN = 'confusionMatrixSvg';

/**
 * Most classes a heat map draws: its SVG grows with n², and 300 classes already make a
 * 15 MB, 7800-pixel-wide drawing (1000 would take seconds and 170 MB).
 */
export const MAX_HEATMAP_CLASSES = 300;

export interface HeatmapOptions {
  /** Default "Confusion matrix". */
  title?: string;
  /** Display names, one per label (default: the label numbers). */
  classNames?: string[];
}

// Sequential "Blues" scale (ColorBrewer), light = few samples, dark = many.
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

export function confusionMatrixSvg(cm: { labels: number[]; matrix: number[][] }, options: HeatmapOptions = {}): string {
  const { labels, matrix } = checkMatrix(cm);
  const n = labels.length;
  const o = checkOptionsObject(FN, options, ['title', 'classNames']);
  const names = checkNames(FN, 'options.classNames', o.classNames, n, MAX_LABEL_LENGTH) ?? labels.map(String);
  const title = o.title === undefined ? 'Confusion matrix' : checkLabel(FN, 'options.title', o.title);
  let max = 0;
  for (const row of matrix) for (const v of row) max = Math.max(max, v);

  // Cells shrink as classes are added so a 10-class matrix stays around 450 px square.
  const cell = Math.max(26, Math.min(64, Math.floor(460 / Math.max(1, n))));
  const countSize = Math.round(10 * Math.min(14, cell * 0.34, (cell - 6) / (0.6 * Math.max(1, formatValue(max).length)))) / 10;
  const nameWidth = Math.max(...names.map((s) => textWidth(s, TICK_SIZE)));
  // Column names that do not fit under their cell are turned 45 degrees.
  const rotateX = nameWidth > cell - 6;
  const xNamesHeight = rotateX ? nameWidth * 0.62 + TICK_SIZE / 2 : TICK_SIZE + 4;

  const left = 22 + LABEL_SIZE + 12 + nameWidth + 10;
  const top = 50;
  const size = cell * n;
  const scale = colourBar(max, left + size + 24, top, size);
  const width = Math.max(scale.right + 16, left + size / 2 + textWidth(title, TITLE_SIZE) / 2 + 16);
  const height = top + size + 8 + xNamesHeight + 12 + LABEL_SIZE + 14;

  let svg = svgOpen(width, height, title);
  svg += scale.defs;
  svg += svgText(left + size / 2, 30, title, { size: TITLE_SIZE, weight: 'bold', anchor: 'middle' }) + '\n';

  svg += '<g stroke="#ffffff" stroke-width="1">\n';
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      svg += `<rect x="${px(left + j * cell)}" y="${px(top + i * cell)}" width="${px(cell)}" height="${px(cell)}" fill="${colourAt(max === 0 ? 0 : v / max)}"/>\n`;
    }),
  );
  svg += '</g>\n';
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const fill = luminance(colourAt(max === 0 ? 0 : v / max)) < 0.45 ? '#ffffff' : TEXT_COLOUR;
      svg += svgText(left + (j + 0.5) * cell, top + (i + 0.5) * cell, formatValue(v), { size: countSize, anchor: 'middle', baseline: 'middle', fill }) + '\n';
    }),
  );

  // Axis names: rows are true labels, columns are predicted labels.
  names.forEach((name, i) => {
    svg += svgText(left - 8, top + (i + 0.5) * cell, name, { size: TICK_SIZE, anchor: 'end', baseline: 'middle' }) + '\n';
    const x = left + (i + 0.5) * cell;
    svg += rotateX
      ? svgText(x + 4, top + size + 10, name, { size: TICK_SIZE, anchor: 'end', rotate: -45, baseline: 'middle' }) + '\n'
      : svgText(x, top + size + 8, name, { size: TICK_SIZE, anchor: 'middle', baseline: 'hanging' }) + '\n';
  });
  svg += svgText(left + size / 2, top + size + 8 + xNamesHeight + 12 + LABEL_SIZE, 'Predicted label', { size: LABEL_SIZE, anchor: 'middle', weight: 'bold', fill: MUTED_TEXT }) + '\n';
  svg += svgText(22, top + size / 2, 'True label', { size: LABEL_SIZE, anchor: 'middle', weight: 'bold', rotate: -90, baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  svg += scale.body;
  return svg + SVG_CLOSE;
}

/** A vertical gradient bar from 0 (bottom) to the largest count (top), with ticks. */
function colourBar(max: number, x: number, top: number, height: number): { defs: string; body: string; right: number } {
  const id = `cm-scale-${shortHash(`${max}:${x}:${height}`)}`;
  const stops = BLUES.map((c, i) => `<stop offset="${px((i / (BLUES.length - 1)) * 100)}%" stop-color="${c}"/>`).join('');
  const defs = `<defs><linearGradient id="${id}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>\n`;
  const barWidth = 14;
  let body = `<rect x="${px(x)}" y="${px(top)}" width="${barWidth}" height="${px(height)}" fill="url(#${id})" stroke="#d1d5db" stroke-width="1"/>\n`;
  const domainMax = max > 0 ? max : 1;
  const ticks = niceTicks(0, domainMax, Math.max(2, Math.round(height / 70)));
  let labelWidth = 0;
  for (const v of ticks.values) {
    if (v < 0 || v > domainMax) continue;
    const y = top + height - (v / domainMax) * height;
    const label = formatTick(v, ticks.step);
    labelWidth = Math.max(labelWidth, textWidth(label, TICK_SIZE));
    body += `<line x1="${px(x + barWidth)}" y1="${px(y)}" x2="${px(x + barWidth + 4)}" y2="${px(y)}" stroke="#6b7280" stroke-width="1"/>\n`;
    body += svgText(x + barWidth + 7, y, label, { size: TICK_SIZE, baseline: 'middle', fill: MUTED_TEXT }) + '\n';
  }
  return { defs, body, right: x + barWidth + 7 + labelWidth };
}

/** Colour for t in [0, 1], interpolated between the scale's stops. */
export function colourAt(t: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const pos = clamped * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(pos));
  const a = rgb(BLUES[i]!);
  const b = rgb(BLUES[i + 1]!);
  const f = pos - i;
  const mix = a.map((c, k) => Math.round(c + (b[k]! - c) * f));
  return '#' + mix.map((c) => c.toString(16).padStart(2, '0')).join('');
}

/** Relative luminance (WCAG) of a #rrggbb colour, 0 = black, 1 = white. */
export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function checkMatrix(cm: unknown): { labels: number[]; matrix: number[][] } {
  const c = cm as { labels?: unknown; matrix?: unknown } | null;
  if (c === null || typeof c !== 'object') {
    throw new ValueError(`${FN}: argument cm must be { labels: number[], matrix: number[][] } (e.g. from confusionMatrix), got ${describe(cm)}`);
  }
  return checkConfusion(FN, { labels: 'cm.labels', matrix: 'cm.matrix' }, c.labels, c.matrix, MAX_HEATMAP_CLASSES);
}
