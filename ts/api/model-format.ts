// The saved-model format: one self-describing JSON object (format name and version,
// architecture, activations, loss, optimizer state with Adam's moments and step, generator
// state, history, weights as base64 little-endian float32), or the same header followed by
// raw float32 blocks in a binary container for large models. Decoding validates everything
// before a network is built, so a damaged file never yields a half-built network.

import { ACTIVATION_CODES, type ActivationName } from './activations.js';
import { decodeFloat32, encodeFloat32, fromLittleEndianBytes, toLittleEndianBytes } from './base64.js';
import { DataFormatError, describe } from './errors.js';
import { INITIALIZATIONS, type Initialization } from './initializer.js';
import { LOSS_CODES, type LossName, type Regularization } from './losses.js';
import { parameterCount } from './parameters.js';
import { MAX_ENGINE_COUNT } from './validate.js';

export const MODEL_FORMAT = 'mlp-wasm/model';
export const MODEL_VERSION = 1;
const BINARY_MAGIC = [0x4d, 0x4c, 0x50, 0x57]; // "MLPW"

export interface ModelHistory {
  iteration: number[];
  trainLoss: number[];
  valLoss: number[];
}

/** Where a float32 vector is: inline base64, or (binary container) a block index. */
export type EncodedVector = { encoding: 'base64-f32le'; data: string } | { encoding: 'block'; block: number };

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  savedAt: string;
  architecture: { sizes: number[] };
  activations: { hidden: ActivationName; output: ActivationName };
  loss: { type: LossName; alpha: number; regularization: Regularization };
  optimizer: { type: 'gd' | 'adam'; eta: number; beta1: number; beta2: number; epsilon: number; t: number; m: EncodedVector | null; v: EncodedVector | null };
  training: { batchSize: number; initializationMethod: Initialization; seed: number; iteration: number; epochsTrained: number; rngState: number[] };
  history: ModelHistory;
  parameters: EncodedVector;
  /** Anything the application wants to keep with the model (e.g. the preprocessing). */
  metadata?: Record<string, unknown>;
}

/** Everything needed to rebuild a network, decoded and checked. */
export interface DecodedModel {
  header: ModelFile;
  params: Float32Array;
  m: Float32Array | null;
  v: Float32Array | null;
  state: Uint32Array;
}

export interface ModelSnapshot {
  header: Omit<ModelFile, 'parameters' | 'optimizer'> & { optimizer: Omit<ModelFile['optimizer'], 'm' | 'v'> };
  params: Float32Array;
  m: Float32Array | null;
  v: Float32Array | null;
}

export function encodeJson(s: ModelSnapshot): ModelFile {
  const inline = (x: Float32Array | null): EncodedVector | null => (x ? { encoding: 'base64-f32le', data: encodeFloat32(x) } : null);
  return { ...s.header, optimizer: { ...s.header.optimizer, m: inline(s.m), v: inline(s.v) }, parameters: inline(s.params) as EncodedVector };
}

/** "MLPW", u32 LE header length, the JSON header, then the float32 blocks (4-byte aligned). */
export function encodeBinary(s: ModelSnapshot): Uint8Array {
  const blocks = [s.params, s.m, s.v].filter((b): b is Float32Array => b !== null);
  const block = (x: Float32Array | null): EncodedVector | null => (x ? { encoding: 'block', block: blocks.indexOf(x) } : null);
  const header: ModelFile = { ...s.header, optimizer: { ...s.header.optimizer, m: block(s.m), v: block(s.v) }, parameters: block(s.params) as EncodedVector };
  let json: Uint8Array = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((8 + json.length) % 4)) % 4;
  json = concat([json, new Uint8Array(pad).fill(0x20)]);
  const head = new Uint8Array(8);
  head.set(BINARY_MAGIC);
  new DataView(head.buffer).setUint32(4, json.length, true);
  return concat([head, json, ...blocks.map(toLittleEndianBytes)]);
}

