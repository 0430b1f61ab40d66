#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures the tests check: for each case a model, a data file and the loss, h_n and
gradients PyTorch autograd computes for them. Run with Debian's python3-torch from this directory:
  /usr/bin/python3 make_fixtures.py
"""
import json
import struct

import torch

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


class Model(torch.nn.Module):
    def __init__(self, I, H, O, L, bidirectional, nonlinearity, cell):
        super().__init__()
        if cell == "lstm":
            self.rnn = torch.nn.LSTM(I, H, L, bidirectional=bidirectional)
        elif cell == "gru":
            self.rnn = torch.nn.GRU(I, H, L, bidirectional=bidirectional)
        else:
            self.rnn = torch.nn.RNN(I, H, L, nonlinearity=nonlinearity, bidirectional=bidirectional)
        self.out = torch.nn.Linear(H * (2 if bidirectional else 1), O)


def case(name, I, H, O, L, bidirectional, nonlinearity, T, B, loss, lengths, with_h0, seed, cell="rnn"):
    torch.manual_seed(seed)
    model = Model(I, H, O, L, bidirectional, nonlinearity, cell)
    D = 2 if bidirectional else 1
    x = torch.rand(T, B, I) * 2 - 1
    h0 = (torch.rand(L * D, B, H) - 0.5) if with_h0 else torch.zeros(L * D, B, H)
    c0 = (torch.rand(L * D, B, H) - 0.5) if with_h0 and cell == "lstm" else torch.zeros(L * D, B, H)
    lengths = torch.tensor(lengths if lengths else [T] * B, dtype=torch.int64)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
    c_n = None
    if cell == "lstm":
        out_packed, (h_n, c_n) = model.rnn(packed, (h0, c0))
    else:
        out_packed, h_n = model.rnn(packed, h0)
    h, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, total_length=T)
    o = model.out(h)
    mask = (torch.arange(T)[:, None] < lengths[None, :])
    data = {"x": x, "lengths": lengths}
    if with_h0:
        data["h0"] = h0
        if cell == "lstm":
            data["c0"] = c0
    if loss == "cross-entropy":
        targets = torch.randint(0, O, (T, B))
        data["targets"] = targets
        value = torch.nn.functional.cross_entropy(o[mask], targets[mask], reduction="sum")
    else:
        y = torch.rand(T, B, O) * 2 - 1
        data["y"] = y
        value = ((o - y) ** 2)[mask].sum()
    value.backward()
    metadata = {"cell": cell, "nonlinearity": nonlinearity} if cell == "rnn" else {"cell": cell}
    save(f"{name}.model.safetensors", dict(model.state_dict()), metadata)
    save(f"{name}.data.safetensors", data)
    expected = {"loss": value.reshape(1), "h_n": h_n}
    if c_n is not None:
        expected["c_n"] = c_n
    for key, p in model.named_parameters():
        expected[f"grad.{key}"] = p.grad
    save(f"{name}.expected.safetensors", expected, {"loss": loss, "torch": torch.__version__})


case("tanh-l2-bidir-ce-ragged", I=5, H=6, O=4, L=2, bidirectional=True, nonlinearity="tanh", T=7, B=4,
     loss="cross-entropy", lengths=[5, 7, 2, 7], with_h0=True, seed=1)
case("relu-l1-mse", I=3, H=8, O=3, L=1, bidirectional=False, nonlinearity="relu", T=6, B=3,
     loss="mse", lengths=None, with_h0=False, seed=2)
case("tanh-l1-ce-b1", I=9, H=16, O=9, L=1, bidirectional=False, nonlinearity="tanh", T=12, B=1,
     loss="cross-entropy", lengths=None, with_h0=True, seed=3)
case("lstm-l2-bidir-ce-ragged", I=5, H=6, O=4, L=2, bidirectional=True, nonlinearity="tanh", T=7, B=4,
     loss="cross-entropy", lengths=[5, 7, 2, 7], with_h0=True, seed=4, cell="lstm")
case("lstm-l1-mse-b1", I=9, H=16, O=9, L=1, bidirectional=False, nonlinearity="tanh", T=12, B=1,
     loss="mse", lengths=None, with_h0=False, seed=5, cell="lstm")
case("gru-l2-bidir-mse-ragged", I=5, H=6, O=4, L=2, bidirectional=True, nonlinearity="tanh", T=7, B=4,
     loss="mse", lengths=[7, 3, 7, 1], with_h0=True, seed=6, cell="gru")
case("gru-l1-ce", I=3, H=8, O=3, L=1, bidirectional=False, nonlinearity="tanh", T=6, B=3,
     loss="cross-entropy", lengths=None, with_h0=True, seed=7, cell="gru")
