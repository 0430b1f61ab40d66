#!/usr/bin/env python3
"""The ONNX Runtime peer's models: for each inference shape of bench/onnx/compare.sh, an nn.LSTM/GRU/RNN + nn.Linear
with PyTorch's default initialisation, exported by torch.onnx.export (opset 14, T and B dynamic, inputs x, h0[, c0],
outputs y, h_n[, c_n]) and saved with the same weights as an RnnKernels model file (safetensors, rnn.* and out.*).
usage: /usr/bin/python3 bench/onnx/export_peer_models.py OUT_DIR
"""
import json
import os
import struct
import sys
import warnings

import torch

MODELS = {  # name: (cell, I, H, O)
    "lstm-i65-h100": ("lstm", 65, 100, 65),
    "lstm-i128-h256": ("lstm", 128, 256, 128),
    "gru-i128-h256": ("gru", 128, 256, 128),
    "lstm-i512-h512": ("lstm", 512, 512, 512),
    "rnn-i128-h256": ("rnn", 128, 256, 128),
}
MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


class Network(torch.nn.Module):
    def __init__(self, cell, i, h, o):
        super().__init__()
        self.cell = cell
        self.rnn = MODULES[cell](i, h)
        self.out = torch.nn.Linear(h, o)

    def forward(self, x, h0, c0=None):
        y, state = self.rnn(x, (h0, c0) if self.cell == "lstm" else h0)
        return (self.out(y), *state) if self.cell == "lstm" else (self.out(y), state)


def save_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for name, (cell, i, h, o) in MODELS.items():
        network = Network(cell, i, h, o).eval()
        x, h0 = torch.rand(5, 2, i), torch.zeros(1, 2, h)
        inputs, names = (x, h0), ["x", "h0"]
        outputs, axes = ["y", "h_n"], {"x": {0: "T", 1: "B"}, "h0": {1: "B"}, "y": {0: "T", 1: "B"}, "h_n": {1: "B"}}
        if cell == "lstm":
            inputs, names = (x, h0, torch.zeros(1, 2, h)), names + ["c0"]
            outputs, axes = outputs + ["c_n"], {**axes, "c0": {1: "B"}, "c_n": {1: "B"}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(network, inputs, os.path.join(out, name + ".onnx"), input_names=names, output_names=outputs,
                              dynamic_axes=axes, opset_version=14)
        save_safetensors(os.path.join(out, name + ".safetensors"), network.state_dict(), {"cell": cell, **({"nonlinearity": "tanh"} if cell == "rnn" else {})})
        print(f"exported {name}")


if __name__ == "__main__":
    main()
