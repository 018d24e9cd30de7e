// The data layer in a browser: the bundle must not statically reach any node: module, and, when
// a Chromium is installed, loadMnist({ baseUrl }) must work in a real page (DecompressionStream,
// crypto.subtle, fetch) served from 127.0.0.1.

import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('Browser data tests skipped: no Chromium found (apt-get install chromium)');

/** Bundles the public data API the way a browser app would (node: left unresolved). */
async function bundleForBrowser(): Promise<string> {
  const result = await build({
    stdin: {
      contents: [
        "export { loadMnist } from './ts/data/mnist.ts';",
        "export { loadFashionMnist } from './ts/data/fashion-mnist.ts';",
        "export { decodeIdxFile } from './ts/data/idx.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    external: ['node:*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('data layer in the browser', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleForBrowser();
  });

  it('reaches node: modules only through dynamic import() on Node-only paths', () => {
    const uses = [...bundle.matchAll(/.{0,20}["']node:[a-z/]+["'].{0,2}/g)].map((m) => m[0]);
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use, use).toMatch(/import\(["']node:[a-z/]+["']\)/);
    expect(bundle).not.toMatch(/\brequire\(/);
  });

  describe.skipIf(!CHROMIUM)('in Chromium (skipped when no Chromium is installed)', () => {
    let server: Server;
    let browser: Browser;
    let origin: string;

    beforeAll(async () => {
      const damagedLabels = new Uint8Array(readFileSync(`${ROOT}data/mnist/t10k-labels-idx1-ubyte.gz`));
      damagedLabels[100]! ^= 0xff;
      server = createServer((request, response) => {
        const path = request.url ?? '/';
        const send = (type: string, body: string | Uint8Array) => response.writeHead(200, { 'content-type': type }).end(body);
        if (path === '/') return send('text/html', '<!doctype html><title>data</title>');
        if (path === '/bundle.js') return send('text/javascript', bundle);
        if (path === '/damaged/t10k-labels-idx1-ubyte.gz') return send('application/gzip', damagedLabels);
        const match = /^\/(?:mnist|damaged)\/([a-z0-9-]+\.gz)$/.exec(path);
        const file = match && `${ROOT}data/mnist/${match[1]}`;
        if (file && existsSync(file)) return send('application/gzip', readFileSync(file));
        response.writeHead(404).end('not found');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    /** Runs loadMnist in a fresh page; returns a summary or the error's name and message. */
    async function loadInPage(baseUrl: string) {
      const page = await browser.newPage();
      try {
        await page.goto(`${origin}/`);
        // A string, not a function: vitest would rewrite import() inside a function body.
        const script = `(async () => {
          const isNode = typeof globalThis.process !== 'undefined';
          const api = await import(location.origin + '/bundle.js');
          try {
            const data = await api.loadMnist({ baseUrl: ${JSON.stringify(baseUrl)} });
            return { isNode, train: data.train.count, test: data.test.count, first: Array.from(data.train.labels.subarray(0, 5)) };
          } catch (error) {
            return { isNode, error: error.name + ': ' + error.message };
          }
        })()`;
        return (await page.evaluate(script)) as { isNode: boolean; train?: number; test?: number; first?: number[]; error?: string };
      } finally {
        await page.close();
      }
    }

    it('loads and verifies MNIST over HTTP', async () => {
      expect(await loadInPage('/mnist/')).toEqual({ isNode: false, train: 60000, test: 10000, first: [5, 0, 4, 1, 9] });
    });

    it('names the URL of a missing file', async () => {
      const result = await loadInPage('/nowhere');
      expect(result.error).toMatch(/^DatasetUnavailableError: MNIST file could not be fetched from \/nowhere\/.*HTTP 404/);
    });

    it('names a damaged file and its checksums', async () => {
      const result = await loadInPage('/damaged/');
      expect(result.error).toMatch(/^DataFormatError: \/damaged\/t10k-labels-idx1-ubyte\.gz: SHA-256 mismatch: expected f7ae60f9/);
    });
  });
});
