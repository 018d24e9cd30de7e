// Checks that emit.ts and ceiling.wat describe the same module: assembles ceiling.wat with
// wabt's wat2wasm (Debian: apt-get install wabt) and compares bytes with emitCeilingModule(12, 1).
// Not a test the suite runs; `npx tsx bench/ceiling/check-wat.ts`. Exits 0 with a note if
// wat2wasm is missing, 1 on a mismatch.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitCeilingModule } from './emit.js';

const watPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ceiling.wat');
const dir = mkdtempSync(path.join(tmpdir(), 'ceiling-'));
try {
  const out = path.join(dir, 'ceiling.wasm');
  try {
    execFileSync('wat2wasm', [watPath, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      console.log('check-wat: wat2wasm not installed; skipped');
      process.exit(0);
    }
    throw e;
  }
  const fromWat = new Uint8Array(readFileSync(out));
  const emitted = emitCeilingModule(12, 1);
  const firstDiff = fromWat.findIndex((b, i) => b !== emitted[i]);
  if (fromWat.length === emitted.length && firstDiff === -1) {
    console.log(`check-wat: ok, ${emitted.length} bytes identical`);
  } else {
    console.error(`check-wat: MISMATCH (wat2wasm ${fromWat.length} bytes, emit.ts ${emitted.length} bytes, first difference at byte ${firstDiff})`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
