// Base64 of little-endian float32 arrays, the same in Node and browsers (atob/btoa exist in
// both); strict on decode so a damaged model file is refused rather than misread.

import { DataFormatError } from './errors.js';

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function encodeFloat32(values: Float32Array): string {
  const bytes = toLittleEndianBytes(values);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

export function decodeFloat32(text: unknown, count: number, where: string, field: string): Float32Array {
  if (typeof text !== 'string') throw new DataFormatError(`${where}: ${field} must be a base64 string, got ${typeof text}`);
  if (text.length !== 4 * Math.ceil((count * 4) / 3)) {
    throw new DataFormatError(`${where}: ${field} must encode ${count} float32 values (${4 * Math.ceil((count * 4) / 3)} base64 characters), got ${text.length} characters`);
  }
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new DataFormatError(`${where}: ${field} is not valid base64`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return fromLittleEndianBytes(bytes, count, where, field);
}

export function toLittleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  if (littleEndian) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  } else {
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return bytes;
}

export function fromLittleEndianBytes(bytes: Uint8Array, count: number, where: string, field: string): Float32Array {
  if (bytes.length !== count * 4) throw new DataFormatError(`${where}: ${field} must hold ${count * 4} bytes, got ${bytes.length}`);
  const out = new Float32Array(count);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(out[i])) throw new DataFormatError(`${where}: ${field} holds a non-finite value (${out[i]}) at index ${i}`);
  }
  return out;
}
