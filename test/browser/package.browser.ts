// The built package (dist/) in a plain page, no bundler: the same forward pass as in Node,
// every kind of init() source, a useful error when the .wasm is missing, trainAsync keeping a
// simple page responsive, and cross-origin isolation from the demo server's headers.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, installInputProbe, launchBrowser, probeClick, rng, startServer, watchPage } from './helpers.js';

interface Spec {
  sizes: number[];
  hidden: string;
  output: string;
  params: Record<string, number[][]>;
  input: number[][];
}
interface ForwardResult {
  rows: number;
  cols: number;
  data: number[];
  predicted: number[];
}

/** Glorot-uniform weights, small random biases and inputs, all exactly representable in float32. */
function makeSpec(sizes: number[], hidden: string, output: string, rows: number, seed: number): Spec {
  const r = rng(seed);
  const f = (v: number) => Math.fround(v);
  const params: Record<string, number[][]> = {};
  for (let i = 1; i < sizes.length; i++) {
    const fanIn = sizes[i - 1]!;
    const fanOut = sizes[i]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    params[`W${i}`] = Array.from({ length: fanIn }, () => Array.from({ length: fanOut }, () => f((r() * 2 - 1) * limit)));
    params[`b${i}`] = [Array.from({ length: fanOut }, () => f((r() * 2 - 1) * 0.1))];
  }
  const input = Array.from({ length: rows }, () => Array.from({ length: sizes[0]! }, () => f(r())));
  return { sizes, hidden, output, params, input };
}

const SPECS: Spec[] = [
  makeSpec([784, 128, 64, 10], 'relu', 'softmax', 32, 1),
  makeSpec([20, 16, 16, 3], 'tanh', 'sigmoid', 17, 2),
  makeSpec([9, 5, 4], 'sigmoid', 'linear', 5, 3),
];

