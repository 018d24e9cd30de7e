// The engine's blocking constants as its test hook reports them, for the tests and the bench
// (which read shapes and Strassen's threshold from it instead of repeating the numbers).

import { getEngine } from '../../ts/wasm/load.js';

/** The engine's blocking (abi.rs `mlp_test_blocking`): tests derive their shapes from it so
 *  they keep crossing every tile, K-block, row-block and evaluation-chunk boundary. */
export interface Blocking {
  /** Rows and columns of a register tile. */
  mr: number;
  nr: number;
  /** Deepest K block. */
  kc: number;
  /** Rows of A per row block. */
  mcRows: number;
  /** Rows per evaluation chunk (loss, predict). */
  evalRows: number;
  /** An A of up to this many floats (as packed) is small: each thread packs B panel by panel
   *  (and a transposed A for itself); with a larger one, B (and a transposed A) is packed
   *  once and shared. */
  privateA: number;
  /** Evaluation multiplies in Strassen's seven half products when every dimension of a
   *  layer's product is even and at least twice this. */
  strassenMinHalf: number;
}

export function blocking(): Blocking {
  const engine = getEngine();
  return engine.scoped((s) => {
    const out = s.allocOf(Uint32Array, 7);
    engine.check(engine.exports.mlp_test_blocking(out), 'blocking');
    const [mr, nr, kc, mc, evalRows, privateA, strassenMinHalf] = engine.view(Uint32Array, out, 7);
    return { mr, nr, kc, mcRows: mc * mr, evalRows, privateA, strassenMinHalf };
  });
}
