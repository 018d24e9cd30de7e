// Saving and loading model files in Node: JSON (`.json`, from net.save()) or the binary
// container (`.mlpw`, from net.saveBinary()), always written atomically.

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FeedForwardNeuralNets } from '../index.js';
import { writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';

/** True when the path asks for the binary container. */
export function isBinaryModelPath(path: string): boolean {
  return /\.mlpw$/i.test(path);
}

/** Writes the network (with `metadata`) to `path` atomically; returns the bytes written. */
export function saveModelFile(net: FeedForwardNeuralNets, path: string, metadata?: Record<string, unknown>, hooks?: AtomicWriteHooks): number {
  const options = metadata ? { metadata } : {};
  const data = isBinaryModelPath(path) ? net.saveBinary(options) : JSON.stringify(net.save(options));
  mkdirSync(dirname(path), { recursive: true });
  return writeFileAtomic(path, data, hooks);
}

/** Loads a model file of either kind (recognised by its content, not its name). */
export function loadModelFile(path: string): FeedForwardNeuralNets {
  const bytes = readFileSync(path);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isBinary = view.length >= 4 && view[0] === 0x4d && view[1] === 0x4c && view[2] === 0x50 && view[3] === 0x57; // "MLPW"
  return FeedForwardNeuralNets.load(isBinary ? view : bytes.toString('utf8'));
}
