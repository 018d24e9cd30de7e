// The loss classes of the report (section 1.1), with optional L1/L2 regularisation.
// Conventions: cross-entropy −(1/n) Σ y·log p; squared error (1/(n·k)) Σ (p − y)²;
// L2 adds (α/2) Σ W², L1 adds α Σ |W| over the given weight matrices (not biases, not / n).

import { getEngine } from '../wasm/load.js';
import type { Engine } from '../wasm/engine.js';
import { ShapeError, ValueError, classNameOf, describe } from './errors.js';
import { Matrix, toMatrix, type MatrixLike } from './matrix.js';
import { checkOptions } from './validate.js';

export type Regularization = 'l1' | 'l2' | null;
export const LOSS_CODES = { crossEntropy: 0, squaredError: 1 } as const;
export type LossName = keyof typeof LOSS_CODES;
const REG_CODES = { none: 0, l1: 1, l2: 2 } as const;

export interface LossOptions {
  /** Regularisation strength (default 0). */
  alpha?: number;
  /** 'l1', 'l2' or null for none (default null). */
  regularization?: Regularization;
}

export interface LossGradient {
  /** d loss / d yPred. */
  output: Matrix;
  /** d penalty / d W for each given weight matrix. */
  weights: Matrix[];
}

export abstract class Loss {
  abstract readonly name: LossName;

  /** The class's name for messages and toString(), a literal because bundlers minify classes. */
  get className(): string {
    return classNameOf(this);
  }
  readonly alpha: number;
  readonly regularization: Regularization;

  constructor(options: LossOptions = {}) {
    const where = `new ${(new.target as { className?: string }).className ?? new.target.name}`;
    const o = checkOptions(options, ['alpha', 'regularization'], where);
    const alpha = o.alpha ?? 0;
    const regularization = o.regularization ?? null;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
      throw new ValueError(`${where}: alpha must be a finite number >= 0, got ${describe(alpha)}`);
    }
    if (regularization !== null && regularization !== 'l1' && regularization !== 'l2') {
      throw new ValueError(`${where}: regularization must be 'l1', 'l2' or null, got ${describe(regularization)}`);
    }
    this.alpha = alpha;
    this.regularization = regularization as Regularization;
  }

  get code(): number {
    return LOSS_CODES[this.name];
  }

  /** The engine's code for the regularisation kind. */
  get regularizationCode(): number {
    return REG_CODES[this.regularization ?? 'none'];
  }

  /** Mean loss over the batch plus the regularisation of `weights`. */
  compute(yPred: MatrixLike, yTrue: MatrixLike, weights: MatrixLike[] = []): number {
    const where = `${this.className}.compute`;
    const [p, y] = this.operands(yPred, yTrue, where);
    const engine = getEngine(where);
    const ws = this.weightMatrices(weights, where);
    return engine.scoped((s) => {
      const out = s.allocOf(Float64Array, 1);
      engine.check(engine.exports.mlp_loss_value(this.code, s.copyIn(p.data), s.copyIn(y.data), p.rows, p.cols, out), where);
      let total = engine.view(Float64Array, out, 1)[0];
      for (const w of ws) {
        engine.check(engine.exports.mlp_regularization_value(this.regularizationCode, this.alpha, s.copyIn(w.data), w.data.length, out), where);
        total += engine.view(Float64Array, out, 1)[0];
      }
      return total;
    });
  }

  /** d loss / d yPred, and d penalty / d W for each weight matrix. */
  gradient(yPred: MatrixLike, yTrue: MatrixLike, weights: MatrixLike[] = []): LossGradient {
    const where = `${this.className}.gradient`;
    const [p, y] = this.operands(yPred, yTrue, where);
    const engine = getEngine(where);
    const ws = this.weightMatrices(weights, where);
    return engine.scoped((s) => {
      const out = s.allocOf(Float32Array, p.data.length);
      engine.check(engine.exports.mlp_loss_gradient(this.code, s.copyIn(p.data), s.copyIn(y.data), p.rows, p.cols, out), where);
      const output = new Matrix(p.rows, p.cols, s.copyOut(Float32Array, out, p.data.length));
      const weightGrads = ws.map((w) => {
        const g = s.allocOf(Float32Array, w.data.length);
        engine.check(engine.exports.mlp_regularization_gradient(this.regularizationCode, this.alpha, s.copyIn(w.data), w.data.length, g), where);
        return new Matrix(w.rows, w.cols, s.copyOut(Float32Array, g, w.data.length));
      });
      return { output, weights: weightGrads };
    });
  }

  /** The report's __repr__. */
  toString(): string {
    return `${this.className}(alpha=${this.alpha}, regularization=${this.regularization ?? 'None'})`;
  }

  /** Checks targets where the loss needs a particular kind (cross-entropy: probabilities). */
  protected checkTargets(_y: Matrix, _where: string): void {}

  private operands(yPred: MatrixLike, yTrue: MatrixLike, where: string): [Matrix, Matrix] {
    const p = toMatrix(yPred, where, 'yPred');
    const y = toMatrix(yTrue, where, 'yTrue');
    if (p.rows !== y.rows || p.cols !== y.cols) {
      throw new ShapeError(`${where}: yPred and yTrue must have the same shape, got ${p.rows} x ${p.cols} and ${y.rows} x ${y.cols}`);
    }
    this.checkTargets(y, where);
    return [p, y];
  }

  private weightMatrices(weights: MatrixLike[], where: string): Matrix[] {
    if (!Array.isArray(weights)) throw new ValueError(`${where}: weights must be an array of matrices, got ${describe(weights)}`);
    return weights.map((w, i) => toMatrix(w, where, `weights[${i}]`));
  }
}

