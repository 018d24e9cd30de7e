// Shared by the browser tests: Chromium via playwright-core, the demo server, page watchers.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { defaultMounts, startDemoServer, type Mounts } from '../../scripts/demo-server.mjs';
import { mulberry32 } from '../../ts/util/mulberry32.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = `${ROOT}test/artifacts/`;
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The flags of DEVELOPERS.md: headless, no sandbox (containers), nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * The demo server (demo/, dist/, data/) plus the test pages, under /test-pages/ (cross-origin
 * isolated, like everything else) and under /plain-pages/ (the same files without COOP/COEP).
 */
export async function startServer(extra: Mounts = {}): Promise<{ origin: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const pages = `${ROOT}test/browser/pages`;
  const mounts = { ...defaultMounts(ROOT), '/test-pages/': pages, '/plain-pages/': pages, ...extra };
  const { url, close } = await startDemoServer({
    port: 0,
    mounts,
    unisolated: ['/plain-pages/'],
    onRequest: (method, path, status) => requests.push(`${status} ${method} ${path}`),
  });
  return { origin: url.replace(/\/$/, ''), close, requests };
}

/** Collects uncaught page errors and console errors, so a test can assert there were none. */
export function watchPage(page: Page, ignore: RegExp[] = []): { errors: string[]; console: string[] } {
  const errors: string[] = [];
  const lines: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const text = `${m.type()}: ${m.text()}`;
    lines.push(text);
    if (m.type() === 'error' && !ignore.some((r) => r.test(m.text()))) errors.push(`console ${text}`);
  });
  page.on('crash', () => errors.push('page crashed'));
  return { errors, console: lines };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS + name;
}

export interface InputProbe {
  /** Date.now() at the handler minus Date.now() just before the test sent the input. */
  endToEndMs: number;
  /** performance.now() at the handler minus the event's timeStamp (queueing in the page). */
  queueMs: number;
  /** document.body.dataset.state when the handler ran. */
  state: string | undefined;
}

/** Installs a capturing pointerdown listener that records when each event is handled. */
export async function installInputProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __probe: { handledAt: number; queueMs: number; state: string | undefined }[] };
    w.__probe = [];
    window.addEventListener(
      'pointerdown',
      (e) => w.__probe.push({ handledAt: Date.now(), queueMs: performance.now() - e.timeStamp, state: document.body.dataset.state }),
      { capture: true },
    );
  });
}

/** Clicks at (x, y) and returns how long the page took to handle the pointerdown. */
export async function probeClick(page: Page, x: number, y: number): Promise<InputProbe> {
  const before = await page.evaluate(() => (window as unknown as { __probe: unknown[] }).__probe.length);
  const sent = Date.now();
  await page.mouse.click(x, y);
  const rec = await page.waitForFunction(
    (n) => {
      const p = (window as unknown as { __probe: { handledAt: number; queueMs: number; state: string | undefined }[] }).__probe;
      return p.length > n ? p[n] : null;
    },
    before,
    { timeout: 5_000, polling: 5 },
  );
  const { handledAt, queueMs, state } = (await rec.jsonValue()) as { handledAt: number; queueMs: number; state: string | undefined };
  return { endToEndMs: handledAt - sent, queueMs, state };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export const rng = mulberry32;
