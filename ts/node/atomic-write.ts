// Atomic file writes for Node: the bytes go to a temporary file in the same directory, are
// flushed to disk (fsync), and the temporary file is then renamed over the target. A rename
// within one file system is atomic, so a reader (or a crash, or Ctrl-C) sees either the old
// file or the complete new one, never a half-written model. On failure the temporary file is
// removed and the target is left untouched.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteHooks {
  /** Test hook: called after the temporary file is written, before the rename. */
  beforeRename?: (tempPath: string) => void;
}

let counter = 0;

/** Writes `data` to `path` atomically (temp file + fsync + rename); returns the bytes written. */
export function writeFileAtomic(path: string, data: string | Uint8Array, hooks: AtomicWriteHooks = {}): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${counter++}.tmp`);
  let fd: number | null = openSync(temp, 'wx', 0o644);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    hooks.beforeRename?.(temp);
    renameSync(temp, path);
  } catch (error) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file may not exist (e.g. the rename half-succeeded on an odd file system)
    }
    throw error;
  }
  syncDirectory(dir);
  return bytes.length;
}

/** Flushes the directory entry of the rename where the platform allows it (not on Windows). */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; the rename itself is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
