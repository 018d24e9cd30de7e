// Stand-alone run: `npx tsx bench/ceiling/run.ts [--quick]`.
import { bestCeiling, measureSimdCeiling } from './measure.js';
import { renderTextTable } from '../lib/table.js';

const quick = process.argv.includes('--quick');
const t0 = performance.now();
const points = await measureSimdCeiling({ quick });
console.log(renderTextTable(['chains', 'GFLOP/s'], points.map((p) => [p.chains, p.gflops])));
const best = bestCeiling(points);
console.log(`best: ${best.chains} chains, ${best.gflops.toFixed(1)} GFLOP/s (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
