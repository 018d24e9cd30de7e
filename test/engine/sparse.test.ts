// The sparse way of the first layer's products on one thread (see test/helpers/sparse-suite.ts).

import { beforeAll } from 'vitest';
import { init } from '../../ts/index.js';
import { sparseSuite } from '../helpers/sparse-suite.js';

beforeAll(() => init());
sparseSuite(1);
