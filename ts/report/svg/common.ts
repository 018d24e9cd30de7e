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
 * Largest |value| an axis spans. Beyond it `max - min` and the chart's scaling could
 * overflow to Infinity; the charts leave such values out like non-finite ones.
 */
export const AXIS_LIMIT = 1e300;

/** Font sizes every chart uses, so the report's figures look alike. */
export const TITLE_SIZE = 17;
export const LABEL_SIZE = 13;
export const TICK_SIZE = 12;
/** A plot keeps at least this many pixels each way, however long the labels or tall the legend. */
export const MIN_PLOT = 60;

/** Whether a chart can place `v` on an axis: finite and within ±AXIS_LIMIT. */
export function isPlottable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= AXIS_LIMIT;
}

// A range narrower than this fraction of its values cannot get distinct ticks: min / step
// passes 2^53 (where k + 1 === k) and labels would need more digits than a double has. Such
// a range (0.1 + 0.2 vs 0.3, 1e16 vs 1e16 + 2) is drawn like a single value.
const RELATIVE_RESOLUTION = 1e-9;
// Magnitudes below this count as zero: their steps would underflow 10 ** exponent.
const TINY = 1e-200;
const MAX_INTERVALS = 1000;

/**
 * Tick values at a 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) covering [min, max] with
 * about `target` intervals. A degenerate range (one value, or a few ULPs) is widened around
 * that value. Always returns 2 to 3 * target + 2 finite ticks (target taken as 1 to 1000).
 */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, target);
  const intervals = Number.isFinite(target) ? Math.min(MAX_INTERVALS, Math.max(1, target)) : 5;
  const [low, high] = widenIfDegenerate(clampToAxis(Math.min(min, max)), clampToAxis(Math.max(min, max)));
  return stepTicks(low, high, intervals) ?? evenTicks(low, high, intervals);
}

function clampToAxis(v: number): number {
  return Math.min(AXIS_LIMIT, Math.max(-AXIS_LIMIT, v));
}

function widenIfDegenerate(min: number, max: number): [number, number] {
  const magnitude = Math.max(Math.abs(min), Math.abs(max));
  if (magnitude >= TINY && max - min > magnitude * RELATIVE_RESOLUTION) return [min, max];
  const centre = min / 2 + max / 2;
  const pad = magnitude < TINY ? 1 : magnitude * 0.1;
  return [centre - pad, centre + pad];
}

/** The 1-2-5 ticks, or null if the step cannot resolve the range (never for sane input). */
function stepTicks(min: number, max: number, intervals: number): Ticks | null {
  const raw = (max - min) / intervals;
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
  // The tick count is an integer checked up front, so no loop depends on float increments.
  const count = last - first + 1;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || !(count >= 2 && count <= 3 * intervals + 2)) return null;
  const values = Array.from({ length: count }, (_, i) => value(first + i));
  if (!values.every(Number.isFinite) || !(step > 0) || values[0]! > min || values[count - 1]! < max) return null;
  return { min: values[0]!, max: values[count - 1]!, step, values };
}

/** Fallback that cannot fail: equal steps from min to max, not rounded to 1-2-5. */
function evenTicks(min: number, max: number, intervals: number): Ticks {
  const n = Math.max(1, Math.round(intervals));
  const step = max / n - min / n;
  const values = Array.from({ length: n + 1 }, (_, i) => (i === n ? max : min + step * i));
  return { min, max, step, values };
}

/** Formats a tick value with just enough decimals for the step (0.5 -> "0.5", 2000 -> "2000"). */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return Number(value.toPrecision(significantDigits(abs, step))).toExponential();
  return value.toFixed(significantDecimals(step));
}

function significantDecimals(step: number): number {
  return Math.max(0, Math.min(20, -Math.floor(Math.log10(step) + 1e-9)));
}

/** At least 3 significant digits, more when neighbouring ticks would look alike (1e7 + 0.5). */
function significantDigits(abs: number, step: number): number {
  const digits = Math.floor(Math.log10(abs) + 1e-9) - Math.floor(Math.log10(step) + 1e-9) + 1;
  return Number.isFinite(digits) ? Math.max(3, Math.min(15, digits)) : 3;
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

/** Largest width or height a chart accepts: bigger ones mean millions of grid lines. */
export const MAX_SIZE = 20_000;

/** Checks an optional width/height option: a number of pixels from `min` to MAX_SIZE. */
export function checkSize(fn: string, arg: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return Math.min(MAX_SIZE, fallback);
  if (typeof value !== 'number' || !(value >= min && value <= MAX_SIZE)) {
    throw new ValueError(`${fn}: argument ${arg} must be a number of pixels from ${min} to ${MAX_SIZE}, got ${describe(value)}`);
  }
  return value;
}

/** Short deterministic hash, used to give gradients ids that differ between charts on one page. */
export function shortHash(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
