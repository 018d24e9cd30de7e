// The playground page: settings form, live training view, test report, drawing pad.
// All engine work happens in ./worker.js; this thread only draws, so it never blocks.
//
// URL parameters preset the form (handy for links and for the browser tests):
//   ?dataset=mnist|fashion &subset=2000 &hidden=128,64 &activation=relu|tanh|sigmoid
//   &optimizer=adam|gd &lr=0.001 &batch=64 &epochs=3 &seed=1 &test=10000 &threads=4 &autostart=1
// A value the form cannot take is ignored, with a note under the form saying so (see URL_PARAMS).

import { lineChartSvg, confusionMatrixSvg, FASHION_MNIST_CLASSES } from '../dist/index.js';
import { strokesToMnist, paintPixels } from './digit.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const DATA_URLS = {
  mnist: new URL('../data/mnist/', location.href).href,
  fashion: new URL('../data/fashion-mnist/', location.href).href,
};
const DATASET_NAMES = { mnist: 'MNIST', fashion: 'Fashion-MNIST' };
const available = { mnist: true, fashion: false };

/** What the page knows; `window.demo` exposes it (for the console and the browser tests). */
const state = {
  phase: 'starting',
  engine: null,
  config: null,
  history: null,
  progress: null,
  trainResult: null,
  report: null,
  prediction: null,
  hasModel: false,
  classNames: DIGITS,
  predictions: 0,
};

// ---------------------------------------------------------------------------------------------
// URL parameters (checked before anything uses them)

/** Training images: the validation split needs some, and the data sets have 60,000. */
const MIN_TRAIN_IMAGES = 100;
const MAX_TRAIN_IMAGES = 60000;
const MAX_TEST_IMAGES = 10000;

const wholeNumber = (text, min, max) => (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined);
const optionOf = (id) => (text) => ([...$(id).options].some((o) => o.value === text) ? text : undefined);

/** Same rule as readConfig: widths from 1 to 4096 separated by commas or spaces (or none). */
function parseHidden(text) {
  const parts = text.trim() === '' ? [] : text.trim().split(/[\s,]+/).filter(Boolean);
  return parts.every((s) => wholeNumber(s, 1, 4096) !== undefined) ? parts.map(Number) : undefined;
}

/** What a form field shows before the URL presets it (said when a URL value is ignored). */
function formDefault(id) {
  const el = $(id);
  return el.tagName === 'SELECT' ? el.options[el.selectedIndex].textContent : el.defaultValue;
}

/**
 * The URL parameters the page reads: each parses the text into a value (undefined: unusable) and
 * says what it expects and what the page uses instead.
 */
const URL_PARAMS = {
  dataset: { parse: optionOf('dataset'), expects: 'mnist or fashion', fallback: () => formDefault('dataset') },
  subset: { parse: (t) => wholeNumber(t, MIN_TRAIN_IMAGES, MAX_TRAIN_IMAGES), expects: `a whole number of training images from ${MIN_TRAIN_IMAGES} to ${MAX_TRAIN_IMAGES.toLocaleString('en')}`, fallback: () => formDefault('subset') },
  hidden: { parse: (t) => (parseHidden(t) ? t : undefined), expects: 'layer widths from 1 to 4096 separated by commas, e.g. 256,128', fallback: () => formDefault('hidden') },
  activation: { parse: optionOf('activation'), expects: 'relu, tanh or sigmoid', fallback: () => formDefault('activation') },
  optimizer: { parse: optionOf('optimizer'), expects: 'adam or gd', fallback: () => formDefault('optimizer') },
  lr: { parse: (t) => (t.trim() !== '' && Number(t) > 0 && Number(t) <= 10 ? t.trim() : undefined), expects: 'a number above 0 and at most 10, e.g. 0.001', fallback: () => formDefault('lr') },
  batch: { parse: (t) => wholeNumber(t, 1, 4096), expects: 'a whole number from 1 to 4096', fallback: () => formDefault('batch') },
  epochs: { parse: (t) => wholeNumber(t, 1, 200), expects: 'a whole number from 1 to 200', fallback: () => formDefault('epochs') },
  test: { parse: (t) => wholeNumber(t, 1, MAX_TEST_IMAGES), expects: `a whole number of test images from 1 to ${MAX_TEST_IMAGES.toLocaleString('en')}`, fallback: () => MAX_TEST_IMAGES.toLocaleString('en') },
  seed: { parse: (t) => wholeNumber(t, 0, Number.MAX_SAFE_INTEGER), expects: 'a whole number of 0 or more', fallback: () => '1' },
  // The engine's pool holds at most 64 threads (MAX_THREADS in ts/wasm/load.ts).
  threads: { parse: (t) => wholeNumber(t, 1, 64), expects: 'a whole number from 1 to 64', fallback: () => 'the default' },
  autostart: { parse: (t) => (t === '0' || t === '1' ? t : undefined), expects: '0 or 1', fallback: () => 'no autostart' },
};

