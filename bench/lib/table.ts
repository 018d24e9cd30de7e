// Two renderings of the same rows: a fixed-width table for the terminal and a Markdown table
// for reports/README. Numbers are right-aligned by default, text left-aligned.

export type Cell = string | number | null | undefined;
export type Align = 'left' | 'right';

export interface TableOptions {
  /** Per-column alignment; by default a column is right-aligned when every cell in it is a number. */
  align?: Align[];
  /** How numbers are turned into text. Default: formatNumber. */
  format?: (value: number) => string;
}

/** 1234567.8 -> "1,234,568"; 12.345 -> "12.3"; 0.01234 -> "0.0123". Three significant digits
 *  below 100, integers with thousands separators above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(value.toPrecision(3)).toString();
}

function cellText(cell: Cell, format: (v: number) => string): string {
  if (cell === null || cell === undefined) return '–';
  return typeof cell === 'number' ? format(cell) : cell;
}

function columnAligns(headers: readonly string[], rows: readonly Cell[][], align?: Align[]): Align[] {
  return headers.map((_, c) => {
    if (align?.[c]) return align[c];
    const numeric = rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] == null);
    return numeric ? 'right' : 'left';
  });
}

function pad(text: string, width: number, align: Align): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** Fixed-width text table with a dashed rule under the header. */
export function renderTextTable(headers: readonly string[], rows: readonly Cell[][], opts: TableOptions = {}): string {
  const format = opts.format ?? formatNumber;
  const body = rows.map((r) => headers.map((_, c) => cellText(r[c], format)));
  const aligns = columnAligns(headers, rows, opts.align);
  const widths = headers.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((t, c) => pad(t, widths[c], aligns[c])).join('  ').trimEnd();
  return [line([...headers]), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** GitHub-flavoured Markdown table; '|' inside cells is escaped. */
export function renderMarkdownTable(headers: readonly string[], rows: readonly Cell[][], opts: TableOptions = {}): string {
  const format = opts.format ?? formatNumber;
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const aligns = columnAligns(headers, rows, opts.align);
  const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
  const rule = `|${aligns.map((a) => (a === 'right' ? '---:' : ':---')).join('|')}|`;
  return [line([...headers]), rule, ...rows.map((r) => line(headers.map((_, c) => cellText(r[c], format))))].join('\n');
}
