#!/usr/bin/env python3
"""rnnkernels.torch.LSTM against torch.nn.LSTM in a full PyTorch training step, in one process, one thread:
input -> module -> nn.Linear -> cross-entropy summed over steps and batch -> backward -> torch.optim.Adam step.
Each shape runs both sides alternately (three rounds each, the median kept) and also times the module alone
(forward and backward of output.sum()), so the cost of the PyTorch parts around it shows.

Run with Debian's python3 and the installed client (or PYTHONPATH=src/python with artifacts/native built), on
OpenBLAS (the script refuses the reference BLAS, which makes PyTorch several times slower):
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_module_bench.py
"""
import argparse
import ctypes.util
import os
import statistics

import torch

import rnnkernels
import rnnkernels.torch as rk
from pytorch_bench import median_ms

SHAPES = [(25, 1, 65, 100), (64, 16, 128, 256)]  # T, B, I, H (issue 27's two shapes)


def blas_in_use():
    """The library libblas.so.3 resolves to (Debian's alternatives), so a figure never comes from the reference BLAS."""
    path = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return os.path.realpath(path) if os.path.exists(path) else ctypes.util.find_library("blas") or "unknown"


def steps_for(module, T, B, I, H):
    g = torch.Generator().manual_seed(1)
    x = torch.rand((T, B, I), generator=g) * 2 - 1
    targets = torch.randint(0, I, (T * B,), generator=g)
    head = torch.nn.Linear(H, I)
    optimizer = torch.optim.Adam(list(module.parameters()) + list(head.parameters()), lr=1e-3)

    def training_step():
        optimizer.zero_grad()
        output, _ = module(x)
        loss = torch.nn.functional.cross_entropy(head(output).reshape(T * B, I), targets, reduction="sum")
        loss.backward()
        optimizer.step()

    def module_alone():
        module.zero_grad()
        output, _ = module(x)
        output.sum().backward()

    return training_step, module_alone


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    blas = blas_in_use()
    if "openblas" not in blas and "mkl" not in blas:
        raise SystemExit(f"libblas.so.3 is {blas}, Debian's reference BLAS: install libopenblas-dev before comparing")
    torch.set_num_threads(1)
    print(f"# torch {torch.__version__} ({blas}), {rnnkernels.build_info()}, one thread")
    for T, B, I, H in SHAPES:
        torch.manual_seed(0)
        theirs = torch.nn.LSTM(I, H)
        ours = rk.LSTM(I, H)
        ours.load_state_dict(theirs.state_dict())
        sides = {"torch": steps_for(theirs, T, B, I, H), "rnnkernels": steps_for(ours, T, B, I, H)}
        times = {name: ([], []) for name in sides}
        for _ in range(3):
            for name, (step, alone) in sides.items():
                times[name][0].append(median_ms(step, args.seconds))
                times[name][1].append(median_ms(alone, args.seconds / 2))
        t_step, t_alone = (statistics.median(v) for v in times["torch"])
        r_step, r_alone = (statistics.median(v) for v in times["rnnkernels"])
        print(f"torch_module T={T} B={B} I={I} H={H} torch_step_ms={t_step:.3f} rnnkernels_step_ms={r_step:.3f} "
              f"speedup={t_step / r_step:.2f} torch_module_ms={t_alone:.3f} rnnkernels_module_ms={r_alone:.3f} "
              f"module_speedup={t_alone / r_alone:.2f} around_module_ms={r_step - r_alone:.3f}")


if __name__ == "__main__":
    main()
