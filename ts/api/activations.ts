// The activation classes of the report (section 1.2). The math runs in the engine; these
// classes name the function, validate input and carry the code the engine knows it by.

import { getEngine } from '../wasm/load.js';
import type { EngineExports } from '../wasm/exports.js';
import { ValueError, classNameOf, describe } from './errors.js';
import { Matrix, toMatrix, type MatrixLike } from './matrix.js';

/** Engine codes (crates/engine/src/activations.rs). */
export const ACTIVATION_CODES = { relu: 0, sigmoid: 1, tanh: 2, linear: 3, softmax: 4 } as const;
export type ActivationName = keyof typeof ACTIVATION_CODES;

export abstract class Activation {
  abstract readonly name: ActivationName;

  /** The class's name for messages and toString(), a literal because bundlers minify classes. */
  get className(): string {
    return classNameOf(this);
  }

  get code(): number {
    return ACTIVATION_CODES[this.name];
  }

  /** f(x), element-wise (softmax: row-wise). */
  apply(x: MatrixLike): Matrix {
    return this.mapped(x, 'apply', (e) => e.mlp_activation_apply);
  }

  /** The derivative at x: element-wise for most, per-row Jacobians for softmax. */
  abstract gradient(x: MatrixLike): Matrix | Matrix[];

  protected elementwiseGradient(x: MatrixLike): Matrix {
    return this.mapped(x, 'gradient', (e) => e.mlp_activation_gradient);
  }

  /** Runs an engine function that maps a matrix to one of the same shape. */
  private mapped(x: MatrixLike, method: string, pick: (e: EngineExports) => EngineExports['mlp_activation_apply']): Matrix {
    const where = `${this.className}.${method}`;
    const m = toMatrix(x, where, 'x', { finite: false });
    const engine = getEngine(where);
    return engine.scoped((s) => {
      const px = s.copyIn(m.data);
      const out = s.allocOf(Float32Array, m.data.length);
      engine.check(pick(engine.exports)(this.code, px, m.rows, m.cols, out), where);
      return new Matrix(m.rows, m.cols, s.copyOut(Float32Array, out, m.data.length));
    });
  }

  toString(): string {
    return `${this.className}()`;
  }
}

/** An activation applied element by element: its derivative is one matrix of x's shape. */
export abstract class ElementwiseActivation extends Activation {
  gradient(x: MatrixLike): Matrix {
    return this.elementwiseGradient(x);
  }
}

/** max(0, x); derivative 1 for x > 0, else 0. */
export class ReLU extends ElementwiseActivation {
  static readonly className = 'ReLU';
  readonly name = 'relu';
}

/** 1 / (1 + e^−x); derivative σ(x)(1 − σ(x)). */
export class Sigmoid extends ElementwiseActivation {
  static readonly className = 'Sigmoid';
  readonly name = 'sigmoid';
}

/** tanh(x); derivative 1 − tanh²(x). */
export class Tanh extends ElementwiseActivation {
  static readonly className = 'Tanh';
  readonly name = 'tanh';
}

/** The identity; derivative 1. */
export class Linear extends ElementwiseActivation {
  static readonly className = 'Linear';
  readonly name = 'linear';
}

/** Row-wise e^x / Σ e^x, shifted by the row maximum so huge logits stay finite. */
export class Softmax extends Activation {
  static readonly className = 'Softmax';
  readonly name = 'softmax';

  /** One k x k Jacobian per row: J[i][j] = p_i (δ_ij − p_j). */
  gradient(x: MatrixLike): Matrix[] {
    const where = 'Softmax.gradient';
    const m = toMatrix(x, where, 'x', { finite: false });
    const engine = getEngine(where);
    const k = m.cols;
    const all = engine.scoped((s) => {
      const px = s.copyIn(m.data);
      const out = s.allocOf(Float32Array, m.rows * k * k);
      engine.check(engine.exports.mlp_activation_gradient(this.code, px, m.rows, k, out), where);
      return s.copyOut(Float32Array, out, m.rows * k * k);
    });
    return Array.from({ length: m.rows }, (_, r) => new Matrix(k, k, all.slice(r * k * k, (r + 1) * k * k)));
  }
}

/** An activation instance from its name (used by the model format and the CLI). */
export function activationFromName(name: unknown, where: string, arg: string): Activation {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    case 'linear':
      return new Linear();
    case 'softmax':
      return new Softmax();
    default:
      throw new ValueError(`${where}: ${arg} must be one of "relu", "sigmoid", "tanh", "linear", "softmax", got ${describe(name)}`);
  }
}

export function checkActivation(value: unknown, where: string, arg: string): Activation {
  if (!(value instanceof Activation)) {
    throw new ValueError(`${where}: ${arg} must be an activation instance such as new ReLU(), got ${describe(value)}`);
  }
  return value;
}
