// Builds small IDX files in memory, so each test can craft exactly the damage it checks.

/** An images file (magic 2051) with the given header; pixels default to a ramp 0,1,2,... */
export function makeImagesIdx(count: number, rows: number, cols: number, pixels?: Uint8Array): Uint8Array {
  const size = count * rows * cols;
  const out = new Uint8Array(16 + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 2051, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  if (pixels) out.set(pixels, 16);
  else for (let i = 0; i < size; i++) out[16 + i] = i & 0xff;
  return out;
}

/** A labels file (magic 2049) holding `labels`. */
export function makeLabelsIdx(labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 2049, false);
  view.setUint32(4, labels.length, false);
  out.set(Array.from(labels), 8);
  return out;
}

/** A header-only file whose uint32 at `offset` is replaced by `value` (big-endian). */
export function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(offset, value >>> 0, false);
  return out;
}

/** `bytes` followed by `extra`. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
