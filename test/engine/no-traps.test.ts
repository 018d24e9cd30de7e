// The engine never traps on what a user (or a test hook's caller) can pass: each case here
// once ended in "RuntimeError: unreachable" or a write past a buffer, and now returns an error
// status or works.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, FeedForwardNeuralNets, Matrix, Sigmoid, ShapeError, ValueError } from '../../ts/index.js';

beforeAll(() => init());

/** A fresh single-thread engine instance of its own, driven through the raw C ABI. */
async function rawEngine() {
  const { instance } = await WebAssembly.instantiate(readFileSync(new URL('../../ts/wasm/mlp_engine.wasm', import.meta.url)), {});
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return instance.exports as any;
}

describe('through the public API', () => {
  it('a Matrix whose data no longer matches rows x cols is refused, not written past', () => {
    // A resizable buffer (ES2024), shrunk after the Matrix was made.
    const buf = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & { resize(n: number): void })(64 * 64 * 4, { maxByteLength: 64 * 64 * 4 });
    const m = new Matrix(64, 64, new Float32Array(buf));
    buf.resize(4);
    expect(() => new Sigmoid().apply(m)).toThrow(ShapeError);
    const n = new Matrix(2, 2);
    (n as unknown as { rows: number }).rows = 64;
    expect(() => new Sigmoid().apply(n)).toThrow(/is a Matrix of 64 x 2 whose data holds 4 values; it was changed after it was made/);
  });

  it('Adam keeps working past t = 2^31 (the bias correction saturates instead of turning negative)', () => {
    const X = [[0, 1], [1, 0]];
    const Y = [[1, 0], [0, 1]];
    for (const t of [2 ** 31 - 1, 2 ** 32 - 3]) {
      const net = new FeedForwardNeuralNets({ inputs: X, outputs: Y, hiddenLayers: [3], optimizer: 'adam', eta: 0.01, batchSize: 2, seed: 1, t });
      net.train(2);
      expect(net.t).toBe(t + 2);
      const back = FeedForwardNeuralNets.load(net.save());
      expect(back.train(1, { data: [X, Y] }).epochsCompleted).toBe(1);
      back.dispose();
      net.dispose();
    }
  });

  it('a network of more layers than the engine supports is a ValueError', () => {
    expect(() => new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: Array(1024).fill(1) })).toThrow(/hiddenLayers can have at most 1023 layers, got 1024/);
  });
});

describe('through the raw ABI', () => {
  it('buffers stay valid when the memory is at its full 4 GiB', async () => {
    const e = await rawEngine();
    const ptr = e.mlp_alloc(64);
    const out = e.mlp_alloc(4);
    e.memory.grow(65536 - e.memory.buffer.byteLength / 65536); // reserved, not touched
    expect(e.memory.buffer.byteLength).toBe(2 ** 32);
    expect(e.mlp_first_nonfinite(ptr, 4, out)).toBe(0);
  });

  it('a softmax Jacobian of zero columns, and test hooks given overflowing sizes, return errors', async () => {
    const e = await rawEngine();
    const p = e.mlp_alloc(256);
    expect(e.mlp_activation_gradient(4, p, 3, 0, p)).toBe(0);
    // C of 2 rows with a row stride of 2^32 - 4: its length wraps in 32 bits.
    expect(e.mlp_test_gemm(1, 2, 8, 2, p, 4, 2, 1, p, 16, 8, 1, p, 0xfffffffc, 0, 1)).not.toBe(0);
    expect(e.mlp_test_gemm(1, 2, 8, 2, p, 4, 2, 1, p, 16, 8, 1, p, 0xfffffffc, 1, 1)).not.toBe(0);
    // Packed A of 65536 x 65536 (zero strides): its size wraps in 32 bits.
    expect(e.mlp_test_gemm(1, 65536, 1, 65536, p, 1, 0, 0, p, 1, 0, 0, p, 1, 0, 1)).not.toBe(0);
    const sizes = e.mlp_alloc(12);
    new Uint32Array(e.memory.buffer, sizes, 3).set([1, 65537, 1]);
    expect(e.mlp_reference_loss_and_gradients(sizes, 3, 1, 4, 0, 0, 0, p, p, p, 65536, 0, p)).not.toBe(0);
    expect(e.mlp_parameter_count(sizes, 2000)).toBeLessThan(0);
  });
});

// The TS side names such errors too.
it('ValueError is the error type for those ABI refusals seen through the API', () => {
  expect(() => new FeedForwardNeuralNets({ inputs: 2, outputs: 2, hiddenLayers: [], threads: 65 })).toThrow(ValueError);
});