/** Runs a Node script with `input` on stdin; kills it (and fails) after `timeoutMs`. */
function runNode(script: string, input: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${script} did not finish within ${timeoutMs / 1000} s (stdout: ${stdout.slice(0, 200)}; stderr: ${stderr.slice(0, 500)})`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('the built package in a plain page', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string, ignore: RegExp[] = []): Promise<{ page: Page; watch: ReturnType<typeof watchPage> }> {
    const page = await browser.newPage();
    const watch = watchPage(page, ignore);
    await page.goto(`${server.origin}${path}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 15_000 });
    return { page, watch };
  }

  it('computes the same forward pass as Node, with the same weights and inputs', async () => {
    const node = await runNode('test/browser/node-forward.mjs', JSON.stringify(SPECS), 60_000);
    expect(node.status, node.stderr).toBe(0);
    const fromNode = JSON.parse(node.stdout) as { resolved: string; threads: number; results: ForwardResult[] };
    expect(fromNode.resolved).toBe(`file://${ROOT}dist/index.js`);
    console.log(`Node: ${fromNode.threads} engine thread(s)`);

    const { page, watch } = await open('/test-pages/forward.html');
    const fromBrowser = (await page.evaluate((specs) => Promise.all(specs.map((s) => (window as unknown as { forward: (s: unknown) => Promise<unknown> }).forward(s))), SPECS)) as ForwardResult[];
    for (const [i, spec] of SPECS.entries()) {
      const a = fromNode.results[i]!;
      const b = fromBrowser[i]!;
      expect([b.rows, b.cols]).toEqual([spec.input.length, spec.sizes.at(-1)]);
      expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
      let maxDiff = 0;
      for (let k = 0; k < a.data.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a.data[k]! - b.data[k]!));
      console.log(`forward ${spec.sizes.join('-')} ${spec.hidden}/${spec.output}: max |node - browser| = ${maxDiff}`);
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
      expect(b.predicted).toEqual(a.predicted);
      expect(b.data.every(Number.isFinite)).toBe(true);
    }
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('uses every core when the page is cross-origin isolated, else one thread with a one-line warning; same results either way', async () => {
    expect(existsSync(`${ROOT}dist/mlp_engine_threads.wasm`), 'dist/ must ship mlp_engine_threads.wasm (copied by tsup.config.ts)').toBe(true);
    type Mlp = { init: () => Promise<void>; threadCount?: () => number };
    const threadsOf = (page: Page) =>
      page.evaluate(async () => {
        const mlp = (window as unknown as { mlp: Mlp }).mlp;
        await mlp.init();
        return { isolated: self.crossOriginIsolated, threads: mlp.threadCount ? mlp.threadCount() : 'threadCount is not exported', cores: navigator.hardwareConcurrency };
      });
    const runForward = (page: Page) => page.evaluate((specs) => Promise.all(specs.map((s) => (window as unknown as { forward: (s: unknown) => Promise<unknown> }).forward(s))), SPECS) as Promise<ForwardResult[]>;

    const isolated = await open('/test-pages/forward.html');
    const many = await threadsOf(isolated.page);
    console.log(`isolated page: ${many.threads} engine threads on ${many.cores} cores`);
    expect(many).toEqual({ isolated: true, threads: many.cores, cores: many.cores });
    const manyOut = await runForward(isolated.page);

    const plain = await open('/plain-pages/forward.html');
    const one = await threadsOf(plain.page);
    expect(one).toMatchObject({ isolated: false, threads: 1 });
    const oneOut = await runForward(plain.page);
    const warnings = plain.watch.console.filter((line) => line.startsWith('warning:') && line.includes('mlp-wasm'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/one thread.*crossOriginIsolated/);
    expect(warnings[0]!.split('\n')).toHaveLength(1);
    expect(isolated.watch.console.filter((line) => line.startsWith('warning:'))).toEqual([]);

    // The thread count does not change the numbers.
    expect(oneOut).toEqual(manyOut);
    expect([...isolated.watch.errors, ...plain.watch.errors]).toEqual([]);
    await isolated.page.close();
    await plain.page.close();
  });

  it('init() takes a URL, a string, a Response, bytes or a compiled Module, and names the URL it could not fetch', async () => {
    // The 404 for missing.wasm is expected; the browser logs it as a console error.
    const { page, watch } = await open('/test-pages/init.html', [/404 \(Not Found\)/]);
    const kinds = ['default', 'relative string', 'URL', 'Response', 'Promise<Response>', 'ArrayBuffer', 'Uint8Array', 'WebAssembly.Module'];
    for (const kind of kinds) {
      const r = (await page.evaluate((k) => (window as unknown as { tryInit: (k: string) => Promise<unknown> }).tryInit(k), kind)) as { ok: boolean; sum?: number; message?: string };
      expect({ kind, ...r }).toMatchObject({ kind, ok: true, initialized: true });
      expect(r.sum).toBeCloseTo(1, 5);
    }
    const missing = (await page.evaluate(() => (window as unknown as { tryInit: (k: string) => Promise<unknown> }).tryInit('missing'))) as { ok: boolean; name: string; message: string };
    console.log(`init('missing.wasm') → ${missing.name}: ${missing.message}`);
    expect(missing.ok).toBe(false);
    expect(missing.message).toContain(`${server.origin}/test-pages/missing.wasm`);
    expect(missing.message).toContain('404');
    expect(missing.message).toMatch(/pass its URL|init\(\)/);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('is cross-origin isolated under the demo server, and the .wasm is served as application/wasm', async () => {
    const { page } = await open('/test-pages/forward.html');
    const info = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, sab: typeof SharedArrayBuffer === 'function' }));
    expect(info).toEqual({ isolated: true, sab: true });
    const wasm = await page.evaluate(async () => (await fetch('/dist/mlp_engine.wasm', { method: 'HEAD' })).headers.get('content-type'));
    expect(wasm).toBe('application/wasm');
    await page.close();
  });

  it.each([
    ['/test-pages/', 'cross-origin isolated, threads'],
    ['/plain-pages/', 'not isolated, one thread'],
  ])('trainAsync trains on the main thread of a simple page (%s: %s) without freezing it, and stops on abort', async (dir) => {
    const { page, watch } = await open(`${dir}train-async.html`);
    await installInputProbe(page);
    await page.evaluate(() => {
      const w = window as unknown as { __run: Promise<unknown>; runTrainAsync: (o: unknown) => Promise<unknown> };
      w.__run = w.runTrainAsync({ epochs: 200 }); // long enough (about a second or more) for the five probes below
    });
    const button = (await page.locator('#target').boundingBox())!;
    const probes = [];
    for (let i = 0; i < 5; i++) {
      probes.push(await probeClick(page, button.x + 20 + i * 30, button.y + button.height / 2));
      await page.waitForTimeout(50);
    }
    const run = (await page.evaluate(() => (window as unknown as { __run: Promise<unknown> }).__run)) as {
      threads: number;
      result: { stopped: unknown; epochsCompleted: number; iterations: number };
      ms: number;
      maxGap: number;
      progressCalls: number;
      accuracy: number;
      firstLoss: number;
      lastLoss: number;
    };
    console.log(`trainAsync (${dir}, ${run.threads} thread${run.threads === 1 ? '' : 's'}): ${run.result.iterations} steps in ${run.ms.toFixed(0)} ms, longest timer gap ${run.maxGap.toFixed(1)} ms, ` +
      `input handled after ${probes.map((p) => `${p.endToEndMs} ms`).join(', ')}; loss ${run.firstLoss.toFixed(3)} → ${run.lastLoss.toFixed(3)}, accuracy ${run.accuracy}`);
    expect(run.result).toMatchObject({ stopped: false, epochsCompleted: 200 });
    expect(run.ms).toBeGreaterThan(300); // the probes really ran while it trained
    expect(run.lastLoss).toBeLessThan(run.firstLoss * 0.5);
    expect(run.accuracy).toBeGreaterThan(0.9);
    expect(run.progressCalls).toBeGreaterThan(10);
    // Timers keep firing and input is handled between chunks. The bounds are looser than the
    // demo's 100 ms (which trains in a worker): here the main thread trains itself, and with the
    // thread pool on a busy 2-core machine it shares both cores with the pool's worker.
    const latencies = probes.map((p) => p.endToEndMs).sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(100);
    expect(latencies.at(-1)).toBeLessThan(250);
    expect(run.maxGap).toBeLessThan(250);

    const aborted = (await page.evaluate(() => (window as unknown as { runTrainAsync: (o: unknown) => Promise<unknown> }).runTrainAsync({ epochs: 1000, abortAfterMs: 150 }))) as { result: { stopped: unknown; epochsCompleted: number } };
    expect(aborted.result.stopped).toBe('signal');
    expect(aborted.result.epochsCompleted).toBeLessThan(1000);
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});
