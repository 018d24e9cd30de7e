//! mlp-engine: the numeric core of mlp-wasm, compiled to WebAssembly with SIMD128.
//!
//! Files, bottom up: `error` (status codes), `buffer` (fallible allocation), `rng` (seeded
//! generator), `simd` (vector helpers and a vectorised exp), `gemm` (register-tiled matrix
//! products), `activations`, `loss`, `optim`, `init` (parameter initialisers), `dataset`
//! (resident training data), `parallel` (fork/join over worker instances in the threads
//! build), `strassen` (seven half products for evaluation's large ones), `sparse` (the first layer's
//! products over a mostly-zero input, skipping its zeros), `network`
//! (backward and training; `evaluation` has the forward pass and evaluation in chunks), `reference` (a plain
//! float64 network used only to check the float32 path), and `abi` (every export).

pub mod abi;
pub mod activations;
pub mod buffer;
pub mod dataset;
pub mod error;
pub mod evaluation;
pub mod gemm;
pub mod init;
pub mod loss;
pub mod network;
pub mod optim;
pub mod parallel;
pub mod reference;
pub mod rng;
pub mod simd;
pub mod sparse;
pub mod strassen;
