#!/usr/bin/env python3
"""One training step (forward, summed cross-entropy, backward, SGD) from Python: the rnnkernels client against
PyTorch in the same run, one thread, plus the client's own overhead per native call.

Run with the client installed (see the README's "From Python") and Debian's python3-torch:
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 artifacts/venv/bin/python bench/python_bench.py --cell lstm
"""
import argparse

import numpy as np
import torch

import rnnkernels
from pytorch_bench import median_ms  # the same warm-up and median of 5 rounds as the PyTorch script and rnnk bench

PRESETS = {"charrnn": (25, 1, 65, 100, 65), "small-b1": (32, 1, 64, 128, 64), "mid-b16": (64, 16, 128, 256, 128)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell", default="rnn", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"| preset | cell | rnnkernels from Python ms/step | PyTorch ms/step | speedup |\n|---|---|---|---|---|")
    for name, (T, B, I, H, O) in PRESETS.items():
        rng = np.random.default_rng(1)
        x = rng.uniform(-1, 1, (T, B, I)).astype(np.float32)
        targets = rng.integers(0, O, (T, B)).astype(np.int64)
        model = rnnkernels.Model(I, H, O, cell=args.cell)
        engine = rnnkernels.Engine(model, T, B)
        sgd = rnnkernels.SGD(model, lr=1e-3)
        out = np.empty((T, B, O), np.float32)

        def ours():
            engine.zero_grad()
            engine.forward(x, out=out)
            engine.backward_cross_entropy(targets)
            sgd.step(engine)

        modules = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
        rnn, linear = modules[args.cell](I, H), torch.nn.Linear(H, O)
        optimizer = torch.optim.SGD(list(rnn.parameters()) + list(linear.parameters()), lr=1e-3)
        tx, tt = torch.from_numpy(x), torch.from_numpy(targets).view(-1)

        def theirs():
            optimizer.zero_grad(set_to_none=False)
            h, _ = rnn(tx)
            torch.nn.functional.cross_entropy(linear(h).view(-1, O), tt, reduction="sum").backward()
            optimizer.step()

        a, b = median_ms(ours, args.seconds), median_ms(theirs, args.seconds)
        print(f"| {name} | {args.cell} | {a:.4f} | {b:.4f} | {b / a:.2f}x |", flush=True)

    tiny = rnnkernels.Engine(rnnkernels.Model(1, 1, 1), 1, 1)
    us = median_ms(tiny.zero_grad, 1.0) * 1e3
    print(f"\nclient overhead: {us:.2f} us per native call (zero_grad on a 1-unit model); a training step makes 4 calls")


if __name__ == "__main__":
    main()
