// Entry point of the command line (`npm run mnist`, `npm run experiments`, `npx mlp-wasm`).
// Everything lives in run.ts; this file only connects it to the process: real stdout/stderr
// and Ctrl-C. The first Ctrl-C asks training to stop after the current batch (the command
// then saves a checkpoint if asked and exits with 130); a second one exits at once.

import { runCli } from './run.js';

const controller = new AbortController();
let firstInterrupt: number | null = null;
const onSigint = () => {
  const now = Date.now();
  if (firstInterrupt === null) {
    firstInterrupt = now;
    controller.abort();
    process.stderr.write('\nCtrl-C: stopping after the current batch (press Ctrl-C again to quit at once)…\n');
  } else if (now - firstInterrupt > 300) {
    process.stderr.write('\nCtrl-C again: quitting now.\n');
    process.exit(130);
  }
  // A second SIGINT within 300 ms is the same Ctrl-C delivered twice (a wrapper such as
  // `tsx` or `npm` relaying it to us as well as the terminal): ignored.
};
process.on('SIGINT', onSigint);

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
process.off('SIGINT', onSigint);
// Exit explicitly once the output is flushed: nothing left running (such as the engine's idle
// worker threads) may keep a finished command alive.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