/** Every URL parameter the page knows, parsed; the ones it cannot use leave a note in urlNotes. */
function readUrlParams() {
  const out = {};
  for (const [name, rule] of Object.entries(URL_PARAMS)) {
    const text = params.get(name);
    if (text === null) continue;
    const value = rule.parse(text);
    if (value === undefined) urlNotes.push(`?${name}=${text} ignored (give ${rule.expects}); using ${rule.fallback()}.`);
    else out[name] = value;
  }
  return out;
}

function renderUrlNotes() {
  const note = $('url-note');
  note.textContent = urlNotes.join(' ');
  note.hidden = urlNotes.length === 0;
}

const urlNotes = [];
const urlValue = readUrlParams();
const workerUrl = new URL('./worker.js', import.meta.url);
if (urlValue.threads !== undefined) workerUrl.searchParams.set('threads', String(urlValue.threads));
const worker = new Worker(workerUrl, { type: 'module' });
window.demo = { state, worker, strokesToMnist };

// ---------------------------------------------------------------------------------------------
// Phases and buttons

const form = $('settings');
const fields = [...form.querySelectorAll('input, select')].filter((el) => el.type !== 'file');

function setPhase(phase, text) {
  state.phase = phase;
  document.body.dataset.state = phase;
  if (text !== undefined) $('phase').textContent = text;
  const running = ['loading', 'preparing', 'training', 'evaluating'].includes(phase);
  // 'starting': the engine is loading; 'failed': it could not be loaded (nothing can run).
  const noEngine = phase === 'starting' || phase === 'failed';
  $('train').disabled = running || noEngine;
  $('stop').disabled = phase !== 'training';
  $('save').disabled = running || noEngine || !state.hasModel;
  $('load-label').classList.toggle('disabled', running || noEngine);
  $('load').disabled = running || noEngine;
  for (const el of fields) el.disabled = running;
  $('threads').disabled = running || Number($('threads').dataset.max ?? 1) <= 1;
  if (!running) updateDatasetOptions();
}

function showError(message) {
  console.error(message);
  $('error-text').textContent = message;
  $('error').hidden = false;
}
$('error-close').addEventListener('click', () => ($('error').hidden = true));

// ---------------------------------------------------------------------------------------------
// Settings

function presetFromUrl() {
  const set = (id, value) => {
    if (value === undefined) return;
    value = String(value);
    const el = $(id);
    if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) {
      el.add(new Option(Number(value).toLocaleString('en'), value)); // a subset size the list lacks
    }
    el.value = value;
  };
  // Fashion-MNIST is chosen once the server is known to serve it (see the end of this file).
  if (urlValue.dataset === 'mnist') set('dataset', 'mnist');
  set('subset', urlValue.subset);
  set('hidden', urlValue.hidden);
  set('activation', urlValue.activation);
  set('optimizer', urlValue.optimizer);
  set('lr', urlValue.lr);
  set('batch', urlValue.batch);
  set('epochs', urlValue.epochs);
  renderUrlNotes();
}

