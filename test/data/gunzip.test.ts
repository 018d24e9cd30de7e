// gunzip on both paths (node:zlib and DecompressionStream) and decodeIdxFile.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../ts/api/errors.js';
import { gunzip, gunzipWithStream, gunzipWithZlib, isGzip, isNodeRuntime } from '../../ts/data/gunzip.js';
import { decodeIdxFile } from '../../ts/data/idx.js';
import { makeImagesIdx, makeLabelsIdx } from './idx-builders.js';

async function expectRejects(promise: Promise<unknown>, ...parts: string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFormatError);
  for (const part of parts) expect((error as Error).message).toContain(part);
}

const raw = makeImagesIdx(4, 5, 6);
const gz = new Uint8Array(gzipSync(raw));
const paths = [
  ['node:zlib', gunzipWithZlib],
  ['DecompressionStream', gunzipWithStream],
] as const;

describe('gunzip', () => {
  it('runs the Node path here', () => {
    expect(isNodeRuntime()).toBe(true);
  });

  it('detects gzip by its magic bytes and passes other bytes through untouched', async () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(raw)).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    expect(await gunzip(raw, 'raw.idx')).toBe(raw);
  });

  it('decompresses through the default path', async () => {
    expect(Array.from(await gunzip(gz, 'a.gz'))).toEqual(Array.from(raw));
  });

  for (const [name, fn] of paths) {
    describe(`via ${name}`, () => {
      it('round-trips', async () => {
        expect(Array.from(await fn(gz, 'a.gz'))).toEqual(Array.from(raw));
      });

      it('names the file on a corrupt stream (bad CRC)', async () => {
        const bad = gz.slice();
        bad[bad.length - 6]! ^= 0xff;
        await expectRejects(fn(bad, 'crc.gz'), 'crc.gz', 'corrupt gzip');
      });

      it('names the file on a truncated stream', async () => {
        await expectRejects(fn(gz.slice(0, gz.length - 10), 'cut.gz'), 'cut.gz', 'corrupt gzip');
        await expectRejects(fn(gz.slice(0, 2), 'head.gz'), 'head.gz', 'corrupt gzip');
      });

      it('names the file on garbage deflate data', async () => {
        const bad = gz.slice();
        bad.fill(0xaa, 10, 30);
        await expectRejects(fn(bad, 'garbage.gz'), 'garbage.gz', 'corrupt gzip');
      });

      it('stops at maxBytes instead of inflating a bomb', async () => {
        const bomb = new Uint8Array(gzipSync(new Uint8Array(4 * 2 ** 20)));
        await expectRejects(fn(bomb, 'bomb.gz', 2 ** 20), 'bomb.gz', `more than ${2 ** 20} bytes`);
      });
    });
  }
});

describe('decodeIdxFile', () => {
  it('decodes gzip and raw IDX alike', async () => {
    const labels = makeLabelsIdx([3, 1, 4]);
    for (const bytes of [labels, new Uint8Array(gzipSync(labels))]) {
      const file = await decodeIdxFile(bytes, 'l');
      expect(file.kind).toBe('labels');
      expect(Array.from((file as { labels: Uint8Array }).labels)).toEqual([3, 1, 4]);
    }
  });

  it('reports corrupt gzip and bad IDX inside good gzip with the file name', async () => {
    await expectRejects(decodeIdxFile(gz.slice(0, 20), 'x-images.gz'), 'x-images.gz', 'corrupt gzip');
    const inner = new Uint8Array(gzipSync(raw.slice(0, 20)));
    await expectRejects(decodeIdxFile(inner, 'y-images.gz'), 'y-images.gz', 'byte offset 20', 'truncated');
  });
});
