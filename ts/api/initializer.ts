// ParameterInitializer (report section 1.3). Scales, drawn by the engine's seeded generator:
// - 'random':   weights and biases uniform in [−0.1, 0.1)
// - 'gaussian': weights and biases normal, mean 0, standard deviation 0.1
// - 'glorot':   weights uniform in [−l, l), l = √(6 / (fan_in + fan_out)); biases 0
// A network built with the same method and seed starts from exactly these values.

import { getEngine } from '../wasm/load.js';
import { unflatten, parameterCount, type Parameters } from './parameters.js';
import { checkOptions, oneOf, positiveInteger, randomSeed, seedParts } from './validate.js';
import { ValueError, describe } from './errors.js';

export const INITIALIZATIONS = ['random', 'gaussian', 'glorot'] as const;
export type Initialization = (typeof INITIALIZATIONS)[number];
export const INIT_CODES: Record<Initialization, number> = { random: 0, gaussian: 1, glorot: 2 };

export interface ParameterInitializerOptions {
  initialization?: Initialization;
  /** Integer seed in [0, 2^53); random when omitted (see `seed`). */
  seed?: number;
}

export class ParameterInitializer {
  readonly initialization: Initialization;
  readonly seed: number;

  constructor(options: ParameterInitializerOptions = {}) {
    const where = 'new ParameterInitializer';
    const o = checkOptions(options, ['initialization', 'seed'], where);
    this.initialization = oneOf(o.initialization ?? 'glorot', INITIALIZATIONS, where, 'initialization');
    this.seed = (o.seed as number | undefined) ?? randomSeed();
    seedParts(this.seed, where);
  }

  /** { W1, b1, …, W{L}, b{L} } for a network inputs → hiddenLayers… → outputs. */
  initializeParameters(inputs: number, hiddenLayers: number[], outputs: number): Parameters {
    const where = 'ParameterInitializer.initializeParameters';
    const sizes = layerSizes(inputs, hiddenLayers, outputs, where);
    const engine = getEngine(where);
    const count = parameterCount(sizes);
    const [lo, hi] = seedParts(this.seed, where);
    const flat = engine.scoped((s) => {
      const out = s.allocOf(Float32Array, count);
      const ps = s.copyIn(Uint32Array.from(sizes));
      engine.check(engine.exports.mlp_initialize_parameters(INIT_CODES[this.initialization], lo, hi, ps, sizes.length, out), where);
      return s.copyOut(Float32Array, out, count);
    });
    return unflatten(flat, sizes);
  }

  toString(): string {
    return `ParameterInitializer(initialization=${this.initialization}, seed=${this.seed})`;
  }
}

/** [inputs, ...hidden, outputs] after checking every width. */
export function layerSizes(inputs: unknown, hiddenLayers: unknown, outputs: unknown, where: string): number[] {
  positiveInteger(inputs, where, 'inputs');
  positiveInteger(outputs, where, 'outputs');
  if (!Array.isArray(hiddenLayers)) {
    throw new ValueError(`${where}: hiddenLayers must be an array of positive integers (e.g. [500, 250, 100]), got ${describe(hiddenLayers)}`);
  }
  // The engine's limit (MAX_LAYER_SIZES in abi.rs): inputs + 1023 hidden layers + outputs.
  if (hiddenLayers.length > 1023) throw new ValueError(`${where}: hiddenLayers can have at most 1023 layers, got ${hiddenLayers.length}`);
  hiddenLayers.forEach((h, i) => positiveInteger(h, where, `hiddenLayers[${i}]`));
  const sizes = [inputs as number, ...(hiddenLayers as number[]), outputs as number];
  if (parameterCount(sizes) > 2 ** 28) {
    throw new ValueError(`${where}: a network of ${sizes.join('-')} has ${parameterCount(sizes)} parameters; the engine's 32-bit memory holds at most 2^28 (about 268 million)`);
  }
  return sizes;
}