/** The Threads field: 1 … the engine's threads (more need a crossOriginIsolated page). */
function fillThreads(info) {
  const select = $('threads');
  select.innerHTML = '';
  for (let n = info.threads; n >= 1; n--) select.add(new Option(n === info.threads && n > 1 ? `${n} (all)` : String(n), String(n)));
  select.value = String(info.threads);
  select.dataset.max = String(info.threads);
  $('threads-field').title = info.threads > 1
    ? 'Threads for the matrix products; results do not depend on it'
    : info.crossOriginIsolated ? 'This engine runs on one thread' : 'More threads need a cross-origin isolated page (COOP/COEP headers)';
  setPhase(state.phase);
}

function updateDatasetOptions() {
  const fashion = $('dataset').querySelector('option[value="fashion"]');
  fashion.disabled = !available.fashion;
  fashion.textContent = available.fashion ? 'Fashion-MNIST (clothing)' : 'Fashion-MNIST (not served)';
}

/** The form as a worker config, or throws with a message for the user. */
function readConfig() {
  const hidden = parseHidden($('hidden').value);
  if (!hidden) throw new Error('Hidden layers: give whole numbers from 1 to 4096 separated by commas, e.g. 256, 128');
  const eta = Number($('lr').value);
  if (!(eta > 0 && eta <= 10)) throw new Error('Learning rate: give a number above 0, e.g. 0.001');
  const batchSize = Number($('batch').value);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) throw new Error('Batch size: give a whole number from 1 to 4096');
  const epochs = Number($('epochs').value);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) throw new Error('Epochs: give a whole number from 1 to 200');
  const dataset = $('dataset').value;
  if (!available[dataset]) throw new Error(`${DATASET_NAMES[dataset]} is not served by this server`);
  const trainImages = wholeNumber($('subset').value, MIN_TRAIN_IMAGES, MAX_TRAIN_IMAGES);
  if (trainImages === undefined) throw new Error(`Training images: give a whole number from ${MIN_TRAIN_IMAGES} to ${MAX_TRAIN_IMAGES.toLocaleString('en')}`);
  return {
    dataset,
    dataUrl: DATA_URLS[dataset],
    trainImages,
    testImages: urlValue.test ?? MAX_TEST_IMAGES,
    hidden,
    activation: $('activation').value,
    optimizer: $('optimizer').value,
    eta,
    batchSize,
    epochs,
    seed: urlValue.seed ?? 1,
    threads: Number($('threads').value) || 0,
  };
}

function updateSummary() {
  try {
    const c = readConfig();
    const sizes = [784, ...c.hidden, 10];
    let weights = 0;
    for (let i = 1; i < sizes.length; i++) weights += sizes[i - 1] * sizes[i] + sizes[i];
    const trainCount = c.trainImages - Math.max(1, Math.min(2000, Math.round(c.trainImages * 0.1)));
    const steps = Math.ceil(trainCount / c.batchSize) * c.epochs;
    $('summary').textContent = `${sizes.join(' → ')} · ${weights.toLocaleString('en')} parameters · ${steps.toLocaleString('en')} steps`;
  } catch (e) {
    $('summary').textContent = e.message;
  }
}
form.addEventListener('input', updateSummary);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  let config;
  try {
    config = readConfig();
  } catch (e) {
    return showError(e.message);
  }
  $('error').hidden = true;
  state.config = config;
  state.history = null;
  state.progress = null;
  state.trainResult = null;
  state.trainedText = null;
  state.report = null;
  setClassNames(config.dataset === 'fashion' ? [...FASHION_MNIST_CLASSES] : DIGITS);
  renderProgress(null);
  renderChart();
  $('results').hidden = true;
  $('results-empty').hidden = false;
  $('results-empty').textContent = RESULTS_PLACEHOLDER;
  setPhase('loading', `Loading ${DATASET_NAMES[config.dataset]}…`);
  worker.postMessage({ type: 'start', config });
});

$('stop').addEventListener('click', () => {
  worker.postMessage({ type: 'stop' });
  $('stop').disabled = true;
});

// ---------------------------------------------------------------------------------------------
// Worker messages

let saveId = 0;
let loadId = 0;

