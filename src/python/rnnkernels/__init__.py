"""RnnKernels from Python: Elman, LSTM and GRU networks trained with BPTT on the CPU through the library's C ABI.

Arrays are numpy float32 (int64 for class targets and lengths), C-contiguous, sequence-first like PyTorch:
x [T, B, I], outputs [T, B, O], h0/c0/h_n/c_n [L*D, B, H]. An array of the right dtype and layout is passed to the
library without a copy; anything else is a ValueError saying what to fix (the library never converts silently).
"""
import ctypes

import numpy as np

from ._native import ModelInfo, OptimizerOptions, check, lib, library_path

__all__ = ["Model", "Engine", "SGD", "Adagrad", "Adam", "Stream", "version", "kernel_tier", "build_info"]

_CELLS = {"rnn": 0, "lstm": 1, "gru": 2}
_NONLINEARITIES = {"tanh": 0, "relu": 1}
_F = ctypes.POINTER(ctypes.c_float)
_I64P = ctypes.POINTER(ctypes.c_int64)


def version():
    """The native library's version."""
    return lib.rnnk_version().decode()


def kernel_tier():
    """The kernel tier the native library runs: "Avx512", "Avx2Fma", "Neon", "Vector128" or "Scalar"."""
    tier = lib.rnnk_kernel_tier().decode()
    if tier == "unavailable":
        # The loader refused its build (a stale or mislabelled library): say why instead of naming no tier.
        raise RuntimeError(lib.rnnk_last_error().decode("utf-8", "replace"))
    return tier


def build_info():
    """One line saying which library is loaded and which kernel tier it runs (`python -m rnnkernels` prints it)."""
    return f"rnnkernels {version()} (ABI {lib.rnnk_abi_version()}), kernel tier {kernel_tier()}, library {library_path}"


def _array(value, name, dtype, shape=None):
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{name} must be a numpy array of {np.dtype(dtype).name}, not {type(value).__name__}")
    if value.dtype != dtype:
        raise ValueError(f"{name} must be {np.dtype(dtype).name}, but it is {value.dtype} (convert with .astype(np.{np.dtype(dtype).name}))")
    if not value.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (np.ascontiguousarray makes a contiguous copy)")
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, but it has {tuple(value.shape)}")
    return value


def _floats(value, name, shape=None):
    if value is None:
        return None, 0
    value = _array(value, name, np.float32, shape)
    return value.ctypes.data_as(_F), value.size


def _int64s(value, name, shape=None):
    if value is None:
        return None, 0
    value = _array(value, name, np.int64, shape)
    return value.ctypes.data_as(_I64P), value.size


class _Handle:
    """Owns one native handle; close() (or leaving a with-block, or garbage collection) frees it."""

    _free = None

    def __init__(self, handle):
        self._handle = handle

    @property
    def _h(self):
        if self._handle is None:
            raise RuntimeError(f"this {type(self).__name__} has been closed")
        return self._handle

    def close(self):
        if self._handle is not None:
            handle, self._handle = self._handle, None
            check(type(self)._free(handle))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None and lib is not None:
            type(self)._free(self._handle)
            self._handle = None


def _create(function, *args):
    handle = ctypes.c_void_p()
    check(function(*args, ctypes.byref(handle)))
    return handle.value


