// mlp-wasm through bundlers, as a dependency: the package (package.json + dist/, what npm
// installs) is copied into test/browser/vite-app/node_modules/mlp-wasm, so Vite and esbuild
// resolve it through its `exports` / `browser` fields exactly as in a user's project.
// Then: a Vite production build runs in Chromium, the Vite dev server does too (with the
// documented optimizeDeps.exclude), and esbuild bundles it for the browser without errors.

import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { build, createLogger, createServer, type Logger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS } from '../../scripts/demo-server.mjs';
import { ROOT, artifact, launchBrowser, startServer, watchPage } from './helpers.js';

const APP = `${ROOT}test/browser/vite-app/`;
const OUT = `${APP}dist/`;

/** Installs the package as npm would (its `files`: dist/, plus package.json), without data/. */
function installPackageCopy(): void {
  const target = `${APP}node_modules/mlp-wasm/`;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(`${ROOT}package.json`, `${target}package.json`);
  cpSync(`${ROOT}dist`, `${target}dist`, { recursive: true });
}

/** A Vite logger that keeps warnings and errors (and still prints them). */
function recordingLogger(): { logger: Logger; warnings: string[] } {
  const logger = createLogger('warn');
  const warnings: string[] = [];
  const { warn, warnOnce, error } = logger;
  logger.warn = (msg, options) => {
    warnings.push(msg);
    warn(msg, options);
  };
  logger.warnOnce = (msg, options) => {
    warnings.push(msg);
    warnOnce(msg, options);
  };
  logger.error = (msg, options) => {
    warnings.push(msg);
    error(msg, options);
  };
  return { logger, warnings };
}

interface AppResult {
  ok: boolean;
  error?: string;
  initialized?: boolean;
  before?: number;
  after?: number;
  predicted?: number[];
}

async function runApp(browser: Browser, url: string, screenshot?: string): Promise<{ result: AppResult; wasm: { url: string; type: string | undefined }[]; errors: string[] }> {
  const page: Page = await browser.newPage();
  const watch = watchPage(page);
  const wasm: { url: string; type: string | undefined }[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push({ url: r.url(), type: r.headers()['content-type'] });
  });
  await page.goto(url);
  await page.waitForSelector('body[data-done="1"]', { timeout: 30_000 });
  const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as AppResult;
  if (screenshot) await page.screenshot({ path: artifact(screenshot) });
  await page.close();
  return { result, wasm, errors: watch.errors };
}

function expectXorLearned(result: AppResult): void {
  expect(result.error).toBeUndefined();
  expect(result).toMatchObject({ ok: true, initialized: true, predicted: [0, 1, 1, 0] });
  expect(result.after!).toBeLessThan(result.before! / 10);
}

describe('mlp-wasm as a dependency of a bundled app', () => {
  let browser: Browser;

  beforeAll(async () => {
    installPackageCopy();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a Vite production build emits the .wasm, needs no Node built-ins, and runs in Chromium', async () => {
    const { logger, warnings } = recordingLogger();
    await build({
      root: APP,
      configFile: false,
      base: './',
      logLevel: 'warn',
      customLogger: logger,
      build: { outDir: OUT, emptyOutDir: true, target: 'es2022' },
    });
    console.log(`vite build: ${warnings.length} warning(s)${warnings.length ? `:\n${warnings.join('\n')}` : ''}`);
    expect(warnings.filter((w) => /externalized for browser compatibility|node:|Could not resolve/i.test(w))).toEqual([]);
    // Both engines are emitted: the single-thread one and, when dist/ ships it, the threads build.
    const assets = readdirSync(join(OUT, 'assets'));
    const engines = assets.filter((f) => f.endsWith('.wasm'));
    expect(engines.some((f) => /^mlp_engine-[\w-]+\.wasm$/.test(f)), assets.join(', ')).toBe(true);
    if (existsSync(`${ROOT}dist/mlp_engine_threads.wasm`)) expect(engines.some((f) => /^mlp_engine_threads-[\w-]+\.wasm$/.test(f)), assets.join(', ')).toBe(true);

    const server = await startServer({ '/vite-app/': OUT });
    try {
      const { result, wasm, errors } = await runApp(browser, `${server.origin}/vite-app/`, 'vite-app-build.png');
      expectXorLearned(result);
      // The page is cross-origin isolated (the server's COOP/COEP), so with more than one core
      // and a threads build in dist/ it loads that one; either way exactly one engine, fetched fine.
      console.log(`vite build in Chromium: fetched ${wasm.map((w) => w.url.replace(server.origin, '')).join(', ')}`);
      expect(wasm).toHaveLength(1);
      expect(wasm[0]!.url).toMatch(/\/vite-app\/assets\/mlp_engine(_threads)?-[\w-]+\.wasm$/);
      expect(wasm[0]!.type).toBe('application/wasm');
      expect(errors).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('the Vite dev server runs it too, with optimizeDeps.exclude: ["mlp-wasm"]', async () => {
    const { logger, warnings } = recordingLogger();
    const server = await createServer({
      root: APP,
      configFile: false,
      logLevel: 'warn',
      customLogger: logger,
      cacheDir: `${APP}node_modules/.vite`,
      // Pre-bundling would move the module away from its .wasm (see README, "In the browser").
      optimizeDeps: { exclude: ['mlp-wasm'] },
      server: { host: '127.0.0.1', port: 0, strictPort: false, headers: ISOLATION_HEADERS, hmr: false, watch: null },
    });
    try {
      await server.listen();
      const url = server.resolvedUrls!.local[0]!;
      const { result, wasm, errors } = await runApp(browser, url);
      expectXorLearned(result);
      expect(wasm.map((w) => w.type)).toEqual(['application/wasm']);
      expect(errors).toEqual([]);
      expect(warnings.filter((w) => /externalized for browser compatibility/i.test(w))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('esbuild bundles it for the browser (platform: browser) without errors or warnings', async () => {
    const result = await esbuild({
      entryPoints: [`${APP}main.js`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      outdir: `${APP}esbuild-out`,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.text)).toEqual([]);
    const js = result.outputFiles.find((f) => f.path.endsWith('main.js'))!.text;
    expect(js).toContain('new URL("./mlp_engine.wasm", import.meta.url)');
    expect(existsSync(`${APP}esbuild-out`)).toBe(false); // write: false
  });
});