worker.addEventListener('message', ({ data: m }) => {
  switch (m.type) {
    case 'ready': {
      state.engine = m.info;
      const engine = $('chip-engine');
      engine.textContent = 'WebAssembly SIMD engine ready';
      engine.title = 'The Rust engine, compiled to WebAssembly with SIMD128, runs in a Web Worker';
      engine.className = 'chip ok';
      const threads = $('chip-threads');
      threads.hidden = false;
      threads.textContent = `${m.info.threads} thread${m.info.threads === 1 ? '' : 's'}${m.info.crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
      threads.title = `${m.info.cores} logical cores; ${m.info.crossOriginIsolated ? 'the page is cross-origin isolated, so the engine can share memory between threads' : 'threads need a cross-origin isolated page (COOP/COEP headers)'}`;
      fillThreads(m.info);
      setPhase('idle', 'Press Train to start.');
      // After the Fashion-MNIST check, so that ?dataset=fashion&autostart=1 trains on it.
      if (urlValue.autostart === '1') datasetsChecked.then(() => form.requestSubmit());
      break;
    }
    case 'status':
      setPhase(m.phase, m.text);
      if (m.phase === 'training') {
        state.hasModel = true;
        $('draw-hint').textContent = 'The network is learning: draw above and watch its guess improve.';
        requestPrediction();
      }
      break;
    case 'progress':
      state.progress = m.progress;
      state.history = m.history;
      renderProgress(m.progress);
      scheduleChart();
      break;
    case 'trained':
      state.trainResult = m.result;
      state.history = m.history;
      scheduleChart();
      state.trainedText = m.result.stopped
        ? `Stopped after ${m.result.iterations.toLocaleString('en')} steps.`
        : `Trained ${m.result.epochsCompleted} epoch${m.result.epochsCompleted === 1 ? '' : 's'} (${m.result.iterations.toLocaleString('en')} steps) in ${formatSeconds(m.result.seconds)}.`;
      $('phase').textContent = state.trainedText;
      if (!m.result.stopped) $('progress-fill').style.width = '100%';
      $('stat-eta').textContent = '0:00';
      break;
    case 'report':
      state.report = { accuracy: m.report.accuracy, testCount: m.testCount };
      renderReport(m);
      setPhase('done', state.trainedText ?? $('phase').textContent);
      $('draw-hint').textContent = 'Draw above: the prediction updates as you draw.';
      requestPrediction();
      break;
    case 'prediction':
      onPrediction(m);
      break;
    case 'saved':
      download(m.json, m.fileName);
      break;
    case 'loaded':
      onLoaded(m.model);
      break;
    case 'error':
      if (m.during === 'predict') {
        predictInFlight = false;
        console.warn('prediction failed:', m.message);
        break;
      }
      if (m.during === 'init') {
        engineFailed(`The WebAssembly engine could not be loaded: ${m.message}`);
        break;
      }
      if (state.phase === 'failed') break; // the engine never loaded: already said
      showError(
        m.during === 'load'
          ? m.stage === 'report' ? `The model was loaded, but its test report failed: ${m.message}` : `The model file was not loaded: ${m.message}`
          : m.message,
      );
      if (m.stage === 'report') $('results-empty').textContent = 'No test report: evaluating the loaded model failed (see the message above).';
      // Whatever was under way has ended: the status line says what the page holds now.
      setPhase(state.hasModel ? 'done' : 'idle', m.during === 'start' ? 'Training failed.' : state.trainedText ?? 'Press Train to start.');
      break;
  }
});

worker.addEventListener('error', (event) => {
  const message = event.message || 'see the console';
  if (state.engine) showError(`The training worker failed: ${message}`);
  else engineFailed(`The training worker failed to start: ${message}`);
});

/** The engine (or its worker) did not start: nothing can train, and the page says so. */
function engineFailed(message) {
  showError(message);
  $('chip-engine').textContent = 'Engine failed to load';
  $('chip-engine').title = message;
  $('chip-engine').className = 'chip bad';
  setPhase('failed', 'Training is unavailable: the engine did not load (see the message above). Reload the page to try again.');
}

// ---------------------------------------------------------------------------------------------
// Progress, chart, report

function formatSeconds(s) {
  if (!Number.isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const fmtLoss = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4));

function renderProgress(p) {
  if (!p) {
    $('progress-fill').style.width = '0';
    $('progress').setAttribute('aria-valuenow', '0');
    $('rate').textContent = '';
    for (const id of ['stat-epoch', 'stat-train', 'stat-val', 'stat-rate', 'stat-eta']) $(id).textContent = '–';
    return;
  }
  const done = (p.epoch - 1) * p.batchesPerEpoch + p.batch;
  const total = p.epochs * p.batchesPerEpoch;
  const pct = Math.min(100, (100 * done) / total);
  $('progress-fill').style.width = `${pct.toFixed(1)}%`;
  $('progress').setAttribute('aria-valuenow', pct.toFixed(0));
  $('phase').textContent = `Training: step ${done.toLocaleString('en')} of ${total.toLocaleString('en')}`;
  $('rate').textContent = `${Math.round(pct)}%`;
  $('stat-epoch').textContent = `${p.epoch} / ${p.epochs}`;
  $('stat-train').textContent = fmtLoss(p.trainLoss);
  $('stat-val').textContent = fmtLoss(p.valLoss);
  $('stat-rate').textContent = Math.round(p.samplesPerSecond).toLocaleString('en');
  $('stat-eta').textContent = formatSeconds(p.etaSeconds);
}

let chartPending = false;
function scheduleChart() {
  if (chartPending) return;
  chartPending = true;
  requestAnimationFrame(() => {
    chartPending = false;
    renderChart();
  });
}

function renderChart() {
  const box = $('chart');
  const h = state.history;
  if (!h || h.iteration.length === 0) {
    box.innerHTML = '<p class="placeholder">The training and validation loss will be drawn here as the network learns.</p>';
    return;
  }
  const width = Math.max(320, Math.round(box.clientWidth || 640));
  const height = Math.round(Math.min(380, Math.max(240, width * 0.52)));
  const series = [{ name: 'training', x: h.iteration, y: h.trainLoss }];
  if (h.valLoss.length === h.iteration.length && h.valLoss.length > 0) series.push({ name: 'validation', x: h.iteration, y: h.valLoss });
  box.innerHTML = lineChartSvg({ title: 'Cross-entropy loss', xLabel: 'step (mini-batch)', yLabel: 'loss', series, width, height });
}

let lastChartWidth = 0;
new ResizeObserver(() => {
  const w = $('chart').clientWidth;
  if (Math.abs(w - lastChartWidth) > 8) {
    lastChartWidth = w;
    scheduleChart();
  }
}).observe($('chart'));

function renderReport({ report, cm, classNames, testCount }) {
  $('results-empty').hidden = true;
  $('results').hidden = false;
  $('accuracy').textContent = `${(report.accuracy * 100).toFixed(1)}%`;
  $('accuracy-note').textContent = `accuracy on ${testCount.toLocaleString('en')} test images`;
  const f = (v) => v.toFixed(3);
  const cell = (text, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${text}</td>`;
  const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  $('report').tBodies[0].innerHTML = report.classes
    .map((c) => `<tr>${cell(escape(c.label))}${cell(f(c.precision))}${cell(f(c.recall))}${cell(f(c.f1Score), c.f1Score < 0.8 ? 'weak' : '')}${cell(c.support.toLocaleString('en'))}</tr>`)
    .join('');
  const avg = (name, a) => `<tr>${cell(name)}${cell(f(a.precision))}${cell(f(a.recall))}${cell(f(a.f1Score))}${cell(a.support.toLocaleString('en'))}</tr>`;
  $('report').tFoot.innerHTML =
    `<tr>${cell('accuracy')}${cell('')}${cell('')}${cell(f(report.accuracy))}${cell(report.totalSupport.toLocaleString('en'))}</tr>` +
    avg('macro avg', report.macroAvg) +
    avg('weighted avg', report.weightedAvg);
  $('confusion').innerHTML = confusionMatrixSvg(cm, { title: 'Confusion matrix (test set)', classNames });
}

// ---------------------------------------------------------------------------------------------
// Drawing pad

const pad = $('pad');
const padCtx = pad.getContext('2d');
/** Strokes as lists of [x, y] in 0..1. */
let strokes = [];
let current = null;

function resizePad() {
  const size = Math.round(pad.clientWidth * (window.devicePixelRatio || 1));
  if (size > 0 && pad.width !== size) {
    pad.width = pad.height = size;
    redrawPad();
  }
}
new ResizeObserver(resizePad).observe(pad);

function penWidth() {
  return pad.width * 0.06;
}

function redrawPad() {
  const n = pad.width;
  padCtx.fillStyle = '#fff';
  padCtx.fillRect(0, 0, n, n);
  padCtx.strokeStyle = '#111827';
  padCtx.fillStyle = '#111827';
  padCtx.lineWidth = penWidth();
  padCtx.lineCap = 'round';
  padCtx.lineJoin = 'round';
  for (const s of strokes) {
    padCtx.beginPath();
    padCtx.moveTo(s[0][0] * n, s[0][1] * n);
    for (const [x, y] of s) padCtx.lineTo(x * n, y * n);
    if (s.length === 1) padCtx.lineTo(s[0][0] * n + 0.01, s[0][1] * n);
    padCtx.stroke();
  }
}

function padPoint(event) {
  const r = pad.getBoundingClientRect();
  return [Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (event.clientY - r.top) / r.height))];
}

function drawSegment(a, b) {
  const n = pad.width;
  padCtx.strokeStyle = '#111827';
  padCtx.lineWidth = penWidth();
  padCtx.lineCap = 'round';
  padCtx.beginPath();
  padCtx.moveTo(a[0] * n, a[1] * n);
  padCtx.lineTo(b[0] * n + (a === b ? 0.01 : 0), b[1] * n);
  padCtx.stroke();
}

pad.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 && event.pointerType === 'mouse') return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  const p = padPoint(event);
  current = [p];
  strokes.push(current);
  drawSegment(p, p);
  requestPrediction();
});

