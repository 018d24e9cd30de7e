import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The library (ESM + CJS + types) and the CLI. Both .wasm builds are copied beside the bundles,
// where `new URL('./mlp_engine.wasm', import.meta.url)` (and its threads twin) look for them.
export default defineConfig([
  {
    entry: { index: 'ts/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    shims: true,
    target: 'es2022',
    platform: 'neutral',
    external: ['node:fs', 'node:fs/promises', 'node:zlib', 'node:url', 'node:path', 'node:os', 'node:worker_threads', 'node:crypto'],
    onSuccess: async () => {
      mkdirSync('dist', { recursive: true });
      copyFileSync('ts/wasm/mlp_engine.wasm', 'dist/mlp_engine.wasm');
      copyFileSync('ts/wasm/mlp_engine_threads.wasm', 'dist/mlp_engine_threads.wasm');
    },
  },
  {
    entry: { cli: 'ts/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
