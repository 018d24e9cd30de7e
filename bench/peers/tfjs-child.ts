// Child-process entry for one TF.js backend: `node --import tsx bench/peers/tfjs-child.ts '<json opts>'`.
// One process per backend because TF.js engine state is global and the wasm backend starts once.
// Results go to stdout as lines prefixed with a marker; TF.js may print other lines.
//
// With `serve: true` in the options the child prepares the backend, prints READY, and then
// times one repeat per command read from stdin (`step`, `fit`, `infer` or `inferCopy`),
// answering each with a SAMPLE line, until `done`, when it prints the RESULT of every repeat
// and exits. The parent uses that to measure TF.js in turns with our engine.

import { createInterface } from 'node:readline';
import { MARKERS, measureTfjsInProcess, prepareTfjs, type TfjsMeasure, type TfjsOptions } from './tfjs-measure.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as TfjsOptions & { serve?: boolean };
const say = (marker: string, value: unknown) => process.stdout.write(`\n${marker}${JSON.stringify(value)}\n`);

async function serve(): Promise<void> {
  const tfjs = await prepareTfjs(opts);
  say(MARKERS.ready, true);
  for await (const line of createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'done') break;
    if (command !== 'step' && command !== 'fit' && command !== 'infer' && command !== 'inferCopy') throw new Error(`tfjs-child: unknown command ${JSON.stringify(command)}`);
    say(MARKERS.sample, await tfjs.repeat(command as TfjsMeasure));
  }
  say(MARKERS.result, tfjs.result());
  tfjs.dispose();
}

(opts.serve ? serve() : measureTfjsInProcess(opts).then((result) => say(MARKERS.result, result))).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
