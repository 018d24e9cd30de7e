// Training data resident in wasm memory. Copying it in happens once; every epoch then
// gathers mini-batches inside the engine.

import { getEngine } from '../wasm/load.js';
import type { Engine } from '../wasm/engine.js';
import { DisposedError, ShapeError, ValueError, describe } from './errors.js';
import { Matrix, checkFiniteInEngine, toMatrix, type MatrixLike } from './matrix.js';
import { probabilityRowsProblem } from './losses.js';
import { MAX_ENGINE_COUNT, positiveInteger } from './validate.js';

const registry = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<{ engine: Engine; handle: number }>(({ engine, handle }) => engine.exports.mlp_dataset_free(handle))
  : null;

export interface U8Source {
  /** count x features bytes, row-major (e.g. MNIST pixels). */
  pixels: Uint8Array;
  /** count class labels. */
  labels: Uint8Array;
  features: number;
}

export interface U8Transform {
  /** Multiplier applied first (1/255 normalises pixels to [0, 1]). */
  scale: number;
  /** Subtracted after scaling: one value per feature. */
  mean: Float32Array;
  /** Divided by after subtracting: one value per feature. */
  std: Float32Array;
}

export class Dataset {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  private _handle: number;
  private readonly engine: Engine;
  private _labels: Int32Array | null;
  /** Every target row holds probabilities (non-negative, summing to 1), as cross-entropy needs. */
  readonly probabilityTargets: boolean;

  private constructor(engine: Engine, handle: number, n: number, d: number, k: number, labels: Int32Array | null, probabilityTargets: boolean) {
    this.engine = engine;
    this.probabilityTargets = probabilityTargets;
    this._handle = handle;
    this.n = n;
    this.d = d;
    this.k = k;
    this._labels = labels;
    registry?.register(this, { engine, handle }, this);
  }

  /** Inputs X (n x d) and targets Y (n x k) copied into the engine. */
  static fromMatrices(X: MatrixLike, Y: MatrixLike, options: { where?: string; needProbabilities?: boolean } = {}): Dataset {
    const where = options.where ?? 'Dataset.fromMatrices';
    // Finiteness is checked in the engine after the copy (SIMD, not a JS loop over every value).
    const x = toMatrix(X, where, 'X', { finite: false });
    const y = toMatrix(Y, where, 'Y', { finite: false });
    if (x.rows !== y.rows) {
      throw new ShapeError(`${where}: X and Y must have the same number of rows, got ${x.rows} and ${y.rows}`);
    }
    const engine = getEngine(where);
    const handle = engine.checkHandle(engine.exports.mlp_dataset_create(x.rows, x.cols, y.cols), where);
    // Views are taken right after the pointer is read: nothing allocates in between.
    engine.view(Float32Array, engine.exports.mlp_dataset_ptr(handle, 0), x.data.length).set(x.data);
    engine.view(Float32Array, engine.exports.mlp_dataset_ptr(handle, 1), y.data.length).set(y.data);
    // Scanned where they now live (each pointer is read just before its scan: scans allocate).
    let problem: string | null;
    try {
      checkFiniteInEngine(engine, engine.exports.mlp_dataset_ptr(handle, 0), x, where, 'X');
      checkFiniteInEngine(engine, engine.exports.mlp_dataset_ptr(handle, 1), y, where, 'Y');
      problem = probabilityRowsProblem(engine, engine.exports.mlp_dataset_ptr(handle, 1), y.rows, y.cols, where, 'Y');
    } catch (e) {
      engine.exports.mlp_dataset_free(handle);
      throw e;
    }
    if (problem !== null && options.needProbabilities) {
      engine.exports.mlp_dataset_free(handle);
      throw new ValueError(problem);
    }
    return new Dataset(engine, handle, x.rows, x.cols, y.cols, null, problem === null);
  }