class Model(_Handle):
    """nn.RNN / nn.LSTM / nn.GRU + nn.Linear with PyTorch's default initialisation from a seed. output_size=0 makes
    the recurrent layers alone (nn.RNN / nn.LSTM / nn.GRU themselves, their state_dict names, no loss of their own):
    Engine.forward then returns the top layer's h_t [T, B, D*H] and Engine.backward takes the caller's gradients."""

    _free = lib.rnnk_model_free

    def __init__(self, input_size, hidden_size, output_size, num_layers=1, bidirectional=False, cell="rnn",
                 nonlinearity="tanh", seed=1, _handle=None):
        if _handle is None:
            if cell not in _CELLS:
                raise ValueError(f"cell must be one of {', '.join(_CELLS)}, not {cell!r}")
            if nonlinearity not in _NONLINEARITIES:
                raise ValueError(f"nonlinearity must be one of {', '.join(_NONLINEARITIES)}, not {nonlinearity!r}")
            _handle = _create(lib.rnnk_model_create, input_size, hidden_size, output_size, num_layers, int(bool(bidirectional)),
                              _CELLS[cell], _NONLINEARITIES[nonlinearity], seed)
        super().__init__(_handle)
        info = ModelInfo()
        check(lib.rnnk_model_describe(self._h, ctypes.byref(info)))
        self.input_size, self.hidden_size, self.output_size = info.input_size, info.hidden_size, info.output_size
        self.num_layers, self.bidirectional = info.num_layers, bool(info.bidirectional)
        self.cell = next(k for k, v in _CELLS.items() if v == info.cell)
        self.nonlinearity = next(k for k, v in _NONLINEARITIES.items() if v == info.nonlinearity)
        self.parameter_count = info.parameter_count
        self.shapes = {}
        name = ctypes.create_string_buffer(256)
        rows, columns = ctypes.c_int64(), ctypes.c_int64()
        for index in range(info.tensor_count):
            check(lib.rnnk_model_tensor(self._h, index, name, len(name), ctypes.byref(rows), ctypes.byref(columns)))
            self.shapes[name.value.decode()] = (rows.value,) if columns.value == 0 else (rows.value, columns.value)

    def __repr__(self):
        return (f"Model(cell={self.cell!r}, input_size={self.input_size}, hidden_size={self.hidden_size}, "
                f"output_size={self.output_size}, num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
                f"kernel_tier={kernel_tier()!r})")

    @classmethod
    def load(cls, path):
        """Loads a safetensors model file (PyTorch state_dict names; the cell from its metadata)."""
        return cls(0, 0, 0, _handle=_create(lib.rnnk_model_load, str(path).encode()))

    def save(self, path):
        """Saves the model as safetensors, atomically."""
        check(lib.rnnk_model_save(self._h, str(path).encode()))

    @property
    def directions(self):
        return 2 if self.bidirectional else 1

    @property
    def output_width(self):
        """What the network outputs per step and entry: output_size, or D*H for the recurrent layers alone."""
        return self.output_size or self.directions * self.hidden_size

    def state_dict(self):
        """{name: float32 array} copies of every tensor, in state_dict order."""
        result = {}
        for name, shape in self.shapes.items():
            values = np.empty(shape, np.float32)
            check(lib.rnnk_model_get_parameter(self._h, name.encode(), values.ctypes.data_as(_F), values.size))
            result[name] = values
        return result

    def set_flat(self, values):
        """Sets every parameter from one float32 array in state_dict order (what parameters_flat returns)."""
        pointer, count = _floats(values, "values", (self.parameter_count,))
        check(lib.rnnk_model_set_parameter(self._h, None, pointer, count))

    def load_state_dict(self, state):
        """Sets every tensor from {name: float32 array}; the names must be exactly the model's."""
        missing, unexpected = set(self.shapes) - set(state), set(state) - set(self.shapes)
        if missing or unexpected:
            raise ValueError(f"state_dict keys differ: missing {sorted(missing)}, unexpected {sorted(unexpected)}")
        for name, shape in self.shapes.items():
            pointer, count = _floats(state[name], name, shape)
            check(lib.rnnk_model_set_parameter(self._h, name.encode(), pointer, count))


_STATES = {"outputs": 0, "h_n": 1, "c_n": 2, "h0_grad": 3, "c0_grad": 4, "input_grad": 5, "hidden": 6}


