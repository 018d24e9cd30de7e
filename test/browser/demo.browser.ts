// The demo page (npm run demo) in Chromium: it trains on a 2,000-image MNIST subset in its
// worker while the page keeps handling input, reaches > 80% test accuracy, reads a drawn "1",
// saves the model and loads it back; screenshots go to test/artifacts/.

import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, installInputProbe, launchBrowser, probeClick, startServer, watchPage, type InputProbe } from './helpers.js';

// 1,800 training images (+200 held out) x 10 epochs of 32 = 570 steps. The wide layers make
// the run last a few seconds here, long enough to probe the page while it trains.
const TEST_RUN = 'subset=2000&hidden=512,256&activation=relu&optimizer=adam&lr=0.001&batch=32&epochs=10&seed=1';

interface DemoState {
  phase: string;
  history: { iteration: number[]; trainLoss: number[]; valLoss: number[] } | null;
  progress: { iteration: number } | null;
  trainResult: { iterations: number; stopped: unknown; seconds: number; epochsCompleted: number } | null;
  report: { accuracy: number; testCount: number } | null;
  prediction: { label: number; name: string; probs: number[] } | null;
  predictions: number;
  engine: { crossOriginIsolated: boolean; threads: number; cores: number } | null;
}

const demoState = (page: Page) => page.evaluate(() => (window as unknown as { demo: { state: DemoState } }).demo.state) as Promise<DemoState>;

/** A vertical stroke down the middle of the drawing pad, with real mouse events. */
async function drawOne(page: Page): Promise<void> {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = (await page.locator('#pad').boundingBox())!;
  const x = box.x + box.width * 0.52;
  await page.mouse.move(x, box.y + box.height * 0.18);
  await page.mouse.down();
  await page.mouse.move(x - box.width * 0.02, box.y + box.height * 0.82, { steps: 16 });
  await page.mouse.up();
}

/** Waits for the answer to the latest drawing (the prediction count grows and settles). */
async function settledPrediction(page: Page, after: number): Promise<DemoState['prediction']> {
  await page.waitForFunction((n) => {
    const s = (window as unknown as { demo: { state: DemoState } }).demo.state;
    return s.predictions > n && s.prediction !== null;
  }, after, { timeout: 10_000 });
  await page.waitForTimeout(250); // let a trailing request (sent while one was in flight) answer
  return (await demoState(page)).prediction;
}

