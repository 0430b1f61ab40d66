"""ctypes declarations of rnnkernels.h and the status-to-exception mapping."""
import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


class ModelInfo(ctypes.Structure):
    _fields_ = [
        ("input_size", ctypes.c_int32), ("hidden_size", ctypes.c_int32), ("output_size", ctypes.c_int32),
        ("num_layers", ctypes.c_int32), ("bidirectional", ctypes.c_int32), ("cell", ctypes.c_int32),
        ("nonlinearity", ctypes.c_int32), ("tensor_count", ctypes.c_int32), ("parameter_count", ctypes.c_int64),
    ]


class OptimizerOptions(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int32), ("learning_rate", ctypes.c_float), ("momentum", ctypes.c_float),
        ("beta1", ctypes.c_float), ("beta2", ctypes.c_float), ("epsilon", ctypes.c_float), ("clip_norm", ctypes.c_float),
    ]


def _library_path():
    """RNNKERNELS_LIBRARY (a file), the installed package's copy, RNNKERNELS_NATIVE_DIR (a folder build.sh wrote), or
    the repository's artifacts/native when the client runs from a source checkout (PYTHONPATH=src/python)."""
    if os.environ.get("RNNKERNELS_LIBRARY"):
        return os.environ["RNNKERNELS_LIBRARY"]
    folders = [os.path.join(_HERE, "native")]
    if os.environ.get("RNNKERNELS_NATIVE_DIR"):
        folders.append(os.environ["RNNKERNELS_NATIVE_DIR"])
    folders.append(os.path.join(_HERE, "..", "..", "..", "artifacts", "native"))
    for folder in folders:
        path = os.path.join(folder, "librnnkernels.so")
        if os.path.isfile(path):
            return os.path.abspath(path)
    raise ImportError(
        "rnnkernels: no native library found (looked in " + ", ".join(os.path.abspath(f) for f in folders) +
        "); build it with src/RnnKernels.Native/build.sh and set RNNKERNELS_NATIVE_DIR to its folder")


def _load():
    path = _library_path()
    try:
        return ctypes.CDLL(path), path
    except OSError as e:
        raise ImportError(f"rnnkernels: cannot load the native library {path}: {e}") from e


lib, library_path = _load()

_P = ctypes.c_void_p
_I32, _I64, _F = ctypes.c_int32, ctypes.c_int64, ctypes.POINTER(ctypes.c_float)
_I64P = ctypes.POINTER(ctypes.c_int64)
_D = ctypes.POINTER(ctypes.c_double)
_S = ctypes.c_char_p
_H = ctypes.POINTER(ctypes.c_void_p)

_SIGNATURES = {
    "rnnk_model_create": [_I32, _I32, _I32, _I32, _I32, _I32, _I32, _I32, _H],
    "rnnk_model_load": [_S, _H],
    "rnnk_model_save": [_P, _S],
    "rnnk_model_free": [_P],
    "rnnk_model_describe": [_P, ctypes.POINTER(ModelInfo)],
    "rnnk_model_tensor": [_P, _I32, ctypes.c_char_p, _I64, _I64P, _I64P],
    "rnnk_model_get_parameter": [_P, _S, _F, _I64],
    "rnnk_model_set_parameter": [_P, _S, _F, _I64],
    "rnnk_engine_create": [_P, _I32, _I32, _I32, _H],
    "rnnk_engine_free": [_P],
    "rnnk_engine_set_input_gradient": [_P, _I32],
    "rnnk_engine_forward": [_P, _F, _I64, _I32, _I32, _I64P, _I64, _F, _I64, _F, _I64, _F, _I64],
    "rnnk_engine_backward_cross_entropy": [_P, _I64P, _I64, _D],
    "rnnk_engine_backward_mse": [_P, _F, _I64, _D],
    "rnnk_engine_backward": [_P, _F, _I64, _F, _I64, _F, _I64],
    "rnnk_engine_set_dropout": [_P, ctypes.c_float, _I64],
    "rnnk_engine_zero_grad": [_P],
    "rnnk_engine_get_gradient": [_P, _S, _F, _I64],
    "rnnk_engine_get_state": [_P, _I32, _F, _I64],
    "rnnk_optimizer_create": [_P, ctypes.POINTER(OptimizerOptions), _H],
    "rnnk_optimizer_step": [_P, _P, _D],
    "rnnk_optimizer_free": [_P],
    "rnnk_stream_create": [_P, _I32, _H],
    "rnnk_stream_step": [_P, _F, _I64, _F, _I64],
    "rnnk_stream_run": [_P, _F, _I64, _I32, _I64P, _I64, _F, _I64, _F, _I64, _F, _I64, _F, _I64, _F, _I64],
    "rnnk_stream_reset": [_P],
    "rnnk_stream_refresh": [_P],
    "rnnk_stream_free": [_P],
}

for _name, _args in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.argtypes = _args
    _function.restype = ctypes.c_int32

for _name in ("rnnk_version", "rnnk_kernel_tier", "rnnk_last_error"):
    getattr(lib, _name).argtypes = []
    getattr(lib, _name).restype = ctypes.c_char_p
lib.rnnk_abi_version.argtypes = []
lib.rnnk_abi_version.restype = ctypes.c_int32

ABI_VERSION = 2
if lib.rnnk_abi_version() != ABI_VERSION:
    raise ImportError(f"rnnkernels: the native library has ABI {lib.rnnk_abi_version()}, this client expects {ABI_VERSION}")

# rnnk_status -> Python exception.
_ERRORS = {1: ValueError, 2: RuntimeError, 3: RuntimeError, 4: OSError, 5: RuntimeError}


def check(status):
    """Raises the exception for a failed call, with the library's message."""
    if status != 0:
        message = lib.rnnk_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(status, RuntimeError)(message)
