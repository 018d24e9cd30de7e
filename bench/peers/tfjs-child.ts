// Child-process entry for one TF.js backend: `node --import tsx bench/peers/tfjs-child.ts '<json opts>'`.
// One process per backend because TF.js engine state is global and the wasm backend starts once.
// The result goes to stdout as one line prefixed with RESULT_MARKER; TF.js may print other lines.

import { measureTfjsInProcess, type TfjsOptions } from './tfjs-measure.js';

export const RESULT_MARKER = '@@tfjs-result@@';

const opts = JSON.parse(process.argv[2] ?? '{}') as TfjsOptions;
measureTfjsInProcess(opts).then(
  (result) => {
    process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
