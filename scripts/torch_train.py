"""The report's section 6 in PyTorch, the framework it used: trains a network on data the CLI
has already preprocessed (float32 files in DIR), the same way our runs do (SGD, batch size,
Glorot-uniform weights and zero biases, cross-entropy on the logits, a reshuffle every epoch,
the training loss averaged and the validation loss measured every log_every iterations).

Usage: /usr/bin/python3 scripts/torch_train.py DIR   (DIR/config.json says the rest)
Prints JSON lines: {"progress": {...}} while training, then {"result": {...}}; writes the
argmax predictions on the training and test sets to DIR/train-pred.i32 and DIR/test-pred.i32.
"""
import json
import os
import sys
import time

DIR = sys.argv[1]
with open(os.path.join(DIR, "config.json")) as f:
    CONFIG = json.load(f)
THREADS = str(CONFIG.get("threads", 1))
# Debian's torch multiplies matrices in OpenBLAS, which reads its thread count once, at load.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = THREADS
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def load(name, rows, cols):
    x = np.fromfile(os.path.join(DIR, name + "-x.f32"), dtype="<f4").reshape(rows, cols)
    y = np.fromfile(os.path.join(DIR, name + "-y.i32"), dtype="<i4")
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def emit(kind, value):
    print(json.dumps({kind: value}), flush=True)


def main():
    c = CONFIG
    torch.manual_seed(c["seed"])
    d, k = c["features"], c["classes"]
    train_x, train_y = load("train", c["sizes"]["train"], d)
    val = load("val", c["sizes"]["val"], d) if c["sizes"]["val"] > 0 else None
    test_x, test_y = load("test", c["sizes"]["test"], d)

    act = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "linear": torch.nn.Identity}[c["activation"]]
    widths = [d] + c["hidden"] + [k]
    layers = []
    for i in range(1, len(widths)):
        lin = torch.nn.Linear(widths[i - 1], widths[i])
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(widths) - 1:
            layers.append(act())
    model = torch.nn.Sequential(*layers)  # logits out: the softmax lives in the loss
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=c["eta"])

    def mean_loss(x, y):
        with torch.no_grad():
            return sum(loss_fn(model(x[s:s + 2000]), y[s:s + 2000]).item() * len(y[s:s + 2000]) for s in range(0, len(y), 2000)) / len(y)

    def predict(x):
        with torch.no_grad():
            return torch.cat([model(x[s:s + 2000]).argmax(1) for s in range(0, len(x), 2000)]).to(torch.int32).numpy()

    n, batch, log_every, epochs = len(train_y), c["batchSize"], c["logEvery"], c["epochs"]
    batches = (n + batch - 1) // batch
    history = {"iteration": [], "trainLoss": [], "valLoss": []}
    generator = torch.Generator().manual_seed(c["seed"])
    iteration, window, count, last_val, samples = 0, 0.0, 0, None, 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n, generator=generator)
        for b in range(batches):
            idx = order[b * batch:(b + 1) * batch]
            opt.zero_grad()
            loss = loss_fn(model(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
            window += loss.item()
            count += 1
            iteration += 1
            samples += len(idx)
            logged = iteration % log_every == 0 or (epoch == epochs and b == batches - 1)
            if logged:
                if val is not None:
                    last_val = mean_loss(*val)
                history["iteration"].append(iteration)
                history["trainLoss"].append(window / count)
                if val is not None:
                    history["valLoss"].append(last_val)
                window, count = 0.0, 0
            if logged or b % 50 == 49 or b == batches - 1:
                emit("progress", {"epoch": epoch, "batch": b + 1, "batchesPerEpoch": batches, "iteration": iteration,
                                  "trainLoss": history["trainLoss"][-1] if logged else window / max(count, 1),
                                  "valLoss": last_val, "logged": logged, "samples": samples,
                                  "seconds": time.perf_counter() - start})
    seconds = time.perf_counter() - start
    predict(train_x).tofile(os.path.join(DIR, "train-pred.i32"))
    predict(test_x).tofile(os.path.join(DIR, "test-pred.i32"))
    emit("result", {"seconds": seconds, "samples": samples, "history": history, "torch": torch.__version__})


if __name__ == "__main__":
    main()