  /**
   * Rows of 8-bit data (selected by `rows`) expanded to float32 inside the engine as
   * (u·scale − mean) / std, with one-hot targets for `classes` classes.
   */
  static fromU8(source: U8Source, rows: Uint32Array, classes: number, transform: U8Transform, where = 'Dataset.fromU8'): Dataset {
    checkU8Arguments(source, rows, classes, transform, where);
    const d = source.features;
    if (source.pixels.length !== source.labels.length * d) {
      throw new ShapeError(`${where}: pixels must hold labels.length x features = ${source.labels.length * d} bytes, got ${source.pixels.length}`);
    }
    if (transform.mean.length !== d || transform.std.length !== d) {
      throw new ShapeError(`${where}: mean and std must have ${d} values, got ${transform.mean.length} and ${transform.std.length}`);
    }
    const invStd = transform.std.map((s) => (s > 0 ? 1 / s : 1));
    const engine = getEngine(where);
    const handle = engine.checkHandle(engine.exports.mlp_dataset_create(rows.length, d, classes), where);
    try {
      engine.scoped((s) => {
        const status = engine.exports.mlp_dataset_fill_u8(handle, s.copyIn(source.pixels), source.pixels.length, s.copyIn(source.labels), s.copyIn(rows), transform.scale, s.copyIn(transform.mean), s.copyIn(invStd));
        engine.check(status, where);
      });
    } catch (e) {
      engine.exports.mlp_dataset_free(handle);
      throw e;
    }
    const labels = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) labels[i] = source.labels[rows[i]];
    // One-hot targets from labels; a label of `classes` or more was refused by the engine.
    return new Dataset(engine, handle, rows.length, d, classes, labels, true);
  }

  /** The engine handle; throws once disposed. */
  get handle(): number {
    if (this._handle === 0) throw new DisposedError('Dataset: this dataset was disposed; create a new one');
    return this._handle;
  }

  get disposed(): boolean {
    return this._handle === 0;
  }

  /** Class labels (argmax of the targets), e.g. for classification reports. */
  get labels(): Int32Array {
    if (!this._labels) {
      const engine = this.engine;
      const n = this.n;
      this._labels = engine.scoped((s) => {
        const out = s.allocOf(Int32Array, n);
        engine.check(engine.exports.mlp_argmax_rows(engine.exports.mlp_dataset_ptr(this.handle, 1), n, this.k, out), 'Dataset.labels');
        return s.copyOut(Int32Array, out, n);
      });
    }
    return this._labels;
  }

  /** A copy of the inputs or targets as a Matrix (for inspection; not needed to train). */
  toMatrices(): { X: Matrix; Y: Matrix } {
    const X = this.engine.view(Float32Array, this.engine.exports.mlp_dataset_ptr(this.handle, 0), this.n * this.d).slice();
    const Y = this.engine.view(Float32Array, this.engine.exports.mlp_dataset_ptr(this.handle, 1), this.n * this.k).slice();
    return { X: new Matrix(this.n, this.d, X), Y: new Matrix(this.n, this.k, Y) };
  }

  dispose(): void {
    if (this._handle === 0) return;
    registry?.unregister(this);
    this.engine.exports.mlp_dataset_free(this._handle);
    this._handle = 0;
  }

  toString(): string {
    return `Dataset(${this.n} rows, ${this.d} inputs, ${this.k} targets)`;
  }
}

export function checkDataset(value: unknown, where: string, arg: string): Dataset {
  if (!(value instanceof Dataset)) throw new ValueError(`${where}: ${arg} must be a Dataset, got ${describe(value)}`);
  if (value.disposed) throw new DisposedError(`${where}: ${arg} was disposed`);
  return value;
}

/** Types and ranges of fromU8's arguments, each named (a plain array here would otherwise be
 *  read by the engine as raw bytes). */
function checkU8Arguments(source: U8Source, rows: Uint32Array, classes: number, transform: U8Transform, where: string): void {
  const typed = (value: unknown, ctor: Function, arg: string) => {
    if (!(value instanceof ctor)) throw new ValueError(`${where}: ${arg} must be a ${ctor.name}, got ${describe(value)}`);
  };
  if (source === null || typeof source !== 'object') throw new ValueError(`${where}: source must be { pixels, labels, features }, got ${describe(source)}`);
  typed(source.pixels, Uint8Array, 'source.pixels');
  typed(source.labels, Uint8Array, 'source.labels');
  positiveInteger(source.features, where, 'source.features', MAX_ENGINE_COUNT);
  typed(rows, Uint32Array, 'rows');
  positiveInteger(classes, where, 'classes', 256);
  if (transform === null || typeof transform !== 'object') throw new ValueError(`${where}: transform must be { scale, mean, std }, got ${describe(transform)}`);
  if (typeof transform.scale !== 'number' || !Number.isFinite(transform.scale)) throw new ValueError(`${where}: transform.scale must be a finite number, got ${describe(transform.scale)}`);
  typed(transform.mean, Float32Array, 'transform.mean');
  typed(transform.std, Float32Array, 'transform.std');
}
