// Stand-alone run: `npx tsx bench/peers/tfjs-run.ts [--quick] [wasm|cpu ...]`.
import { benchTfjs, type TfjsBackend } from './tfjs.js';

const quick = process.argv.includes('--quick');
const named = process.argv.slice(2).filter((a): a is TfjsBackend => a === 'wasm' || a === 'cpu');
for (const backend of named.length > 0 ? named : (['wasm', 'cpu'] as const)) {
  console.log(JSON.stringify(await benchTfjs({ backend, quick }), null, 1));
}
