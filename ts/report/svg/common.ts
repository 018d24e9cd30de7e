// Small shared pieces of the SVG charts: escaping, "nice" axis ticks, colours, text width
// estimates and the document wrapper. No DOM: every chart is built as a string so it works
// the same in Node, in a browser and in a worker, and can be written straight to a file.

import { ValueError, describe } from '../../api/errors.js';

/** Distinct, colour-blind-friendly series colours (Tableau 10), in order of use. */
export const PALETTE = [
  '#4e79a7', // blue
  '#f28e2b', // orange
  '#59a14f', // green
  '#e15759', // red
  '#b07aa1', // purple
  '#76b7b2', // teal
  '#edc948', // yellow
  '#ff9da7', // pink
  '#9c755f', // brown
  '#bab0ac', // grey
];

export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
export const TEXT_COLOUR = '#1f2937';
export const MUTED_TEXT = '#4b5563';
export const GRID_COLOUR = '#e5e7eb';
export const AXIS_COLOUR = '#9ca3af';

/** Escapes text for use in SVG/HTML content and double-quoted attributes. */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of String(text)) {
    const code = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    // Control characters are not allowed in XML 1.0 at all; drop them rather than emit a broken file.
    else if (code < 0x20 && ch !== '\n' && ch !== '\t') continue;
    else out += ch;
  }
  return out;
}

/** Rounds a coordinate to 2 decimals: smaller files, and no "1e-7"-style numbers in attributes. */
export function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

export interface Ticks {
  /** The axis domain, widened to whole steps so the first and last ticks sit on the ends. */
  min: number;
  max: number;
  step: number;
  values: number[];
}

/**
 * Tick values at a 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) covering [min, max] with
 * about `target` intervals. A degenerate range (one value) is widened around that value.
 */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, target);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, target);
  const exponent = Math.floor(Math.log10(raw));
  const fraction = raw / 10 ** exponent;
  const mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  // Build ticks as integer * mantissa * 10^exponent so 0.1 + 0.2-style drift never shows up.
  const value = (k: number) => (exponent < 0 ? (k * mantissa) / 10 ** -exponent : k * mantissa * 10 ** exponent);
  const step = value(1);
  // The 1e-9 slack stops 0.30000000000000004 / 0.1 from adding a whole extra step; the
  // checks after it make sure rounding never leaves a data value outside the domain.
  let first = Math.floor(min / step + 1e-9);
  let last = Math.ceil(max / step - 1e-9);
  if (value(first) > min) first--;
  if (value(last) < max) last++;
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(value(k));
  return { min: value(first), max: value(last), step, values };
}

/** Formats a tick value with just enough decimals for the step (0.5 -> "0.5", 2000 -> "2000"). */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return Number(value.toPrecision(3)).toExponential();
  return value.toFixed(significantDecimals(step));
}

function significantDecimals(step: number): number {
  return Math.max(0, Math.min(20, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Short human formatting for a data value (value labels, legends): 4 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(4)));
}

/**
 * Estimated rendered width of `text` in a sans-serif font. SVG has no layout engine, so
 * legends and margins are sized from this (slightly generous) average glyph width.
 */
export function textWidth(text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) {
    if ('il.,:;|!\'" '.includes(ch)) units += 0.3;
    else if ('mwMW@%'.includes(ch)) units += 0.85;
    else if (ch >= 'A' && ch <= 'Z') units += 0.66;
    else units += 0.56;
  }
  return units * fontSize;
}

/** Opening of a chart document: size, accessible title, font and a white background. */
export function svgOpen(width: number, height: number, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" ` +
    `viewBox="0 0 ${px(width)} ${px(height)}" role="img" font-family="${escapeXml(FONT_FAMILY)}">\n` +
    `<title>${escapeXml(title)}</title>\n` +
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>\n`
  );
}

export const SVG_CLOSE = '</svg>\n';

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold' | number;
  fill?: string;
  /** Rotation in degrees around (x, y). */
  rotate?: number;
  /** Vertical alignment: 'middle' centres the text on y, 'hanging' puts its top at y. */
  baseline?: 'alphabetic' | 'middle' | 'hanging';
  /** Draw a white outline behind the glyphs so the text stays readable over lines. */
  halo?: boolean;
}

/** A `<text>` element. */
export function svgText(x: number, y: number, text: string, o: TextOptions = {}): string {
  const attrs = [`x="${px(x)}"`, `y="${px(y)}"`, `font-size="${o.size ?? 12}"`, `fill="${o.fill ?? TEXT_COLOUR}"`];
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.weight && o.weight !== 'normal') attrs.push(`font-weight="${o.weight}"`);
  // dy instead of dominant-baseline: it is honoured by every SVG renderer.
  if (o.baseline === 'middle') attrs.push('dy="0.35em"');
  if (o.baseline === 'hanging') attrs.push('dy="0.8em"');
  if (o.halo) attrs.push('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"');
  if (o.rotate) attrs.push(`transform="rotate(${px(o.rotate)} ${px(x)} ${px(y)})"`);
  return `<text ${attrs.join(' ')}>${escapeXml(text)}</text>`;
}

/** Checks an optional width/height option: a finite number of at least `min` pixels. */
export function checkSize(fn: string, arg: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ValueError(`${fn}: argument ${arg} must be a number of pixels >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** Short deterministic hash, used to give gradients ids that differ between charts on one page. */
export function shortHash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
