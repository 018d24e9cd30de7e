// Plain Node (no bundler, no vitest): imports the built package by its name (the package's
// own `exports` map, as a dependent would) and prints the forward pass of the spec on stdin.
import { forward } from './pages/forward-common.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const specs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const mlp = await import('mlp-wasm');
const results = [];
for (const spec of specs) results.push(await forward(mlp, spec));
const threads = mlp.threadCount?.() ?? 1;
await mlp.shutdown?.();
process.stdout.write(JSON.stringify({ resolved: import.meta.resolve('mlp-wasm'), threads, results }));
