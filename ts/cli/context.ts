// What a command needs from its surroundings, so tests can run commands in-process with
// captured output and their own abort signal.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from './progress.js';

export interface CliContext {
  stdout: Output;
  stderr: Output;
  /** Aborted on Ctrl-C (by main.ts); training stops after the current batch. */
  signal?: AbortSignal;
  /** Clock for report folder names (tests pin it). */
  now?: () => Date;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** "2025-06-01T12-30-05" in local time: sorts by date and is safe in file names. */
export function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

/** out/<timestamp>-<name>, with "-2", "-3", … when that folder already exists. */
export function runDirectory(out: string, name: string, date: Date): string {
  const base = join(out, `${timestamp(date)}-${name}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

/** Writes a line (adds the newline). */
export function println(out: Output, text = ''): void {
  out.write(`${text}\n`);
}
