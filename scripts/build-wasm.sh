#!/usr/bin/env bash
# Builds the engine crate to ts/wasm/mlp_engine.wasm with Debian's Rust toolchain (rustup's
# has no wasm32 target here) and optimises it with binaryen's wasm-opt. The output must be
# byte-for-byte reproducible: CI rebuilds it and compares with the committed file.
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
export RUSTC=/usr/bin/rustc
export CARGO_HOME=${CARGO_HOME:-$root/target/cargo-home}
# Paths are remapped so the binary does not depend on where the checkout lives.
export RUSTFLAGS="-C target-feature=+simd128 --remap-path-prefix=$root=/mlp-wasm --remap-path-prefix=$CARGO_HOME=/cargo --remap-path-prefix=/usr/src/rustc-$(/usr/bin/rustc --version | cut -d' ' -f2)=/rustc"
/usr/bin/cargo build --release --locked --offline --target wasm32-unknown-unknown -p mlp-engine

wasm-opt -O3 --enable-simd --enable-nontrapping-float-to-int --enable-sign-ext --enable-bulk-memory --strip-debug --strip-producers \
  target/wasm32-unknown-unknown/release/mlp_engine.wasm -o "$out"
echo "build-wasm: wrote $out ($(wc -c < "$out") bytes)"
