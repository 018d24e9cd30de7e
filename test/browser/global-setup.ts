// Builds dist/ when it is missing or older than ts/, and checks that a Chromium exists.
import { existsSync } from 'node:fs';
import { ensureBuilt } from '../../scripts/demo-server.mjs';
import { CHROMIUM, HAS_THREADS_BUILD, ROOT } from './helpers.js';

export default function setup(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)`);
  }
  ensureBuilt({ log: (m) => console.log(`[test:browser] ${m}`) });
  if (HAS_THREADS_BUILD && !existsSync(`${ROOT}dist/mlp_engine_threads.wasm`)) {
    console.warn('[test:browser] ts/wasm/mlp_engine_threads.wasm exists but dist/ has no copy (tsup.config.ts should copy it): cross-origin isolated pages will fail to load it');
  }
}
