// The typed shape of the engine's exports (crates/engine/src/abi.rs). Pointers and sizes
// are plain numbers (wasm32: 32-bit); statuses are 0 for success.

type Ptr = number;
type Status = number;
type Handle = number;

export interface EngineExports {
  /** Exported by the single-thread build; the threads build imports it (the binding adds it here). */
  memory: WebAssembly.Memory;
  /** Exported by the threads build so each worker instance can be given its own stack. */
  __stack_pointer?: WebAssembly.Global;
  mlp_last_error_ptr(): Ptr;
  mlp_last_error_len(): number;
  mlp_abi_version(): number;
  mlp_alloc(bytes: number): Ptr;
  mlp_free(ptr: Ptr, bytes: number): void;

  mlp_activation_apply(code: number, x: Ptr, rows: number, cols: number, out: Ptr): Status;
  mlp_activation_gradient(code: number, x: Ptr, rows: number, cols: number, out: Ptr): Status;
  mlp_loss_value(code: number, p: Ptr, y: Ptr, rows: number, cols: number, out: Ptr): Status;
  mlp_first_non_probability_row(y: Ptr, rows: number, cols: number, out: Ptr, outValue: Ptr): Status;
  mlp_loss_gradient(code: number, p: Ptr, y: Ptr, rows: number, cols: number, out: Ptr): Status;
  mlp_regularization_value(code: number, alpha: number, w: Ptr, len: number, out: Ptr): Status;
  mlp_regularization_gradient(code: number, alpha: number, w: Ptr, len: number, out: Ptr): Status;
  mlp_initialize_parameters(kind: number, seedLo: number, seedHi: number, sizes: Ptr, nSizes: number, out: Ptr): Status;
  mlp_parameter_count(sizes: Ptr, nSizes: number): number;
  mlp_permutation(seedLo: number, seedHi: number, n: number, out: Ptr): Status;
  mlp_argmax_rows(src: Ptr, rows: number, cols: number, out: Ptr): Status;
  mlp_first_nonfinite(src: Ptr, len: number, out: Ptr): Status;

  mlp_network_create(
    sizes: Ptr, nSizes: number, hidden: number, output: number, loss: number, reg: number, alpha: number,
    optimizer: number, eta: number, beta1: number, beta2: number, epsilon: number, init: number,
    seedLo: number, seedHi: number,
  ): Handle;
  mlp_network_free(h: Handle): Status;
  mlp_network_set_hyper(h: Handle, eta: number, beta1: number, beta2: number, epsilon: number): Status;
  mlp_network_read(h: Handle, which: number, out: Ptr, len: number): Status;
  mlp_network_write(h: Handle, which: number, src: Ptr, len: number): Status;
  mlp_network_get_state(h: Handle, out: Ptr): Status;
  mlp_network_set_state(h: Handle, src: Ptr): Status;
  mlp_network_forward(h: Handle, x: Ptr, n: number, d: number, out: Ptr): Status;
  mlp_network_loss(h: Handle, x: Ptr, y: Ptr, n: number, d: number, out: Ptr): Status;
  mlp_network_gradients(h: Handle, x: Ptr, y: Ptr, n: number, d: number, expected: Ptr, outLoss: Ptr, outMismatch: Ptr, outActual: Ptr): Status;
  mlp_network_apply(h: Handle, optimizer: number): Status;
  mlp_network_shuffle(h: Handle, n: number): Status;
  mlp_network_train(h: Handle, data: Handle, batch: number, first: number, count: number, outLossSum: Ptr, outDone: Ptr): Status;
  mlp_network_dataset_loss(h: Handle, data: Handle, out: Ptr): Status;
  mlp_network_dataset_forward(h: Handle, data: Handle, out: Ptr): Status;

  mlp_dataset_create(n: number, d: number, k: number): Handle;
  mlp_dataset_free(h: Handle): Status;
  mlp_dataset_ptr(h: Handle, which: number): Ptr;
  mlp_dataset_fill_u8(h: Handle, src: Ptr, srcLen: number, labels: Ptr, rows: Ptr, scale: number, mean: Ptr, invStd: Ptr): Status;
  mlp_u8_statistics(src: Ptr, len: number, d: number, scale: number, perFeature: number, mean: Ptr, std: Ptr): Status;

  /** reference: 0 the SIMD kernel, 1 the scalar loop, 2 Strassen's seven half products. */
  mlp_test_gemm(
    threads: number, m: number, n: number, k: number, a: Ptr, aLen: number, aRs: number, aCs: number,
    b: Ptr, bLen: number, bRs: number, bCs: number, c: Ptr, ldc: number, reference: number, repeats: number,
  ): Status;
  mlp_reference_loss_and_gradients(
    sizes: Ptr, nSizes: number, hidden: number, output: number, loss: number, reg: number, alpha: number,
    params: Ptr, x: Ptr, y: Ptr, n: number, grads: Ptr, outLoss: Ptr,
  ): Status;

  // Threads (crates/engine/src/parallel.rs); present in both builds.
  mlp_threads_build(): number;
  mlp_worker_main(index: number): void;
  mlp_pool_start(workers: number): number;
  mlp_pool_shutdown(): void;
  mlp_pool_size(): number;
  mlp_thread_stack_probe(index: number): Ptr;
  mlp_network_set_threads(h: Handle, threads: number): Status;
  mlp_test_set_parallel_flops(flops: number): void;
  mlp_test_set_strassen(on: number): void;
  mlp_test_set_sparse(on: number): void;
  mlp_test_sparse_products(): number;
  mlp_test_sparse_gemm(threads: number, rows: number, cols: number, n: number, x: Ptr, b: Ptr, bLen: number, c: Ptr, transpose: number, repeats: number): Status;
  mlp_test_set_whole_chunks(on: number): void;
  mlp_test_set_prepacked(on: number): void;
  mlp_test_set_unsized_lanes(on: number): void;
  mlp_test_eval_flops(sizes: Ptr, nSizes: number, n: number, out: Ptr): Status;
  mlp_test_forks(): number;
  mlp_test_blocking(out: Ptr): Status;
  mlp_test_split(total: number, threads: number, t: number, out: Ptr): Status;
  mlp_test_descend_pair(threads: number, m: number, n: number, k: number, poisoned: number, out: Ptr): Status;
}

/** The ABI version this binding was written for (`mlp_abi_version` in abi.rs). */
export const ABI_VERSION = 10;

/** Status codes of crates/engine/src/error.rs. */
export const enum StatusCode {
  Ok = 0,
  InvalidArgument = 1,
  OutOfMemory = 2,
  InvalidHandle = 3,
  Diverged = 4,
  ShapeMismatch = 5,
}
