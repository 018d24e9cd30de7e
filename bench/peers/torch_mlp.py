"""PyTorch reference for the benchmark's network (784-500-250-100-10, sigmoid, softmax
cross-entropy, SGD lr 0.01, Glorot uniform, float32): training samples/s at batch 64 and
inference samples/s at batch 1000, with --threads T threads (default 1). Prints one JSON object.

Native code, so it shows what the hardware gives outside WebAssembly. Data are random
standardised inputs (speed does not depend on the values).
Usage: /usr/bin/python3 bench/peers/torch_mlp.py [--quick] [--threads T]
"""
import json
import os
import statistics
import sys
import time

# Debian's torch does its matmuls in OpenBLAS (pthreads), which ignores torch.set_num_threads
# and reads its thread count once, when loaded: so one process per thread count, env set first.
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(THREADS)
# Idle OpenMP workers otherwise spin and steal the second core from OpenBLAS's threads
# (measured: 2 threads slower than 1 without this).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402  (must come after the environment is set)

LAYERS = [784, 500, 250, 100, 10]
BATCH, INFER_BATCH, LR = 64, 1000, 0.01


def build():
    mods = []
    for i in range(1, len(LAYERS)):
        lin = torch.nn.Linear(LAYERS[i - 1], LAYERS[i])
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        mods.append(lin)
        if i < len(LAYERS) - 1:
            mods.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*mods)  # softmax lives in CrossEntropyLoss, as in fused frameworks


def rate_summary(fn, items, warmup, repeats, min_seconds):
    """fn() processes `items` samples; returns samples/s median/min/max over repeats."""
    for _ in range(warmup):
        fn()
    rates = []
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= min_seconds:
                break
        rates.append(n * items / dt)
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "n": len(rates)}


def main():
    quick = "--quick" in sys.argv
    repeats, min_seconds = (3, 0.25) if quick else (5, 1.0)
    torch.manual_seed(1)
    pool = 8
    xs = torch.randn(pool, BATCH, LAYERS[0])
    ys = torch.randint(0, LAYERS[-1], (pool, BATCH))
    x_inf = torch.randn(INFER_BATCH, LAYERS[0])

    torch.set_num_threads(THREADS)
    model = build()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    state = {"i": 0}

    def step():
        i = state["i"]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(xs[i]), ys[i]).backward()
        opt.step()
        state["i"] = (i + 1) % pool

    def infer():
        with torch.no_grad():
            model(x_inf)

    train = rate_summary(step, BATCH, 10, repeats, min_seconds)
    inference = rate_summary(infer, INFER_BATCH, 2, repeats, min_seconds)
    print(json.dumps({"peer": "pytorch", "version": torch.__version__, "threads": THREADS,
                      "train": train, "inference": inference}))


if __name__ == "__main__":
    main()
