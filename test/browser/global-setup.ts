// Builds dist/ when it is missing or older than ts/, and checks that a Chromium exists.
import { existsSync } from 'node:fs';
import { ensureBuilt } from '../../scripts/demo-server.mjs';
import { CHROMIUM } from './helpers.js';

export default function setup(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)`);
  }
  ensureBuilt({ log: (m) => console.log(`[test:browser] ${m}`) });
}