pad.addEventListener('pointermove', (event) => {
  if (!current) return;
  const events = event.getCoalescedEvents?.() ?? [event];
  for (const e of events.length ? events : [event]) {
    const p = padPoint(e);
    const last = current[current.length - 1];
    if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 0.002) continue;
    current.push(p);
    drawSegment(last, p);
  }
  requestPrediction();
});

const endStroke = () => {
  if (!current) return;
  current = null;
  requestPrediction();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

$('clear').addEventListener('click', () => {
  strokes = [];
  current = null;
  redrawPad();
  requestPrediction();
});

// Predictions: at most one request in flight; the latest drawing is sent when it answers.
let predictInFlight = false;
let predictDirty = false;
let predictFrame = 0;
let predictId = 0;

function requestPrediction() {
  if (predictFrame) return;
  predictFrame = requestAnimationFrame(() => {
    predictFrame = 0;
    sendPrediction();
  });
}

function sendPrediction() {
  if (predictInFlight) {
    predictDirty = true;
    return;
  }
  const pixels = strokesToMnist(strokes);
  paintPixels($('preview'), pixels);
  if (!pixels || !state.hasModel) {
    renderBars(null);
    return;
  }
  predictInFlight = true;
  worker.postMessage({ type: 'predict', id: ++predictId, pixels }, [pixels.buffer]);
}

function onPrediction(m) {
  predictInFlight = false;
  if (predictDirty) {
    predictDirty = false;
    requestPrediction();
  }
  if (strokes.length === 0) return renderBars(null);
  renderBars(m.probs);
}

function setClassNames(names) {
  if (names) state.classNames = names;
  $('draw-title').textContent = state.classNames === DIGITS || state.classNames[0] === '0' ? 'Draw a digit' : 'Draw a piece of clothing';
  const list = $('bars');
  list.innerHTML = '';
  for (const name of state.classNames) {
    const li = document.createElement('li');
    li.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
    li.querySelector('.name').textContent = name;
    li.querySelector('.name').title = name;
    li.querySelector('.fill').style.display = 'block';
    list.append(li);
  }
  renderBars(null);
}

function renderBars(probs) {
  const items = $('bars').children;
  let best = -1;
  if (probs) for (let i = 0; i < probs.length; i++) if (best < 0 || probs[i] > probs[best]) best = i;
  for (let i = 0; i < items.length; i++) {
    const p = probs ? probs[i] ?? 0 : 0;
    items[i].classList.toggle('best', i === best);
    items[i].querySelector('.fill').style.width = `${(p * 100).toFixed(1)}%`;
    items[i].querySelector('.pct').textContent = probs ? `${(p * 100).toFixed(p >= 0.995 || p < 0.005 ? 0 : 1)}%` : '';
  }
  const out = $('predicted');
  if (best < 0) {
    out.textContent = '?';
    out.classList.add('none');
    out.classList.remove('long');
    out.dataset.label = '';
    $('confidence').textContent = '';
    state.prediction = null;
    return;
  }
  const name = state.classNames[best] ?? String(best);
  out.textContent = name;
  out.classList.remove('none');
  out.classList.toggle('long', name.length > 2);
  out.dataset.label = String(best);
  $('confidence').textContent = `${(probs[best] * 100).toFixed(1)}% sure`;
  state.prediction = { label: best, name, probs: Array.from(probs) };
  state.predictions++;
}

// ---------------------------------------------------------------------------------------------
// Save / load

function download(text, fileName) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

$('save').addEventListener('click', () => worker.postMessage({ type: 'save', id: ++saveId }));

$('load').addEventListener('change', async () => {
  const file = $('load').files?.[0];
  $('load').value = '';
  if (!file) return;
  const dataUrls = Object.fromEntries(Object.entries(DATA_URLS).filter(([k]) => available[k]));
  worker.postMessage({ type: 'load', id: ++loadId, text: await file.text(), dataUrls });
});

function onLoaded(model) {
  state.hasModel = true;
  // The form shows the loaded network's settings, so training again starts from them.
  $('hidden').value = model.sizes.slice(1, -1).join(', ');
  if ([...$('activation').options].some((o) => o.value === model.activation)) $('activation').value = model.activation;
  $('optimizer').value = model.optimizer;
  $('lr').value = String(model.eta);
  $('batch').value = String(model.batchSize);
  if (available[model.dataset]) $('dataset').value = model.dataset;
  updateSummary();
  state.report = null;
  state.history = model.history;
  state.trainResult = null;
  state.trainedText = `Loaded ${model.sizes.join('-')} (${model.activation}, ${model.optimizer}), trained ${model.iteration.toLocaleString('en')} steps on ${DATASET_NAMES[model.dataset] ?? model.dataset}.`;
  setClassNames(model.classNames);
  renderProgress(null);
  renderChart();
  $('results').hidden = true;
  $('results-empty').hidden = false;
  // A note when no test report follows (the worker says why), else the report replaces this.
  $('results-empty').textContent = model.reportNote ?? 'Evaluating the loaded model on the test set…';
  setPhase('done', state.trainedText);
  $('draw-hint').textContent = 'Model loaded: draw above to try it.';
  requestPrediction();
}

// ---------------------------------------------------------------------------------------------
// Start-up

const RESULTS_PLACEHOLDER = $('results-empty').textContent;
presetFromUrl();
setClassNames(DIGITS);
redrawPad();
paintPixels($('preview'), null);
setPhase('starting', 'Loading the WebAssembly engine…');
updateSummary();
const datasetsChecked = fetch(`${DATA_URLS.fashion}train-labels-idx1-ubyte.gz`, { method: 'HEAD' })
  .then((r) => r.ok, () => false)
  .then((ok) => {
    available.fashion = ok;
    updateDatasetOptions();
    if (urlValue.dataset === 'fashion') {
      if (ok) $('dataset').value = 'fashion';
      else {
        urlNotes.push('?dataset=fashion ignored: this server does not serve Fashion-MNIST; using MNIST.');
        renderUrlNotes();
      }
    }
    updateSummary();
  });