describe('the demo page', () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: Awaited<ReturnType<typeof startServer>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let savedModel = '';
  let trainedAccuracy = 0;
  let trainedProbs: number[] = [];
  let engine: NonNullable<DemoState['engine']> | null = null;
  let cores = 0;
  let threadsField = '';

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    watch = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains in its worker while the page stays responsive; the loss falls and test accuracy is above 80%', async () => {
    await page.goto(`${server.origin}/demo/?${TEST_RUN}`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
    engine = (await demoState(page)).engine!;
    cores = await page.evaluate(() => navigator.hardwareConcurrency);
    threadsField = await page.inputValue('#threads');
    console.log(`demo engine: ${engine.threads} thread(s) on ${cores} cores, crossOriginIsolated ${engine.crossOriginIsolated}`);
    expect(await page.inputValue('#hidden')).toBe('512,256');
    expect(await page.locator('#summary').textContent()).toContain('570 steps');
    await page.screenshot({ path: artifact('demo-1-before.png'), fullPage: true });

    await installInputProbe(page);
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      try {
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask' });
      } catch {
        // longtask timing unsupported: nothing recorded
      }
    });
    await page.click('#train');
    await page.waitForFunction(() => {
      const s = (window as unknown as { demo: { state: DemoState } }).demo.state;
      return s.phase === 'training' && s.progress !== null;
    }, undefined, { timeout: 30_000, polling: 10 });

    // Input while the worker trains: taps on the drawing pad (a person drawing meanwhile; the
    // dots form a dotted "1" that the half-trained network is asked about).
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const pad = (await page.locator('#pad').boundingBox())!;
    const probes: InputProbe[] = [];
    for (let i = 0; i < 6; i++) {
      probes.push(await probeClick(page, pad.x + pad.width * 0.5, pad.y + pad.height * (0.2 + i * 0.12)));
      await page.waitForTimeout(30);
    }
    const progressBefore = (await demoState(page)).progress!.iteration;
    await page.screenshot({ path: artifact('demo-2-during.png'), fullPage: true });
    const duringPhase = (await demoState(page)).phase;

    await page.waitForSelector('body[data-state="done"]', { timeout: 90_000 });
    const s = await demoState(page);
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const during = probes.filter((p) => p.state === 'training');
    console.log(
      `demo: ${s.trainResult!.iterations} steps in ${s.trainResult!.seconds.toFixed(2)} s; input handled after ` +
        probes.map((p) => `${p.endToEndMs} ms (${p.state}, queued ${p.queueMs.toFixed(1)} ms)`).join(', ') +
        `; main-thread long tasks: ${longTasks.length ? longTasks.map((d) => d.toFixed(0)).join(', ') + ' ms' : 'none'}` +
        `; loss ${s.history!.trainLoss[0]!.toFixed(3)} → ${s.history!.trainLoss.at(-1)!.toFixed(3)}, test accuracy ${s.report!.accuracy}`,
    );
    expect(during.length, 'the input probes ran while the page was training').toBeGreaterThanOrEqual(3);
    for (const p of during) {
      expect(p.endToEndMs).toBeLessThan(100);
      expect(p.queueMs).toBeLessThan(100);
    }
    expect(duringPhase).toBe('training');
    expect(progressBefore).toBeGreaterThan(0);

    expect(s.trainResult).toMatchObject({ stopped: false, epochsCompleted: 10, iterations: 570 });
    const losses = s.history!.trainLoss;
    expect(losses.length).toBeGreaterThan(20);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 3)) * 0.3);
    expect(s.history!.valLoss.length).toBe(losses.length);
    expect(s.history!.valLoss.at(-1)!).toBeLessThan(s.history!.valLoss[0]!);
    expect(s.report!.testCount).toBe(10_000);
    expect(s.report!.accuracy).toBeGreaterThan(0.8);
    trainedAccuracy = s.report!.accuracy;
    // The report and the heat map are on the page.
    expect(await page.locator('#report tbody tr').count()).toBe(10);
    expect(await page.locator('#confusion svg').count()).toBe(1);
    expect(await page.locator('#chart svg').count()).toBe(1);
    expect(await page.textContent('#accuracy')).toBe(`${(trainedAccuracy * 100).toFixed(1)}%`);
  });

  it('runs its engine on every core: the demo server makes the page cross-origin isolated', () => {
    // The worker's engine starts a thread pool (workers nested in the demo's worker).
    expect(engine).toMatchObject({ crossOriginIsolated: true, threads: cores });
    expect(threadsField).toBe(String(cores));
  });

  it('scales a drawing like MNIST: 20-pixel box, centre of mass in the middle of 28x28', async () => {
    const stats = await page.evaluate(() => {
      const { strokesToMnist } = (window as unknown as { demo: { strokesToMnist: (s: number[][][]) => Uint8Array | null } }).demo;
      // A tall, thin "1" drawn off-centre in the top-left corner of the pad.
      const pixels = strokesToMnist([[[0.2, 0.05], [0.21, 0.45]]])!;
      let sum = 0, sx = 0, sy = 0, top = 28, bottom = -1, max = 0, grey = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const v = pixels[y * 28 + x]!;
          sum += v;
          sx += v * (x + 0.5);
          sy += v * (y + 0.5);
          max = Math.max(max, v);
          if (v > 0 && v < 255) grey++;
          if (v > 40) {
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
          }
        }
      }
      return { cx: sx / sum, cy: sy / sum, height: bottom - top + 1, max, grey, empty: strokesToMnist([]) };
    });
    expect(stats.cx).toBeCloseTo(14, 0);
    expect(stats.cy).toBeCloseTo(14, 0);
    expect(stats.height).toBeGreaterThanOrEqual(19);
    expect(stats.height).toBeLessThanOrEqual(21);
    expect(stats.max).toBe(255);
    expect(stats.grey).toBeGreaterThan(10); // anti-aliased edges
    expect(stats.empty).toBeNull();
  });

  it('predicts a vertical stroke drawn with the mouse as 1', async () => {
    await page.click('#clear');
    const before = (await demoState(page)).predictions;
    await drawOne(page);
    const prediction = await settledPrediction(page, before);
    console.log(`drawn "1" → ${prediction?.label} (p = ${prediction?.probs[1]?.toFixed(4)})`);
    expect(prediction?.label).toBe(1);
    expect(await page.locator('#predicted').getAttribute('data-label')).toBe('1');
    expect(prediction!.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    trainedProbs = prediction!.probs;
    await page.screenshot({ path: artifact('demo-3-after.png'), fullPage: true });
    await page.locator('.draw').screenshot({ path: artifact('demo-3-after-drawing.png') });
  });

  it('saves the trained model to a file', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toBe('mlp-wasm-mnist-784-512-256-10.json');
    const path = await download.path();
    savedModel = readFileSync(path, 'utf8');
    const model = JSON.parse(savedModel);
    expect(model.format).toBe('mlp-wasm/model');
    expect(model.architecture.sizes).toEqual([784, 512, 256, 10]);
    expect(model.metadata.preprocessing.mean).toHaveLength(784);
    expect(model.metadata.testAccuracy).toBe(trainedAccuracy);
    await download.saveAs(artifact('demo-model.json'));
    expect(watch.errors).toEqual([]);
  });

  it('stops a run on request (Stop) and still reports on the test set', async () => {
    await page.goto(`${server.origin}/demo/?subset=60000&hidden=128&epochs=20&batch=64`);
    await page.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
    await page.click('#train');
    await page.waitForFunction(() => {
      const s = (window as unknown as { demo: { state: DemoState } }).demo.state;
      return s.phase === 'training' && s.progress !== null && s.progress.iteration >= 20;
    }, undefined, { timeout: 30_000, polling: 20 });
    expect(await page.isEnabled('#stop')).toBe(true);
    await page.click('#stop');
    await page.waitForSelector('body[data-state="done"]', { timeout: 30_000 });
    const s = await demoState(page);
    expect(s.trainResult).toMatchObject({ stopped: 'signal' });
    expect(s.trainResult!.iterations).toBeLessThan(20 * 844);
    expect(s.report!.testCount).toBe(10_000);
    expect(await page.textContent('#phase')).toMatch(/^Stopped after [\d,]+ steps\.$/);
    expect(await page.isEnabled('#train')).toBe(true);
    expect(watch.errors).toEqual([]);
  });

  it('loads the saved model into a fresh page, on a phone-sized touch screen, and reads a finger-drawn 1', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    const phoneWatch = watchPage(p);
    await p.goto(`${server.origin}/demo/`);
    await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
    await p.screenshot({ path: artifact('demo-4-phone.png') });
    // No horizontal scrolling on a narrow screen.
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await p.setInputFiles('#load', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(savedModel) });
    await p.waitForFunction(() => (window as unknown as { demo: { state: DemoState } }).demo.state.report !== null, undefined, { timeout: 30_000 });
    const loaded = await demoState(p);
    expect(loaded.phase).toBe('done');
    expect(loaded.report!.accuracy).toBe(trainedAccuracy);
    expect(loaded.history!.trainLoss.length).toBeGreaterThan(20);

    // A finger stroke: touch events through the DevTools protocol (Chromium turns them into pointer events).
    await p.locator('#pad').scrollIntoViewIfNeeded();
    const box = (await p.locator('#pad').boundingBox())!;
    const cdp = await phone.newCDPSession(p);
    const x = box.x + box.width * 0.52;
    const before = (await demoState(p)).predictions;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: box.y + box.height * 0.18 }] });
    for (let i = 1; i <= 16; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x - box.width * 0.02 * (i / 16), y: box.y + box.height * (0.18 + 0.64 * (i / 16)) }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const prediction = await settledPrediction(p, before);
    console.log(`finger-drawn "1" on the phone → ${prediction?.label} (p = ${prediction?.probs[1]?.toFixed(4)}; mouse-drawn on desktop: ${trainedProbs[1]?.toFixed(4)})`);
    expect(prediction?.label).toBe(1);
    await p.locator('.draw').screenshot({ path: artifact('demo-5-phone-drawing.png') });
    await p.screenshot({ path: artifact('demo-6-phone-full.png'), fullPage: true });
    expect(phoneWatch.errors).toEqual([]);
    await phone.close();
  });
});
