// Output paths are checked before any work is done: a run must not train for an hour and only
// then find that it cannot save. A path is usable when it is not a directory (or a device), and
// the nearest folder that exists on the way to it takes a new file. That is probed for real (a
// temporary file is created and removed): permission bits say nothing about read-only mounts,
// ACLs or /proc. Nothing is created on the way, so a refused command leaves no empty folders.

import { closeSync, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError, type ParsedArgs } from './args.js';

/** Where reports go without --out. */
export const DEFAULT_OUT = 'reports';

/** Checks every file and folder the command will write: --save, --out and checkpoints. */
export function checkOutputPaths(args: ParsedArgs): void {
  if (args.command === 'evaluate') return; // it only reads
  const v = args.values;
  const save = v.save as string | undefined;
  if (save !== undefined) checkWritableFile(save, '--save');
  // The report folder, and checkpoint.json in it when --checkpoint-every comes without --save.
  const checkpointInRunFolder = v['checkpoint-every'] !== undefined && save === undefined;
  if (v['no-report'] !== true || checkpointInRunFolder) {
    const out = v.out as string | undefined;
    checkWritableDirectory(out ?? DEFAULT_OUT, out === undefined ? `--out (default ${DEFAULT_OUT})` : '--out');
  }
}

/** `path` can be written as a file (atomically: a temporary file beside it, then a rename). */
export function checkWritableFile(path: string, flag: string): void {
  const stats = statOrNull(path, flag);
  if (stats?.isDirectory()) throw new UsageError(`${flag}: ${path} is a directory; give a file path such as ${join(path, 'model.json')}`);
  if (stats && !stats.isFile()) throw new UsageError(`${flag}: ${path} exists and is not a regular file`);
  checkWritableDirectory(dirname(path), flag);
}

/** `dir` exists and takes new files, or can be created. */
export function checkWritableDirectory(dir: string, flag: string): void {
  let existing = resolve(dir);
  let stats = statOrNull(existing, flag);
  while (!stats) {
    existing = dirname(existing);
    stats = statOrNull(existing, flag);
  }
  if (!stats.isDirectory()) throw new UsageError(`${flag}: cannot create ${dir}: ${existing} is not a directory`);
  probe(existing, flag);
}

/** Stats, or null when nothing is there (ENOTDIR: a file where a folder should be; the caller looks further up). */
function statOrNull(path: string, flag: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new UsageError(`${flag}: cannot use ${path} (${code ?? (error as Error).message})`);
  }
}

let probes = 0;

function probe(dir: string, flag: string): void {
  const path = join(dir, `.mlp-wasm-write-test.${process.pid}.${Date.now().toString(36)}.${probes++}.tmp`);
  try {
    closeSync(openSync(path, 'wx'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag}: cannot write in ${dir} (${code ?? (error as Error).message})`);
  }
  unlinkSync(path);
}
