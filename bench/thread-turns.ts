// One and two threads training in turns, epoch by epoch, on the synthetic data and on MNIST's
// images (standardised): the bench's own samplers and turns (`oursSamplers`, as in
// `benchOurs`) without the inference and the peers, for a longer look at the two-thread ratio
// turn by turn. npx tsx bench/thread-turns.ts [R=11 env: turns]
import { oursSamplers } from './ours.js';
import { median } from './lib/stats.js';

const samplers = [...(await oursSamplers({ quick: false, threads: [1, 2] })), ...(await oursSamplers({ quick: false, threads: [1, 2], data: 'mnist' }))];
const turns = Number(process.env.R ?? 11);
const rates: number[][] = samplers.map(() => []);
for (let r = 0; r < turns; r++) {
  const order = [...samplers.keys()];
  if (r % 2 === 1) order.reverse();
  for (const i of order) rates[i].push(await samplers[i].train());
}
samplers.forEach((s) => s.dispose());
for (const [name, one, two] of [['synthetic', 0, 1], ['MNIST', 2, 3]] as const) {
  const ratios = rates[two].map((v, r) => v / rates[one][r]);
  console.log(`${name}: 1 thread ${median(rates[one]).toFixed(0)} samples/s, 2 threads ${median(rates[two]).toFixed(0)}; ratio ${median(ratios).toFixed(3)}, turn by turn ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
}