class Engine(_Handle):
    """Forward and backpropagation through time, buffers sized for max_steps x max_batch once."""

    _free = lib.rnnk_engine_free

    def __init__(self, model, max_steps, max_batch, threads=1, input_grad=False):
        super().__init__(_create(lib.rnnk_engine_create, model._h, max_steps, max_batch, threads))
        self.model = model
        self.set_input_grad(input_grad)
        self._steps = self._batch = 0

    def forward(self, x, lengths=None, h0=None, c0=None, out=None):
        """x float32 [T, B, I] -> outputs float32 [T, B, O] (into out when given)."""
        if not isinstance(x, np.ndarray) or x.ndim != 3:
            raise ValueError(f"x must be a float32 array [T, B, I], not {getattr(x, 'shape', type(x).__name__)}")
        steps, batch = x.shape[0], x.shape[1]
        m = self.model
        state = (m.num_layers * m.directions, batch, m.hidden_size)
        xp, xc = _floats(x, "x", (steps, batch, m.input_size))
        lp, lc = _int64s(lengths, "lengths", (batch,))
        hp, hc = _floats(h0, "h0", state)
        cp, cc = _floats(c0, "c0", state)
        if out is None:
            out = np.empty((steps, batch, m.output_width), np.float32)
        op, oc = _floats(out, "out", (steps, batch, m.output_width))
        check(lib.rnnk_engine_forward(self._h, xp, xc, steps, batch, lp, lc, hp, hc, cp, cc, op, oc))
        self._steps, self._batch = steps, batch
        return out

    def backward_cross_entropy(self, targets):
        """Softmax cross-entropy against int64 classes [T, B], summed; adds every gradient. Returns the loss."""
        pointer, count = _int64s(targets, "targets", (self._steps, self._batch))
        loss = ctypes.c_double()
        check(lib.rnnk_engine_backward_cross_entropy(self._h, pointer, count, ctypes.byref(loss)))
        return loss.value

    def backward_mse(self, y):
        """Squared error against float32 y [T, B, O], summed; adds every gradient. Returns the loss."""
        pointer, count = _floats(y, "y", (self._steps, self._batch, self.model.output_size))
        loss = ctypes.c_double()
        check(lib.rnnk_engine_backward_mse(self._h, pointer, count, ctypes.byref(loss)))
        return loss.value

    def set_input_grad(self, enabled):
        """Whether backward also computes dE/dx (input_grad); costs one more product per layer."""
        self._input_grad = bool(enabled)
        check(lib.rnnk_engine_set_input_gradient(self._h, int(self._input_grad)))

    def backward(self, d_outputs, dh_n=None, dc_n=None):
        """Backpropagation from the caller's gradients: d_outputs float32 [T, B, O] ([T, B, D*H] for the recurrent
        layers alone), dh_n and dc_n [L*D, B, H] or None. Adds every gradient; h0_grad, c0_grad, input_grad follow."""
        m = self.model
        state = (m.num_layers * m.directions, self._batch, m.hidden_size)
        op, oc = _floats(d_outputs, "d_outputs", (self._steps, self._batch, m.output_width))
        hp, hc = _floats(dh_n, "dh_n", state)
        cp, cc = _floats(dc_n, "dc_n", state)
        check(lib.rnnk_engine_backward(self._h, op, oc, hp, hc, cp, cc))

    def set_dropout(self, p, seed=0):
        """Dropout between stacked layers (nn.RNN's dropout=) for the following forward passes; 0 turns it off."""
        check(lib.rnnk_engine_set_dropout(self._h, float(p), int(seed)))

    def zero_grad(self):
        check(lib.rnnk_engine_zero_grad(self._h))

    def grads_flat(self, out=None):
        """Every gradient in one float32 array, state_dict order (into out when given)."""
        if out is None:
            out = np.empty(self.model.parameter_count, np.float32)
        pointer, count = _floats(out, "out", (self.model.parameter_count,))
        check(lib.rnnk_engine_get_gradient(self._h, None, pointer, count))
        return out

    def grads(self):
        """{name: float32 array} copies of every gradient."""
        result = {}
        for name, shape in self.model.shapes.items():
            values = np.empty(shape, np.float32)
            check(lib.rnnk_engine_get_gradient(self._h, name.encode(), values.ctypes.data_as(_F), values.size))
            result[name] = values
        return result

    def _state(self, which, shape):
        values = np.empty(shape, np.float32)
        check(lib.rnnk_engine_get_state(self._h, _STATES[which], values.ctypes.data_as(_F), values.size))
        return values

    def _state_shape(self):
        m = self.model
        return (m.num_layers * m.directions, self._batch, m.hidden_size)

    @property
    def h_n(self):
        return self._state("h_n", self._state_shape())

    def _cell_state(self, which):
        if self.model.cell != "lstm":
            raise RuntimeError(f"{which} exists for an lstm only; this model's cell is {self.model.cell}")
        return self._state(which, self._state_shape())

    @property
    def c_n(self):
        return self._cell_state("c_n")

    @property
    def h0_grad(self):
        return self._state("h0_grad", self._state_shape())

    @property
    def c0_grad(self):
        return self._cell_state("c0_grad")

    @property
    def input_grad(self):
        if not self._input_grad:
            raise RuntimeError("create the Engine with input_grad=True to get the gradient with respect to x")
        return self._state("input_grad", (self._steps, self._batch, self.model.input_size))

    @property
    def hidden(self):
        """The last layer's h_t for every step [T, B, D*H] (PyTorch's nn.RNN output; past an entry's length its
        carried state, where PyTorch's padded output holds zeros)."""
        m = self.model
        return self._state("hidden", (self._steps, self._batch, m.directions * m.hidden_size))


