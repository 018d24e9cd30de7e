#!/usr/bin/env bash
# Builds the engine crate to ts/wasm/mlp_engine.wasm (single thread) and
# ts/wasm/mlp_engine_threads.wasm (shared memory, for worker threads) with Debian's Rust
# toolchain (rustup's has no wasm32 target here) and optimises both with binaryen's
# wasm-opt. The output must be byte-for-byte reproducible: CI rebuilds both and compares them
# with the committed files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

missing=()
[ -x /usr/bin/rustc ] || missing+=(rustc)
[ -x /usr/bin/cargo ] || missing+=(cargo)
[ -d /usr/lib/rustlib/wasm32-unknown-unknown ] || missing+=(libstd-rust-dev-wasm32)
command -v wasm-opt >/dev/null || missing+=(binaryen)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-wasm: missing ${missing[*]}." >&2
  echo "Install the toolchain with: apt-get update && apt-get install -y rustc cargo libstd-rust-dev-wasm32 lld binaryen" >&2
  exit 1
fi

out=${1:-ts/wasm/mlp_engine.wasm}
out_threads=${2:-ts/wasm/mlp_engine_threads.wasm}
export RUSTC=/usr/bin/rustc
export CARGO_HOME=${CARGO_HOME:-$root/target/cargo-home}
# Paths are remapped so the binary does not depend on where the checkout lives.
remap="--remap-path-prefix=$root=/mlp-wasm --remap-path-prefix=$CARGO_HOME=/cargo --remap-path-prefix=/usr/src/rustc-$(/usr/bin/rustc --version | cut -d' ' -f2)=/rustc"
# --low-memory-unused lets binaryen fold added constants into load/store offsets (Rust's
# wasm32 layout never uses the first KiB: the stack sits below 1 MiB and grows down).
opt_flags=(-O3 --low-memory-unused --enable-simd --enable-nontrapping-float-to-int --enable-sign-ext --enable-bulk-memory --strip-debug --strip-producers)

# fold_and_optimize IN OUT [features...]: folds the kernel's splat-load constants into offsets
# (see scripts/fold-splat-offsets.mjs), then optimises with wasm-opt.
fold_and_optimize() {
  local in=$1 out=$2
  shift 2
  local tmp
  tmp=$(mktemp -d)
  wasm-dis "$in" -o "$tmp/in.wat"
  node scripts/fold-splat-offsets.mjs "$tmp/in.wat" "$tmp/folded.wat"
  wasm-as --enable-simd --enable-nontrapping-float-to-int --enable-sign-ext --enable-bulk-memory "$@" "$tmp/folded.wat" -o "$tmp/folded.wasm"
  wasm-opt "${opt_flags[@]}" "$@" "$tmp/folded.wasm" -o "$out"
  rm -rf "$tmp"
  # V8 expands f32x4.min/max into 7-8 x64 instructions each (IEEE NaN and ±0), pmin/pmax
  # into one; LLVM emits them for a pmin/pmax against a constant (see simd::opaque).
  if wasm-dis "$out" | grep -qE 'f32x4\.(min|max)([^a-z]|$)'; then
    echo "build-wasm: $out uses f32x4.min or f32x4.max; clamp through simd::opaque bounds instead." >&2
    exit 1
  fi
}

# 1. Single-thread build: its own memory, no atomics (runs everywhere).
RUSTFLAGS="-C target-feature=+simd128 $remap" \
  /usr/bin/cargo build --release --locked --offline --target wasm32-unknown-unknown -p mlp-engine
fold_and_optimize target/wasm32-unknown-unknown/release/mlp_engine.wasm "$out"
echo "build-wasm: wrote $out ($(wc -c < "$out") bytes)"

# 2. Threads build: imports a shared memory (up to 4 GiB) that worker instances share, uses
# wasm atomics, and exports __stack_pointer so each worker instance gets its own stack.
# Debian's prebuilt std/compiler_builtins lack the atomics feature, which lld would refuse
# for --shared-memory: --no-check-features links them anyway, which is sound here because
# only the main instance ever runs std code that touches shared state (it alone allocates);
# workers run just the product kernels. Built into its own target dir so the two builds do
# not invalidate each other.
RUSTFLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals --cfg mlp_threads $remap \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--export=__stack_pointer -C link-arg=--no-check-features" \
  /usr/bin/cargo build --release --locked --offline --target wasm32-unknown-unknown -p mlp-engine --target-dir target/threads
fold_and_optimize target/threads/wasm32-unknown-unknown/release/mlp_engine.wasm "$out_threads" --enable-threads --enable-mutable-globals
echo "build-wasm: wrote $out_threads ($(wc -c < "$out_threads") bytes)"
