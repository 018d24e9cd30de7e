// A write that fails half-way (the disk fills up after some bytes) removes the partial
// temporary file and leaves the target untouched. node:fs is mocked for this file only.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ failAfter: -1, written: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => {
      if (state.failAfter >= 0) {
        const allowed = Math.max(0, Math.min(length, state.failAfter - state.written));
        if (allowed === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        const n = fs.writeSync(fd, buffer, offset, allowed);
        state.written += n;
        return n;
      }
      return fs.writeSync(fd, buffer, offset, length);
    },
  };
});

const { writeFileAtomic } = await import('../../ts/node/atomic-write.js');

const dir = mkdtempSync(join(tmpdir(), 'mlp-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic when the disk fills up', () => {
  it('leaves no partial file and keeps the old one', () => {
    const p = join(dir, 'model.json');
    writeFileSync(p, '{"old":true}');
    state.failAfter = 1000; // 1,000 bytes land, then ENOSPC
    state.written = 0;
    expect(() => writeFileAtomic(p, 'x'.repeat(100_000))).toThrow(/ENOSPC/);
    expect(state.written).toBe(1000);
    expect(readFileSync(p, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('a first save that fails leaves nothing at all', () => {
    const p = join(dir, 'new.json');
    state.failAfter = 10;
    state.written = 0;
    expect(() => writeFileAtomic(p, 'y'.repeat(5000))).toThrow(/ENOSPC/);
    expect(existsSync(p)).toBe(false);
    expect(readdirSync(dir)).toEqual(['model.json']);
    state.failAfter = -1;
  });
});
