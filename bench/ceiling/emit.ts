// Hand-written WebAssembly binary encoder for the SIMD128 ceiling kernel, so a fresh clone
// needs no wat2wasm. It emits exactly what `wat2wasm ceiling.wat` produces for chains=12,
// unroll=1 (test/bench/harness.test.ts checks that byte for byte when wabt is installed).
//
// Kernel: C independent chains a_i = a_i * m + k on f32x4 (SIMD128 has no FMA, so each step is
// f32x4.mul + f32x4.add = 8 flops), iterated n times; returns lane 0 of the sum of all chains
// so the engine cannot drop any chain.

// Opcodes from the WebAssembly core spec (binary format, SIMD: prefix 0xfd + LEB128 u32).
const OP = {
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Sub: 0x6b,
  simd: 0xfd,
} as const;
const SIMD = { v128Const: 12, f32x4Splat: 19, f32x4ExtractLane: 31, f32x4Add: 228, f32x4Mul: 230 } as const;
const TYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b, func: 0x60, emptyBlock: 0x40 } as const;
const SECTION = { type: 1, function: 3, export: 7, code: 10 } as const;

/** Unsigned LEB128, used for every count, index and size in the binary format. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const simd = (op: number) => [OP.simd, ...uleb(op)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

function f32x4Const(value: number): number[] {
  const bytes = new Uint8Array(16);
  new Float32Array(bytes.buffer).fill(value); // wasm is little-endian, so are all hosts V8 runs on
  return [...simd(SIMD.v128Const), ...bytes];
}

/**
 * Module with one export `run(n: i32, m: f32, k: f32) -> f32`.
 * @param chains independent accumulator chains (registers in flight)
 * @param unroll copies of the chain updates per loop iteration (amortises the loop counter)
 */
export function emitCeilingModule(chains: number, unroll = 1): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(chains) || chains < 1 || chains > 64) throw new RangeError(`chains must be 1..64, got ${chains}`);
  if (!Number.isInteger(unroll) || unroll < 1) throw new RangeError(`unroll must be >= 1, got ${unroll}`);
  const [N, M, K] = [0, 1, 2]; // params
  const acc = (i: number) => 3 + i; // locals follow the params
  const mv = 3 + chains;
  const kv = 4 + chains;

  const code: number[] = [];
  code.push(OP.localGet, M, ...simd(SIMD.f32x4Splat), OP.localSet, ...uleb(mv));
  code.push(OP.localGet, K, ...simd(SIMD.f32x4Splat), OP.localSet, ...uleb(kv));
  // Distinct start values, so no two chains are provably equal (value numbering could merge them).
  for (let i = 0; i < chains; i++) code.push(...f32x4Const(i + 1), OP.localSet, ...uleb(acc(i)));

  code.push(OP.loop, TYPE.emptyBlock);
  for (let u = 0; u < unroll; u++) {
    for (let i = 0; i < chains; i++) {
      code.push(OP.localGet, ...uleb(acc(i)), OP.localGet, ...uleb(mv), ...simd(SIMD.f32x4Mul));
      code.push(OP.localGet, ...uleb(kv), ...simd(SIMD.f32x4Add), OP.localSet, ...uleb(acc(i)));
    }
  }
  // n -= 1; loop while n != 0 (callers pass n >= 1)
  code.push(OP.localGet, N, OP.i32Const, 1, OP.i32Sub, OP.localTee, N, OP.brIf, 0, OP.end);

  code.push(OP.localGet, ...uleb(acc(0)));
  for (let i = 1; i < chains; i++) code.push(OP.localGet, ...uleb(acc(i)), ...simd(SIMD.f32x4Add));
  code.push(...simd(SIMD.f32x4ExtractLane), 0, OP.end);

  const locals = vec([[...uleb(chains + 2), TYPE.v128]]); // one group: chains + m + k, all v128
  const body = [...locals, ...code];

  const typeSec = section(SECTION.type, vec([[TYPE.func, ...vec([[TYPE.i32], [TYPE.f32], [TYPE.f32]]), ...vec([[TYPE.f32]])]]));
  const funcSec = section(SECTION.function, vec([[0]]));
  const name = [...new TextEncoder().encode('run')];
  const exportSec = section(SECTION.export, vec([[...uleb(name.length), ...name, 0x00, 0]]));
  const codeSec = section(SECTION.code, vec([[...uleb(body.length), ...body]]));

  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return new Uint8Array([...header, ...typeSec, ...funcSec, ...exportSec, ...codeSec]);
}

/** Flops per loop iteration: chains * unroll * (4 lanes * (1 mul + 1 add)). */
export function flopsPerIteration(chains: number, unroll = 1): number {
  return chains * unroll * 8;
}
