// A row-major float32 matrix, and the conversion every public function applies to its
// matrix arguments (Matrix or number[][]), with errors that name the argument.

import type { Engine } from '../wasm/engine.js';
import { ShapeError, ValueError, describe } from './errors.js';

/** Anything the API accepts where it takes a matrix. */
export type MatrixLike = Matrix | number[][];

/** Float32 values in 4 GiB, wasm32's whole memory: no larger matrix can reach the engine. */
const MAX_ELEMENTS = 2 ** 30;

export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;

  constructor(rows: number, cols: number, data?: Float32Array) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new ValueError(`new Matrix: rows and cols must be non-negative integers, got ${describe(rows)} x ${describe(cols)}`);
    }
    if (rows * cols > MAX_ELEMENTS) {
      throw new ValueError(`new Matrix: ${rows} x ${cols} is ${rows * cols} values, more than the engine's 4 GiB of memory can hold (at most ${MAX_ELEMENTS})`);
    }
    if (data !== undefined && !(data instanceof Float32Array)) {
      throw new ValueError(`new Matrix: data must be a Float32Array, got ${describe(data)} (use Matrix.from for rows of numbers)`);
    }
    if (data && data.length !== rows * cols) {
      throw new ShapeError(`new Matrix: data must hold rows*cols = ${rows * cols} values for ${rows} x ${cols}, got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float32Array(rows * cols);
  }

  /** A matrix from rows of numbers; every row must have the same length. */
  static from(rows: number[][]): Matrix {
    return toMatrix(rows, 'Matrix.from', 'rows', { finite: false });
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(row: number, col: number): number {
    return this.data[row * this.cols + col];
  }

  /** A copy of one row. */
  row(index: number): Float32Array {
    return this.data.slice(index * this.cols, (index + 1) * this.cols);
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let r = 0; r < this.rows; r++) out.push(Array.from(this.data.subarray(r * this.cols, (r + 1) * this.cols)));
    return out;
  }

  toString(): string {
    return `Matrix(${this.rows} x ${this.cols})`;
  }
}

export interface ToMatrixOptions {
  /** Reject NaN and ±Infinity (default true). */
  finite?: boolean;
  /** Reject a matrix with no rows (default true). */
  nonEmpty?: boolean;
}

/** Converts a MatrixLike argument, checking type, raggedness and (by default) finiteness. */
export function toMatrix(value: unknown, where: string, arg: string, options: ToMatrixOptions = {}): Matrix {
  const { finite = true, nonEmpty = true } = options;
  let m: Matrix;
  if (value instanceof Matrix) {
    m = value;
    // Checked again at every use: the engine sizes its work by rows x cols, and a resizable
    // buffer (or rows/cols changed from plain JS) must not make it write past the copy.
    if (!(m.data instanceof Float32Array) || m.data.length !== m.rows * m.cols || !Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
      throw new ShapeError(`${where}: ${arg} is a Matrix of ${describe(m.rows)} x ${describe(m.cols)} whose data holds ${m.data?.length ?? 'no'} values; it was changed after it was made`);
    }
  } else if (Array.isArray(value)) {
    const rows = value.length;
    const first = value[0];
    if (rows > 0 && !Array.isArray(first)) {
      throw new ShapeError(`${where}: ${arg} must be a Matrix or an array of rows (number[][]), got an array whose first element is ${describe(first)}`);
    }
    const cols = rows > 0 ? (first as unknown[]).length : 0;
    const data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = value[r];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new ShapeError(`${where}: ${arg} is ragged: row 0 has ${cols} values but row ${r} has ${Array.isArray(row) ? row.length : describe(row)}`);
      }
      for (let c = 0; c < cols; c++) {
        const v = row[c];
        if (typeof v !== 'number') {
          throw new ValueError(`${where}: ${arg}[${r}][${c}] must be a number, got ${describe(v)}`);
        }
        data[r * cols + c] = v;
      }
    }
    m = new Matrix(rows, cols, data);
  } else {
    throw new ValueError(`${where}: ${arg} must be a Matrix or number[][], got ${describe(value)}`);
  }
  if (nonEmpty && (m.rows === 0 || m.cols === 0)) {
    throw new ShapeError(`${where}: ${arg} must not be empty, got ${m.rows} x ${m.cols}`);
  }
  if (finite) {
    const bad = firstNonFinite(m.data);
    if (bad >= 0) throw nonFiniteError(m, bad, where, arg);
  }
  return m;
}

/** Throws the error for the first NaN or ±Infinity of `m`'s copy at `ptr` in wasm memory,
 *  found by the engine (SIMD, not a JS loop over every value). */
export function checkFiniteInEngine(engine: Engine, ptr: number, m: Matrix, where: string, arg: string): void {
  const bad = engine.scoped((s) => {
    const out = s.allocOf(Int32Array, 1);
    engine.check(engine.exports.mlp_first_nonfinite(ptr, m.data.length, out), where);
    return engine.view(Int32Array, out, 1)[0]!;
  });
  if (bad >= 0) throw nonFiniteError(m, bad, where, arg);
}

/** The error for a NaN or ±Infinity at flat index `bad` of `m`. */
export function nonFiniteError(m: Matrix, bad: number, where: string, arg: string): ValueError {
  return new ValueError(`${where}: ${arg} must be finite, got ${m.data[bad]} at row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}`);
}

/** Index of the first NaN or ±Infinity, or −1. (Validation on entry, not a hot path.) */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

export function expectShape(m: Matrix, rows: number | null, cols: number | null, where: string, arg: string): void {
  if ((rows !== null && m.rows !== rows) || (cols !== null && m.cols !== cols)) {
    throw new ShapeError(`${where}: ${arg} must be ${rows ?? 'n'} x ${cols ?? 'k'}, got ${m.rows} x ${m.cols}`);
  }
}
