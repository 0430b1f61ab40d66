#!/usr/bin/env python3
"""The PyTorch side of `rnnk bench`: the same training step (nn.RNN, nn.LSTM or nn.GRU + nn.Linear forward,
cross-entropy summed over steps and batch, backward, SGD update) at the same sizes, printing lines in the same format.

Run with Debian's python3 (python3-torch), e.g.
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_bench.py --preset all --cell lstm --threads 1
"""
import argparse
import statistics
import time

import torch

PRESETS = {
    "charrnn": (25, 1, 65, 100, 65),
    "small-b1": (32, 1, 64, 128, 64),
    "mid-b16": (64, 16, 128, 256, 128),
    "large-b64": (64, 64, 512, 512, 512),
    "long-b8": (512, 8, 64, 256, 64),
}


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def median_ms(step, seconds):
    """Warms up, then times 5 rounds of about seconds/5 each and returns the median ms per call (as rnnk bench)."""
    start = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - start < min(0.5, seconds / 4):
        step()
        n += 1
    rounds = []
    for _ in range(5):
        start, n = time.perf_counter(), 0
        while n < 2 or time.perf_counter() - start < seconds / 5:
            step()
            n += 1
        rounds.append((time.perf_counter() - start) * 1e3 / n)
    return statistics.median(rounds)


def measure(name, T, B, I, H, O, threads, seconds, cell):
    torch.manual_seed(1)
    if cell == "lstm":
        rnn = torch.nn.LSTM(I, H)
    elif cell == "gru":
        rnn = torch.nn.GRU(I, H)
    else:
        rnn = torch.nn.RNN(I, H, nonlinearity="tanh")
    out = torch.nn.Linear(H, O)
    params = list(rnn.parameters()) + list(out.parameters())
    opt = torch.optim.SGD(params, lr=1e-3)
    x = torch.rand(T, B, I) * 2 - 1
    targets = torch.randint(0, O, (T * B,))

    def step():
        opt.zero_grad(set_to_none=False)
        h, _ = rnn(x)
        loss = torch.nn.functional.cross_entropy(out(h).view(-1, O), targets, reduction="sum")
        loss.backward()
        opt.step()

    ms = median_ms(step, seconds)
    g = GATES[cell]
    flops = 6.0 * T * B * (g * I * H + g * H * H + H * O)
    print(f"bench impl=pytorch preset={name} cell={cell} T={T} B={B} I={I} H={H} O={O} threads={threads} "
          f"ms_per_step={ms:.4f} gflops={flops / (ms * 1e6):.2f} torch={torch.__version__}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="all", choices=list(PRESETS) + ["all"])
    parser.add_argument("--cell", default="rnn", choices=list(GATES))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = list(PRESETS) if args.preset == "all" else [args.preset]
    for name in names:
        measure(name, *PRESETS[name], args.threads, args.seconds, args.cell)


if __name__ == "__main__":
    main()
