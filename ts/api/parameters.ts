// The flat parameter vector of the engine (W1, b1, W2, b2, …) seen as named matrices.

import { ShapeError, ValueError, describe } from './errors.js';
import { Matrix, toMatrix, type MatrixLike } from './matrix.js';

export type Parameters = Record<string, Matrix>;

/** Offsets and shapes of every W{i} and b{i} in the flat vector. */
export function parameterLayout(sizes: readonly number[]): { name: string; rows: number; cols: number; offset: number }[] {
  const out = [];
  let offset = 0;
  for (let i = 1; i < sizes.length; i++) {
    const [fanIn, fanOut] = [sizes[i - 1], sizes[i]];
    out.push({ name: `W${i}`, rows: fanIn, cols: fanOut, offset });
    offset += fanIn * fanOut;
    out.push({ name: `b${i}`, rows: 1, cols: fanOut, offset });
    offset += fanOut;
  }
  return out;
}

export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += (sizes[i - 1] + 1) * sizes[i];
  return n;
}

/** Named copies of the matrices in a flat vector; `prefix` 'd' names gradients dW1, db1, …. */
export function unflatten(flat: Float32Array, sizes: readonly number[], prefix = ''): Parameters {
  const out: Parameters = {};
  for (const p of parameterLayout(sizes)) {
    out[prefix + p.name] = new Matrix(p.rows, p.cols, flat.slice(p.offset, p.offset + p.rows * p.cols));
  }
  return out;
}

/** The flat vector from named matrices, checking that every one is present and shaped right. */
export function flatten(params: unknown, sizes: readonly number[], where: string): Float32Array {
  if (params === null || typeof params !== 'object') {
    throw new ValueError(`${where}: parameters must be an object { W1, b1, … }, got ${describe(params)}`);
  }
  const layout = parameterLayout(sizes);
  const flat = new Float32Array(parameterCount(sizes));
  const record = params as Record<string, MatrixLike>;
  for (const p of layout) {
    if (!(p.name in record)) throw new ValueError(`${where}: parameters.${p.name} is missing`);
    const m = toMatrix(record[p.name], where, `parameters.${p.name}`);
    if (m.rows !== p.rows || m.cols !== p.cols) {
      throw new ShapeError(`${where}: parameters.${p.name} must be ${p.rows} x ${p.cols}, got ${m.rows} x ${m.cols}`);
    }
    flat.set(m.data, p.offset);
  }
  const extra = Object.keys(record).filter((k) => !layout.some((p) => p.name === k));
  if (extra.length) throw new ValueError(`${where}: unexpected parameters ${extra.join(', ')} for a network with ${sizes.length - 1} layers`);
  return flat;
}
