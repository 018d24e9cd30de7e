// Argument checks shared by the public API; each error names function, argument, expected
// and actual value.

import { ValueError, describe } from './errors.js';

export function checkOptions(options: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const near = closest(key, allowed);
      throw new ValueError(`${where}: unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; known options: ${allowed.join(', ')}`);
    }
  }
  return options as Record<string, unknown>;
}

/** The largest count the engine's 32-bit sizes take without wrapping. */
export const MAX_ENGINE_COUNT = 2 ** 31 - 1;

export function positiveInteger(value: unknown, where: string, arg: string, max = Number.MAX_SAFE_INTEGER): number {
  return integerIn(value, 1, max, 'a positive integer', where, arg);
}

export function nonNegativeInteger(value: unknown, where: string, arg: string, max = Number.MAX_SAFE_INTEGER): number {
  return integerIn(value, 0, max, 'a non-negative integer', where, arg);
}

function integerIn(value: unknown, low: number, max: number, kind: string, where: string, arg: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? '' : ` up to ${max}`;
    throw new ValueError(`${where}: ${arg} must be ${kind}${range}, got ${describe(value)}`);
  }
  return value;
}

export function positiveFinite(value: unknown, where: string, arg: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValueError(`${where}: ${arg} must be a finite number > 0, got ${describe(value)}`);
  }
  return value;
}

/** A number > 0 that stays finite and non-zero in float32, as the engine holds it. */
export function positiveFloat32(value: unknown, where: string, arg: string): number {
  const v = positiveFinite(value, where, arg);
  const f = Math.fround(v);
  if (f === 0 || !Number.isFinite(f)) {
    throw new ValueError(`${where}: ${arg} must be a finite number > 0 in float32 (the engine's precision), got ${describe(value)}, which is ${f} in float32`);
  }
  return v;
}

/** A number in [0, 1) that stays below 1 in float32. */
export function unitFloat32(value: unknown, where: string, arg: string): number {
  const v = inRange(value, 0, 1, where, arg);
  if (Math.fround(v) >= 1) throw new ValueError(`${where}: ${arg} must be a number in [0, 1) in float32 (the engine's precision), got ${describe(value)}, which is 1 in float32`);
  return v;
}

export function inRange(value: unknown, low: number, high: number, where: string, arg: string): number {
  if (typeof value !== 'number' || !(value >= low && value < high)) {
    throw new ValueError(`${where}: ${arg} must be a number in [${low}, ${high}), got ${describe(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, choices: readonly T[], where: string, arg: string): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new ValueError(`${where}: ${arg} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** Seeds are integers in [0, 2^53); split into the two u32 halves the engine takes. */
export function seedParts(value: unknown, where: string): [number, number] {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValueError(`${where}: seed must be a non-negative safe integer, got ${describe(value)}`);
  }
  return [value >>> 0, Math.floor(value / 2 ** 32) >>> 0];
}

/** A fresh seed when none is given; the object records it so the run can be repeated. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function closest(word: string, options: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | null = null;
  let bestDistance = 3;
  for (const option of options) {
    const d = editDistance(norm(word), norm(option));
    if (d < bestDistance) {
      bestDistance = d;
      best = option;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}
