// The demo page (npm run demo) in Chromium: it trains on a 2,000-image MNIST subset in its
// worker while the page keeps handling input, reaches > 80% test accuracy, reads a drawn "1",
// saves the model and loads it back; screenshots go to test/artifacts/. Then what goes wrong:
// URL parameters it cannot use, an engine that does not load, model files it cannot use whole.

import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedForwardNeuralNets, init } from '../../ts/index.js';
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
  hasModel: boolean;
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

/** A model file saved with the API (untrained, seed 1): 784 inputs, one hidden layer of 8. */
async function modelFile(outputs: number, metadata?: Record<string, unknown>): Promise<string> {
  await init({ threads: 1 });
  const net = new FeedForwardNeuralNets({ inputs: 784, outputs, hiddenLayers: [8], seed: 1 });
  try {
    return JSON.stringify(net.save(metadata ? { metadata } : {}));
  } finally {
    net.dispose();
  }
}

const GOOD_PREPROCESSING = { scale: 1 / 255, mean: Array(784).fill(0.1307), std: Array(784).fill(0.3081) };

async function loadFile(page: Page, json: string): Promise<void> {
  await page.setInputFiles('#load', { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(json) });
}

const bannerText = async (page: Page) => ((await page.isVisible('#error')) ? (await page.textContent('#error-text'))! : null);

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
  it('ignores URL parameters it cannot use, says which, and falls back to the defaults', async () => {
    const p = await browser.newPage();
    const w = watchPage(p);
    try {
      for (const subset of ['abc', '0']) {
        await p.goto(`${server.origin}/demo/?subset=${subset}&hidden=64&epochs=0&activation=swish`);
        await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
        const note = (await p.textContent('#url-note'))!;
        expect(await p.isVisible('#url-note')).toBe(true);
        expect(note).toContain(`?subset=${subset} ignored`);
        expect(note).toContain('?epochs=0 ignored');
        expect(note).toContain('?activation=swish ignored');
        expect(await p.inputValue('#subset')).toBe('60000');
        expect(await p.inputValue('#epochs')).toBe('3');
        expect(await p.inputValue('#activation')).toBe('relu');
        expect(await p.inputValue('#hidden')).toBe('64'); // the usable ones still apply
        // 58,000 training images (2,000 held out) / 64 = 907 steps per epoch, 3 epochs.
        expect(await p.textContent('#summary')).toBe('784 → 64 → 10 · 50,890 parameters · 2,721 steps');
        expect(await p.isEnabled('#train')).toBe(true);
      }
      // Usable parameters leave no note.
      await p.goto(`${server.origin}/demo/?subset=10000&epochs=2`);
      await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
      expect(await p.isVisible('#url-note')).toBe(false);
      expect(await p.textContent('#summary')).toMatch(/· 282 steps$/); // (10,000 - 1,000) / 64 → 141 x 2
      expect(w.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('says so when the engine cannot load: no stale "Loading…" status, nothing to start', async () => {
    const p = await browser.newPage();
    const w = watchPage(p, [/could not be loaded/, /404/]);
    try {
      await p.route('**/*.wasm', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not here' }));
      await p.goto(`${server.origin}/demo/`);
      await p.waitForSelector('body[data-state="failed"]', { timeout: 20_000 });
      expect(await p.textContent('#chip-engine')).toBe('Engine failed to load');
      const phase = (await p.textContent('#phase'))!;
      expect(phase).not.toContain('Loading the WebAssembly engine');
      expect(phase).toMatch(/unavailable/);
      expect(await bannerText(p)).toMatch(/^The WebAssembly engine could not be loaded: .*404/);
      expect(await p.isDisabled('#train')).toBe(true);
      expect(await p.isDisabled('#load')).toBe(true);
      expect(w.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('loads a model whose outputs are not the data set\'s classes without a test report, and says why', async () => {
    const p = await browser.newPage();
    const w = watchPage(p);
    try {
      await p.goto(`${server.origin}/demo/`);
      await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
      await loadFile(p, await modelFile(3));
      await p.waitForFunction(() => document.getElementById('results-empty')!.textContent!.startsWith('No test report'), undefined, { timeout: 20_000 });
      expect(await p.textContent('#results-empty')).toBe('No test report: this network has 3 outputs, but MNIST has 10 classes.');
      await p.waitForTimeout(300); // nothing else follows: no banner, no evaluation
      expect(await bannerText(p)).toBeNull();
      const s = await demoState(p);
      expect(s.phase).toBe('done');
      expect(s.report).toBeNull();
      expect(await p.textContent('#phase')).toMatch(/^Loaded 784-8-3 /);
      // The model itself works: a drawing gets three probabilities.
      const before = s.predictions;
      await drawOne(p);
      const prediction = await settledPrediction(p, before);
      expect(prediction!.probs).toHaveLength(3);
      expect(w.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('refuses a model file with unusable preprocessing, with a readable banner, and keeps the current model', async () => {
    const p = await browser.newPage();
    const w = watchPage(p, [/The model file was not loaded/]);
    try {
      await p.goto(`${server.origin}/demo/`);
      await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
      await loadFile(p, await modelFile(3));
      await p.waitForFunction(() => document.getElementById('phase')!.textContent!.startsWith('Loaded 784-8-3'), undefined, { timeout: 20_000 });
      const cases: [string, unknown, RegExp][] = [
        ['mean of non-numbers', { ...GOOD_PREPROCESSING, mean: Array(784).fill('x') }, /mean\[0\] must be a finite number, got "x"/],
        ['scale "x"', { ...GOOD_PREPROCESSING, scale: 'x' }, /scale must be a number above 0/],
        ['std all 0', { ...GOOD_PREPROCESSING, std: Array(784).fill(0) }, /std is 0 for every pixel/],
        ['std of the wrong length', { ...GOOD_PREPROCESSING, std: [0.3, 0.3] }, /std must be a list of 784 numbers/],
        ['std of nulls', { ...GOOD_PREPROCESSING, std: Array(784).fill(null) }, /std\[0\] must be a finite number/],
      ];
      for (const [name, preprocessing, message] of cases) {
        await p.evaluate(() => (document.getElementById('error')!.hidden = true));
        await loadFile(p, await modelFile(10, { dataset: 'mnist', preprocessing }));
        await p.waitForSelector('#error', { state: 'visible', timeout: 10_000 });
        const banner = (await bannerText(p))!;
        expect(banner, name).toMatch(/^The model file was not loaded: the file's preprocessing \(metadata\.preprocessing\) is not usable: /);
        expect(banner, name).toMatch(message);
        // Still the 784-8-3 model, idle, and it still reads drawings.
        expect(await p.textContent('#phase'), name).toMatch(/^Loaded 784-8-3 /);
        expect((await demoState(p)).phase, name).toBe('done');
        await p.click('#clear');
        const before = (await demoState(p)).predictions;
        await drawOne(p);
        expect((await settledPrediction(p, before))!.probs, name).toHaveLength(3);
      }
      expect(w.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('when a loaded model\'s test report fails, says so and leaves the status on the loaded model', async () => {
    const p = await browser.newPage();
    const w = watchPage(p, [/its test report failed/, /404/]);
    try {
      // The test images cannot be fetched (the worker's fetches go through the page's routes).
      await p.route('**/data/mnist/t10k-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not here' }));
      await p.goto(`${server.origin}/demo/`);
      await p.waitForSelector('body[data-state="idle"]', { timeout: 20_000 });
      await loadFile(p, await modelFile(10, { dataset: 'mnist', preprocessing: GOOD_PREPROCESSING }));
      await p.waitForSelector('#error', { state: 'visible', timeout: 30_000 });
      expect(await bannerText(p)).toMatch(/^The model was loaded, but its test report failed: /);
      const s = await demoState(p);
      expect(s.phase).toBe('done');
      expect(s.hasModel).toBe(true);
      expect(await p.textContent('#phase')).toMatch(/^Loaded 784-8-10 /);
      expect(await p.textContent('#results-empty')).toMatch(/^No test report/);
      expect(await p.isEnabled('#train')).toBe(true);
      expect(w.errors).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