/** Mean squared error over all elements, like PyTorch's MSELoss. */
export class SquaredErrorLoss extends Loss {
  static readonly className = 'SquaredErrorLoss';
  readonly name = 'squaredError';
}

/** Categorical cross-entropy; targets are one-hot rows or probability rows. */
export class CrossEntropyLoss extends Loss {
  static readonly className = 'CrossEntropyLoss';
  readonly name = 'crossEntropy';

  protected override checkTargets(y: Matrix, where: string): void {
    checkProbabilityRows(y, where, 'yTrue');
  }
}

/**
 * Why the rows x cols targets at `ptr` (in wasm memory) are not probability rows, as
 * cross-entropy needs them (one-hot or distributions), or null when they are. The engine
 * scans them, not a JavaScript loop.
 */
export function probabilityRowsProblem(engine: Engine, ptr: number, rows: number, cols: number, where: string, arg: string): string | null {
  const [kind, row, col, value] = engine.scoped((s) => {
    const [out, v] = [s.allocOf(Int32Array, 3), s.allocOf(Float64Array, 1)];
    engine.check(engine.exports.mlp_first_non_probability_row(ptr, rows, cols, out, v), where);
    return [...engine.view(Int32Array, out, 3), engine.view(Float64Array, v, 1)[0]!];
  });
  if (kind === 1) return `${where}: ${arg} must hold probabilities (one-hot rows) for cross-entropy, got ${value} at row ${row}, column ${col}`;
  if (kind === 2) return `${where}: each row of ${arg} must sum to 1 for cross-entropy (one-hot or probabilities), row ${row} sums to ${value}`;
  return null;
}

/** Cross-entropy needs each target row to be a probability distribution. */
export function checkProbabilityRows(y: Matrix, where: string, arg: string): void {
  const engine = getEngine(where);
  const problem = engine.scoped((s) => probabilityRowsProblem(engine, s.copyIn(y.data), y.rows, y.cols, where, arg));
  if (problem !== null) throw new ValueError(problem);
}

export function lossFromName(name: unknown, options: LossOptions, where: string): Loss {
  if (name === 'crossEntropy') return new CrossEntropyLoss(options);
  if (name === 'squaredError') return new SquaredErrorLoss(options);
  throw new ValueError(`${where}: loss must be "crossEntropy" or "squaredError", got ${describe(name)}`);
}

export function checkLoss(value: unknown, where: string, arg: string): Loss {
  if (!(value instanceof Loss)) {
    throw new ValueError(`${where}: ${arg} must be a loss instance such as new CrossEntropyLoss(), got ${describe(value)}`);
  }
  return value;
}
