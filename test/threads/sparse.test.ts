// The sparse way of the first layer's products with every product split over two threads
// (see test/helpers/sparse-suite.ts).

import { afterAll, beforeAll } from 'vitest';
import { init } from '../../ts/index.js';
import { getEngine } from '../../ts/wasm/load.js';
import { sparseSuite } from '../helpers/sparse-suite.js';

beforeAll(async () => {
  await init({ threads: 2 });
  getEngine().exports.mlp_test_set_parallel_flops(0);
});
afterAll(() => getEngine().exports.mlp_test_set_parallel_flops(1 << 18));
sparseSuite(2);