class _Optimizer(_Handle):
    _free = lib.rnnk_optimizer_free

    def __init__(self, model, options):
        super().__init__(_create(lib.rnnk_optimizer_create, model._h, ctypes.byref(options)))
        self.model = model

    def step(self, engine):
        """One update from the engine's gradients (clipped to clip_norm when set). Returns the norm before clipping."""
        norm = ctypes.c_double()
        check(lib.rnnk_optimizer_step(self._h, engine._h, ctypes.byref(norm)))
        return norm.value


class SGD(_Optimizer):
    """torch.optim.SGD (momentum optional)."""

    def __init__(self, model, lr, momentum=0.0, clip_norm=0.0):
        super().__init__(model, OptimizerOptions(0, lr, momentum, 0.0, 0.0, 0.0, clip_norm))


class Adagrad(_Optimizer):
    """torch.optim.Adagrad."""

    def __init__(self, model, lr=1e-2, eps=1e-10, clip_norm=0.0):
        super().__init__(model, OptimizerOptions(1, lr, 0.0, 0.0, 0.0, eps, clip_norm))


class Adam(_Optimizer):
    """torch.optim.Adam."""

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, clip_norm=0.0):
        super().__init__(model, OptimizerOptions(2, lr, 0.0, betas[0], betas[1], eps, clip_norm))


class Stream(_Handle):
    """Inference on a snapshot of the model's weights (refresh() renews it): run() over whole sequences, step() one
    step at a time (unidirectional models), the state kept between calls."""

    _free = lib.rnnk_stream_free

    def __init__(self, model, batch=1):
        super().__init__(_create(lib.rnnk_stream_create, model._h, batch))
        self.model, self.batch = model, batch

    def step(self, x, out=None):
        """x float32 [B, I] -> y float32 [B, O]."""
        m = self.model
        xp, xc = _floats(x, "x", (self.batch, m.input_size))
        if out is None:
            out = np.empty((self.batch, m.output_width), np.float32)
        op, oc = _floats(out, "out", (self.batch, m.output_width))
        check(lib.rnnk_stream_step(self._h, xp, xc, op, oc))
        return out

    def run(self, x, lengths=None, h0=None, c0=None, out=None):
        """Whole sequences: x float32 [T, B, I] -> y [T, B, O] ([T, B, D*H] for the recurrent layers alone), from h0
        and c0 [L*D, B, H] when given, else from the stream's state; h_n and c_n are left in the stream (h_n, c_n)."""
        if not isinstance(x, np.ndarray) or x.ndim != 3:
            raise ValueError(f"x must be a float32 array [T, B, I], not {getattr(x, 'shape', type(x).__name__)}")
        m = self.model
        steps = x.shape[0]
        state = (m.num_layers * m.directions, self.batch, m.hidden_size)
        xp, xc = _floats(x, "x", (steps, self.batch, m.input_size))
        lp, lc = _int64s(lengths, "lengths", (self.batch,))
        hp, hc = _floats(h0, "h0", state)
        cp, cc = _floats(c0, "c0", state)
        if out is None:
            out = np.empty((steps, self.batch, m.output_width), np.float32)
        op, oc = _floats(out, "out", (steps, self.batch, m.output_width))
        self.h_n = np.empty(state, np.float32)
        self.c_n = np.empty(state, np.float32) if m.cell == "lstm" else None
        np_, nc = _floats(self.h_n, "h_n", state)
        cnp, cnc = _floats(self.c_n, "c_n", state)
        check(lib.rnnk_stream_run(self._h, xp, xc, steps, lp, lc, hp, hc, cp, cc, op, oc, np_, nc, cnp, cnc))
        return out

    def reset(self):
        check(lib.rnnk_stream_reset(self._h))

    def refresh(self):
        check(lib.rnnk_stream_refresh(self._h))
