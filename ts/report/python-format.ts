// Number formatting that matches Python's `format(x, '.Nf')`, which scikit-learn's
// classification_report uses. JavaScript's toFixed is also exactly rounded, except that
// it breaks exact ties upwards (0.125 -> "0.13") where Python rounds half to even
// ("0.12"). Ties are real here: a precision of 1/8 is exactly 0.125 in binary.

/**
 * Formats `x` with exactly `digits` decimals, rounding half to even like Python.
 * `digits` must be an integer in [0, 100].
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  const rounded = x.toFixed(digits);
  if (digits >= 100 || Math.abs(x) >= 1e21) return rounded;
  // toFixed(100) is the exact decimal expansion for any double whose expansion is that
  // short, which every tie at `digits` decimals is (it ends in a 5 at position digits+1).
  const exact = x.toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (tail[0] !== '5' || !isAllZeros(tail, 1)) return rounded;
  // Exact tie: toFixed rounded away from zero; keep the truncated value if it is even.
  const truncated = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
  const lastDigit = Number(truncated[truncated.length - 1]);
  return lastDigit % 2 === 0 ? truncated : rounded;
}

function isAllZeros(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (s[i] !== '0') return false;
  return true;
}

/** Right-aligns `s` in a field of `width` characters, like Python's `{:>width}`. */
export function padLeft(s: string, width: number): string {
  const length = textLength(s);
  return length >= width ? s : ' '.repeat(width - length) + s;
}

/** Length in code points, which is what Python's len() and its padding count. */
export function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
