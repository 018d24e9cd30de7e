;; WebAssembly SIMD128 throughput ceiling kernel, 12 chains, no unrolling.
;; emit.ts builds the same bytes (emitCeilingModule(12, 1)); test/bench/harness.test.ts compares them with
;; `wat2wasm ceiling.wat` output. Other chain counts are the same shape with more/fewer chains.
;;
;; Each chain does a = a * m + k on f32x4 (SIMD128 has no fused multiply-add), i.e. 8 flops.
;; The chains are independent, so the CPU can overlap them; with enough chains the loop runs
;; at the machine's vector mul/add throughput instead of its latency.
(module
  (func (export "run") (param $n i32) (param $m f32) (param $k f32) (result f32)
    (local $a0 v128)
    (local $a1 v128)
    (local $a2 v128)
    (local $a3 v128)
    (local $a4 v128)
    (local $a5 v128)
    (local $a6 v128)
    (local $a7 v128)
    (local $a8 v128)
    (local $a9 v128)
    (local $a10 v128)
    (local $a11 v128)
    (local $mv v128) (local $kv v128)
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $kv (f32x4.splat (local.get $k)))
    ;; distinct start values so no two chains can be merged by the compiler
    (local.set $a0 (v128.const f32x4 1 1 1 1))
    (local.set $a1 (v128.const f32x4 2 2 2 2))
    (local.set $a2 (v128.const f32x4 3 3 3 3))
    (local.set $a3 (v128.const f32x4 4 4 4 4))
    (local.set $a4 (v128.const f32x4 5 5 5 5))
    (local.set $a5 (v128.const f32x4 6 6 6 6))
    (local.set $a6 (v128.const f32x4 7 7 7 7))
    (local.set $a7 (v128.const f32x4 8 8 8 8))
    (local.set $a8 (v128.const f32x4 9 9 9 9))
    (local.set $a9 (v128.const f32x4 10 10 10 10))
    (local.set $a10 (v128.const f32x4 11 11 11 11))
    (local.set $a11 (v128.const f32x4 12 12 12 12))
    (loop $iter
      (local.set $a0 (f32x4.add (f32x4.mul (local.get $a0) (local.get $mv)) (local.get $kv)))
      (local.set $a1 (f32x4.add (f32x4.mul (local.get $a1) (local.get $mv)) (local.get $kv)))
      (local.set $a2 (f32x4.add (f32x4.mul (local.get $a2) (local.get $mv)) (local.get $kv)))
      (local.set $a3 (f32x4.add (f32x4.mul (local.get $a3) (local.get $mv)) (local.get $kv)))
      (local.set $a4 (f32x4.add (f32x4.mul (local.get $a4) (local.get $mv)) (local.get $kv)))
      (local.set $a5 (f32x4.add (f32x4.mul (local.get $a5) (local.get $mv)) (local.get $kv)))
      (local.set $a6 (f32x4.add (f32x4.mul (local.get $a6) (local.get $mv)) (local.get $kv)))
      (local.set $a7 (f32x4.add (f32x4.mul (local.get $a7) (local.get $mv)) (local.get $kv)))
      (local.set $a8 (f32x4.add (f32x4.mul (local.get $a8) (local.get $mv)) (local.get $kv)))
      (local.set $a9 (f32x4.add (f32x4.mul (local.get $a9) (local.get $mv)) (local.get $kv)))
      (local.set $a10 (f32x4.add (f32x4.mul (local.get $a10) (local.get $mv)) (local.get $kv)))
      (local.set $a11 (f32x4.add (f32x4.mul (local.get $a11) (local.get $mv)) (local.get $kv)))
      ;; n -= 1; repeat while n != 0 (the caller passes n >= 1)
      (br_if $iter (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    ;; sum every chain so none of them is dead code
    local.get $a0
    local.get $a1
    f32x4.add
    local.get $a2
    f32x4.add
    local.get $a3
    f32x4.add
    local.get $a4
    f32x4.add
    local.get $a5
    f32x4.add
    local.get $a6
    f32x4.add
    local.get $a7
    f32x4.add
    local.get $a8
    f32x4.add
    local.get $a9
    f32x4.add
    local.get $a10
    f32x4.add
    local.get $a11
    f32x4.add
    f32x4.extract_lane 0))