/** Decodes a model from its JSON object, JSON text, or binary container bytes. */
export function decodeModel(input: unknown, where: string): DecodedModel {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  if (input instanceof Uint8Array) return decodeBinary(input, where);
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch (e) {
      throw new DataFormatError(`${where}: the model text is not valid JSON (${(e as Error).message})`);
    }
  }
  return decodeHeader(input, where, null);
}

function decodeBinary(bytes: Uint8Array, where: string): DecodedModel {
  if (bytes.length < 8 || BINARY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataFormatError(`${where}: not an mlp-wasm binary model (expected the bytes "MLPW" at offset 0)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) {
    throw new DataFormatError(`${where}: the header claims ${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw new DataFormatError(`${where}: the binary model's header is not valid JSON (${(e as Error).message})`);
  }
  return decodeHeader(header, where, bytes.subarray(8 + headerLength));
}

function decodeHeader(raw: unknown, where: string, blocks: Uint8Array | null): DecodedModel {
  const fail = (what: string): never => {
    throw new DataFormatError(`${where}: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`a model must be an object, got ${describe(raw)}`);
  const h = raw as ModelFile;
  if (h.format !== MODEL_FORMAT) fail(`format must be "${MODEL_FORMAT}", got ${describe(h.format)}`);
  if (h.version !== MODEL_VERSION) fail(`version ${describe(h.version)} is not supported (this package reads version ${MODEL_VERSION})`);
  const sizes = h.architecture?.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0 && s <= 1 << 20)) {
    fail(`architecture.sizes must be at least two positive integers, got ${describe(sizes)}`);
  }
  if (parameterCount(sizes) > 2 ** 28) fail(`architecture.sizes ${sizes.join('-')} is too large`);
  const isName = <T extends string>(v: unknown, names: readonly T[]): v is T => typeof v === 'string' && names.includes(v as T);
  const actNames = Object.keys(ACTIVATION_CODES) as ActivationName[];
  if (!isName(h.activations?.hidden, actNames) || !isName(h.activations?.output, actNames)) fail(`activations must name ${actNames.join(', ')}, got ${describe(h.activations)}`);
  if (h.activations.hidden === 'softmax' && sizes.length > 2) {
    fail('activations.hidden must be relu, sigmoid, tanh or linear in a network with hidden layers (softmax is an output activation), got "softmax"');
  }
  if (!isName(h.loss?.type, Object.keys(LOSS_CODES) as LossName[])) fail(`loss.type must be crossEntropy or squaredError, got ${describe(h.loss?.type)}`);
  if (!(h.loss.regularization === null || h.loss.regularization === 'l1' || h.loss.regularization === 'l2')) fail(`loss.regularization must be "l1", "l2" or null, got ${describe(h.loss.regularization)}`);
  const float32 = float32Checker(fail);
  float32(h.loss.alpha, 'loss.alpha', 'a finite number >= 0', (x) => Number.isFinite(x) && x >= 0);
  const o = h.optimizer;
  if (!o || !isName(o.type, ['gd', 'adam'] as const)) fail(`optimizer.type must be "gd" or "adam", got ${describe(o?.type)}`);
  const positive = (x: number) => Number.isFinite(x) && x > 0;
  const belowOne = (x: number) => x >= 0 && x < 1;
  float32(o.eta, 'optimizer.eta', 'a finite number > 0', positive);
  float32(o.beta1, 'optimizer.beta1', 'a number in [0, 1)', belowOne);
  float32(o.beta2, 'optimizer.beta2', 'a number in [0, 1)', belowOne);
  float32(o.epsilon, 'optimizer.epsilon', 'a finite number > 0', positive);
  if (!Number.isInteger(o.t) || o.t < 0 || o.t > 0xffffffff) fail(`optimizer.t must be a non-negative integer, got ${describe(o.t)}`);
  const t = h.training;
  // The engine takes the batch size as an i32.
  if (!t || !Number.isInteger(t.batchSize) || t.batchSize < 1 || t.batchSize > MAX_ENGINE_COUNT) {
    fail(`training.batchSize must be an integer in 1..${MAX_ENGINE_COUNT}, got ${describe(t?.batchSize)}`);
  }
  if (!isName(t.initializationMethod, INITIALIZATIONS)) fail(`training.initializationMethod must be one of ${INITIALIZATIONS.join(', ')}, got ${describe(t.initializationMethod)}`);
  if (!Number.isSafeInteger(t.seed) || t.seed < 0) fail(`training.seed must be a non-negative integer, got ${describe(t.seed)}`);
  // Counters beyond 2^53 would stop counting (x + 1 === x).
  if (!Number.isSafeInteger(t.iteration) || t.iteration < 0) fail(`training.iteration must be a non-negative safe integer, got ${describe(t.iteration)}`);
  if (!Number.isSafeInteger(t.epochsTrained) || t.epochsTrained < 0) fail(`training.epochsTrained must be a non-negative safe integer, got ${describe(t.epochsTrained)}`);
  const rng = t.rngState;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff) || rng.every((x) => x === 0)) {
    fail(`training.rngState must be four 32-bit integers, not all zero, got ${describe(rng)}`);
  }
  const hist = h.history;
  const numbers = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'number');
  if (!hist || !numbers(hist.iteration) || !numbers(hist.trainLoss) || !numbers(hist.valLoss) || hist.iteration.length !== hist.trainLoss.length) {
    fail('history must hold number arrays iteration, trainLoss (same length) and valLoss');
  }
  if (h.metadata !== undefined && (h.metadata === null || typeof h.metadata !== 'object')) fail('metadata must be an object when present');

  const count = parameterCount(sizes);
  const vector = (v: unknown, field: string): Float32Array => {
    const e = v as EncodedVector;
    if (e?.encoding === 'base64-f32le') return decodeFloat32(e.data, count, where, field);
    if (e?.encoding === 'block' && blocks && Number.isInteger(e.block) && e.block >= 0) {
      const start = e.block * count * 4;
      if (start + count * 4 > blocks.length) fail(`${field} block ${e.block} lies past the end of the file (${blocks.length} bytes of data)`);
      return fromLittleEndianBytes(blocks.subarray(start, start + count * 4), count, where, field);
    }
    return fail(`${field} must be an encoded float32 vector, got ${describe(v)}`);
  };
  const params = vector(h.parameters, 'parameters');
  const m = o.m === null || o.m === undefined ? null : vector(o.m, 'optimizer.m');
  const v = o.v === null || o.v === undefined ? null : vector(o.v, 'optimizer.v');
  if ((m === null) !== (v === null)) fail('optimizer.m and optimizer.v must both be present or both be null');
  if (blocks) {
    const used = [h.parameters, o.m, o.v].filter((x) => x).length;
    if (blocks.length !== used * count * 4) fail(`the binary model holds ${blocks.length} bytes of data, expected ${used * count * 4}`);
  }
  return { header: h, params, m, v, state: Uint32Array.from([o.t, ...rng]) };
}

/**
 * The engine takes alpha, eta, the betas and epsilon as float32, so a value is checked as it
 * will be used: 1e39 overflows to infinity, 1e-50 underflows to 0, 1 - 1e-12 rounds up to 1.
 * The message shows the file's value, and its float32 rounding when that is what fails.
 */
function float32Checker(fail: (what: string) => never) {
  return (value: unknown, field: string, expected: string, ok: (x: number) => boolean): void => {
    if (typeof value !== 'number' || !ok(value)) fail(`${field} must be ${expected}, got ${describe(value)}`);
    const rounded = Math.fround(value as number);
    if (!ok(rounded)) fail(`${field} must be ${expected} in float32 (the engine's precision), got ${describe(value)}, which is ${rounded} in float32`);
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
