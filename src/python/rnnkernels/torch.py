"""Drop-in replacements for torch.nn.RNN, torch.nn.LSTM and torch.nn.GRU that run on RnnKernels.

    from rnnkernels.torch import LSTM
    lstm = LSTM(input_size, hidden_size, num_layers=2, batch_first=True, dropout=0.1, bidirectional=True)
    output, (h_n, c_n) = lstm(x, (h0, c0))          # same arguments, parameter names, shapes and returns as nn.LSTM

The parameters are ordinary nn.Parameters under nn.LSTM's names (weight_ih_l0, ..., bias_hh_l1_reverse), so
load_state_dict works both ways with the torch module, optimizers and clip_grad_norm_ see them, and
DistributedDataParallel's hooks fire (the gradients are returned by one torch.autograd.Function per forward, never
written into .grad). Each forward that needs gradients keeps its own native engine, holding its activations and a copy
of the weights it ran with, until its backward (or until its graph is freed): a module used several times in one graph
gets every gradient right. Forward passes without gradients (torch.no_grad(), inference) keep nothing. Computation runs
in float32 on the CPU with torch.get_num_threads() threads; results are bitwise the same for any thread count.

Not supported, and refused at construction with a ValueError: bias=False and proj_size > 0. Tensors on another device
or of another dtype than float32 are refused with a message saying what to do. Dropout between layers uses RnnKernels'
own random masks (from torch's generator), so its masks differ from nn.LSTM's; everything else gives nn.LSTM's numbers.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from . import Engine, Model

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class _Runner:
    """A native model (the recurrent layers alone) and its engine, sized for up to steps x batch: one per forward in
    flight. Reused once its backward has run."""

    def __init__(self, module, steps, batch, threads):
        self.model = Model(module.input_size, module.hidden_size, 0, num_layers=module.num_layers,
                           bidirectional=module.bidirectional, cell=module._cell, nonlinearity=module.nonlinearity)
        self.engine = Engine(self.model, steps, batch, threads=threads)
        self.steps, self.batch, self.threads = steps, batch, threads

    def fits(self, steps, batch, threads):
        return steps <= self.steps and batch <= self.batch and threads == self.threads


def _numpy(tensor, name):
    """A float32 CPU tensor as a numpy array without a copy when it is contiguous."""
    if tensor.device.type != "cpu":
        raise ValueError(f"{name} is on {tensor.device}; rnnkernels.torch runs on the CPU: move it with .cpu()")
    if tensor.dtype != torch.float32:
        raise ValueError(f"{name} is {tensor.dtype}; rnnkernels.torch computes in float32: convert it with .float()")
    return tensor.detach().contiguous().numpy()


class _RecurrentFunction(torch.autograd.Function):
    """output, h_n, c_n = f(x, h0, c0, *weights) for a padded batch with lengths; gradients for all of them."""

    @staticmethod
    def forward(ctx, module, recording, lengths, x, h0, c0, *weights):
        steps, batch = x.shape[0], x.shape[1]
        runner = module._take_runner(steps, batch)
        flat = torch.cat([w.detach().reshape(-1) for w in weights])
        runner.model.set_flat(_numpy(flat, "the parameters"))
        needs = ctx.needs_input_grad
        # Inside forward grad mode is off; `recording` says whether autograd records this call (not under no_grad).
        grad = recording and any(needs[3:])
        engine = runner.engine
        engine.set_input_grad(grad and needs[3])
        p = module.dropout if module.training and module.num_layers > 1 else 0.0
        engine.set_dropout(p, int(torch.randint(0, 2**62, (1,)).item()) if p > 0 else 0)
        # No h0 (hx=None) goes in as none at all: the engine then skips the products with a zero state.
        lstm = module._cell == "lstm"
        out = engine.forward(_numpy(x, "input"), lengths=lengths, h0=None if h0 is None else _numpy(h0, "h0"),
                             c0=None if c0 is None else _numpy(c0, "c0"))
        h_n = torch.from_numpy(engine.h_n)
        c_n = torch.from_numpy(engine.c_n) if lstm else torch.empty(0)
        if grad:
            ctx.module, ctx.runner, ctx.lstm = module, runner, lstm
            ctx.shapes = [w.shape for w in weights]
        else:
            module._give_back(runner)
        return torch.from_numpy(out), h_n, c_n

    @staticmethod
    def backward(ctx, d_out, d_hn, d_cn):
        runner, ctx.runner = ctx.runner, None
        if runner is None:
            raise RuntimeError("rnnkernels.torch: backward ran twice through the same graph; use retain_graph=False "
                               "(each forward keeps its activations for one backward)")
        engine = runner.engine
        engine.zero_grad()
        engine.backward(_numpy(d_out, "the output gradient"), dh_n=_numpy(d_hn, "the h_n gradient"),
                        dc_n=_numpy(d_cn, "the c_n gradient") if ctx.lstm else None)
        flat = torch.from_numpy(engine.grads_flat())
        grads, at = [], 0
        for shape in ctx.shapes:
            count = math.prod(shape)
            grads.append(flat[at:at + count].view(shape))
            at += count
        needs = ctx.needs_input_grad
        dx = torch.from_numpy(engine.input_grad) if needs[3] else None
        dh0 = torch.from_numpy(engine.h0_grad) if needs[4] else None
        dc0 = torch.from_numpy(engine.c0_grad) if needs[5] else None
        ctx.module._give_back(runner)
        return (None, None, None, dx, dh0, dc0, *grads)


class _RecurrentBase(nn.Module):
    _cell = "rnn"

    def __init__(self, input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional,
                 proj_size, device, dtype):
        super().__init__()
        if not bias:
            raise ValueError("bias=False is not supported by rnnkernels.torch: it keeps both biases as PyTorch's default "
                             "modules do (use torch.nn's module for bias-free layers)")
        if proj_size:
            raise ValueError("proj_size > 0 (LSTM projections) is not supported by rnnkernels.torch")
        if device is not None and torch.device(device).type != "cpu":
            raise ValueError(f"device={device}: rnnkernels.torch runs on the CPU")
        if dtype is not None and dtype != torch.float32:
            raise ValueError(f"dtype={dtype}: rnnkernels.torch computes in float32")
        if nonlinearity not in ("tanh", "relu") or (self._cell != "rnn" and nonlinearity != "tanh"):
            raise ValueError(f"nonlinearity={nonlinearity!r}: must be 'tanh' or 'relu' (RNN only)")
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout < 1:
            raise ValueError(f"dropout={dropout!r}: must be a probability in [0, 1)")
        if int(num_layers) != num_layers or num_layers < 1 or int(hidden_size) != hidden_size or hidden_size < 1 \
                or int(input_size) != input_size or input_size < 1:
            raise ValueError("input_size, hidden_size and num_layers must be positive integers")
        self.mode = {"rnn": "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", "lstm": "LSTM", "gru": "GRU"}[self._cell]
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.nonlinearity, self.bias, self.batch_first = nonlinearity, True, bool(batch_first)
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bool(bidirectional), 0
        directions = 2 if bidirectional else 1
        gate_rows = _GATES[self._cell] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                width = input_size if layer == 0 else hidden_size * directions
                for name, shape in (("weight_ih", (gate_rows, width)), ("weight_hh", (gate_rows, hidden_size)),
                                    ("bias_ih", (gate_rows,)), ("bias_hh", (gate_rows,))):
                    setattr(self, name + suffix, nn.Parameter(torch.empty(shape, dtype=torch.float32)))
                    self._flat_weights_names.append(name + suffix)
        self._runners = []
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's initialisation: every weight and bias from U(-1/sqrt(H), 1/sqrt(H))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def flatten_parameters(self):
        """Kept for nn.RNN compatibility: the weights are read from their own tensors at each forward."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + 4]] for i in range(0, len(names), 4)]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self._cell == "rnn" and self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_runners"] = []
        return state

    def _take_runner(self, steps, batch):
        threads = max(1, torch.get_num_threads())
        for i, runner in enumerate(self._runners):
            if runner.fits(steps, batch, threads):
                return self._runners.pop(i)
        return _Runner(self, steps, batch, threads)

    def _give_back(self, runner):
        self._runners.append(runner)

    def forward(self, input, hx=None):
        lstm = self._cell == "lstm"
        packed = isinstance(input, PackedSequence)
        if packed:
            x, lengths = pad_packed_sequence(input)
            lengths_array = lengths.numpy().astype(np.int64)
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"input must be 2-D (unbatched) or 3-D, but it has shape {tuple(input.shape)}")
            x = input
            lengths_array = None
        unbatched = not packed and x.dim() == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first and not packed:
            x = x.transpose(0, 1)
        if x.shape[-1] != self.input_size:
            raise ValueError(f"input.size(-1) must be {self.input_size}, but it is {x.shape[-1]}")
        batch = x.shape[1]
        directions = 2 if self.bidirectional else 1
        state_shape = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            h0 = c0 = None
        else:
            if lstm:
                if not isinstance(hx, tuple) or len(hx) != 2:
                    raise ValueError("an LSTM's hx must be the tuple (h0, c0)")
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if unbatched:
                h0 = h0.unsqueeze(1)
                c0 = None if c0 is None else c0.unsqueeze(1)
            for name, state in (("h0", h0), ("c0", c0)):
                if state is not None and tuple(state.shape) != state_shape:
                    raise ValueError(f"{name} must have shape {state_shape}, but it has {tuple(state.shape)}")
        for name in self._flat_weights_names:
            weight = getattr(self, name)
            if weight.dtype != torch.float32 or weight.device.type != "cpu":
                raise ValueError(f"parameter {name} is {weight.dtype} on {weight.device}; rnnkernels.torch runs float32 "
                                 "on the CPU: convert the module with .float().cpu()")
        output, h_n, c_n = _RecurrentFunction.apply(self, torch.is_grad_enabled(), lengths_array, x, h0, c0, *self._flat_weights)
        if packed:
            order = input.sorted_indices if input.sorted_indices is not None else torch.arange(batch)
            inner = pack_padded_sequence(output.index_select(1, order), lengths.index_select(0, order), enforce_sorted=True)
            output = PackedSequence(inner.data, inner.batch_sizes, input.sorted_indices, input.unsorted_indices)
        elif unbatched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else c_n
        elif self.batch_first:
            output = output.transpose(0, 1)
        return (output, (h_n, c_n)) if lstm else (output, h_n)


class RNN(_RecurrentBase):
    """torch.nn.RNN on RnnKernels (Elman cells, tanh or relu)."""

    _cell = "rnn"

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)


class LSTM(_RecurrentBase):
    """torch.nn.LSTM on RnnKernels (proj_size=0 only)."""

    _cell = "lstm"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(_RecurrentBase):
    """torch.nn.GRU on RnnKernels."""

    _cell = "gru"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, "tanh", bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)
