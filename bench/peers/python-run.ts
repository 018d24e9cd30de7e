// Stand-alone run: `npx tsx bench/peers/python-run.ts [--quick]`.
import { benchTorch } from './python.js';

console.log(JSON.stringify(await benchTorch({ quick: process.argv.includes('--quick') }), null, 1));
