// Folds `v128.load32_splat (i32.add p (i32.const C))` into `v128.load32_splat offset=C p` in
// a binaryen text file: node scripts/fold-splat-offsets.mjs in.wat out.wat
//
// Why: the GEMM micro-kernel broadcasts four A values per k step with load32_splat at
// p+4, p+8, p+12. LLVM 14 and binaryen 108 fold such constants into the offset of plain loads
// but not of SIMD load-splats, and V8 cannot fold a wrapping i32.add into the x64 address, so
// each one costs an extra instruction in the hottest loop (measured: the kernel goes from about
// 40 to 44 GFLOP/s). It is sound under the assumption the build already makes with wasm-opt's
// --low-memory-unused: the first KiB of memory is never addressed, so an add of C < 1024 that
// wrapped (and so differs from the unwrapped offset form) would point there.

import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/fold-splat-offsets.mjs in.wat out.wat');
  process.exit(2);
}
const pattern = /\(v128\.load32_splat( align=\d+)?\n(\s*)\(i32\.add\n\s*(\(local\.get \$[\w.$]+\))\n\s*\(i32\.const (\d+)\)\n\s*\)\n/g;
let folded = 0;
const text = readFileSync(input, 'utf8').replace(pattern, (all, align, indent, base, constant) => {
  const c = Number(constant);
  if (c === 0 || c >= 1024) return all;
  folded++;
  return `(v128.load32_splat offset=${c}${align ?? ''}\n${indent}${base}\n`;
});
writeFileSync(output, text);
console.log(`fold-splat-offsets: folded ${folded} constant(s) into load32_splat offsets`);
if (folded === 0) console.warn('fold-splat-offsets: nothing to fold: the kernel\'s code has changed shape; check the GEMM GFLOP/s (npm run bench)');
