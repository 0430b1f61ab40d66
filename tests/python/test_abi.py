"""One ABI, checked: the functions of rnnkernels.h, the library's [UnmanagedCallersOnly] exports, the loader's
forwarding list and the Python client's ctypes signatures name the same functions with the same argument types, so a
change to one of them cannot silently break another."""
import ctypes
import os
import re

import rnnkernels
from rnnkernels import _native

REPOSITORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
NATIVE = os.path.join(REPOSITORY, "src", "RnnKernels.Native")
HANDLES = {"rnnk_model", "rnnk_engine", "rnnk_optimizer", "rnnk_stream"}


def read(*parts):
    with open(os.path.join(NATIVE, *parts), encoding="utf-8") as f:
        return f.read()


def c_kind(declaration):
    """A C parameter or return type as a kind: i32, i64, f32*, i64*, f64*, str, handle, handle*, struct*, status."""
    text = re.sub(r"\bconst\b", "", declaration).replace("*", " * ").split()
    base, stars = text[0], text.count("*")
    if base == "rnnk_status":
        return "status"
    if base in HANDLES:
        return "handle" if stars == 1 else "handle*"
    if base.startswith("rnnk_"):
        return "struct*"
    if base == "char":
        return "str"
    scalar = {"int32_t": "i32", "int64_t": "i64", "float": "f32", "double": "f64"}[base]
    return scalar + "*" * stars


def c_parameter_kind(parameter):
    parameter = parameter.strip()
    name = re.search(r"(\w+)$", parameter).group(1)
    return c_kind(parameter[: -len(name)])


def header_functions():
    text = re.sub(r"/\*.*?\*/", "", read("rnnkernels.h"), flags=re.S)
    functions = {}
    for returns, name, parameters in re.findall(r"^((?:const )?\w+ \*?)(rnnk_\w+)\(([^)]*)\);", text, flags=re.M | re.S):
        parameters = " ".join(parameters.split())
        kinds = [] if parameters == "void" else [c_parameter_kind(p) for p in parameters.split(",")]
        functions[name] = (c_kind(returns), kinds)
    return functions


def csharp_kind(declaration):
    declaration = declaration.strip()
    stars = declaration.count("*")
    base = declaration.replace("*", "").strip()
    if base == "nint":
        return "handle" if stars == 0 else "handle*"
    if base == "byte":
        return "str"
    scalar = {"int": "i32", "long": "i64", "float": "f32", "double": "f64"}.get(base)
    return "struct*" if scalar is None else scalar + "*" * stars


def exports():
    """{entry point: (return kind, [parameter kinds])} of the library's exports."""
    functions = {}
    folder = os.path.join(NATIVE, "Exports")
    for file in os.listdir(folder):
        text = read("Exports", file)
        pattern = r'\[UnmanagedCallersOnly\(EntryPoint = "(rnnk_\w+)"\)\]\s*public static ([\w*]+) \w+\(([^)]*)\)'
        for name, returns, parameters in re.findall(pattern, text, flags=re.S):
            parameters = " ".join(parameters.split())
            kinds = [] if not parameters else [csharp_kind(p.strip().rsplit(" ", 1)[0]) for p in parameters.split(",")]
            functions[name] = ("status" if returns == "int" and name not in ("rnnk_abi_version",) else csharp_kind(returns), kinds)
    return functions


def python_kind(argument):
    if argument is ctypes.c_int32:
        return "i32"
    if argument is ctypes.c_int64:
        return "i64"
    if argument is ctypes.c_float:
        return "f32"
    if argument is ctypes.c_char_p:
        return "str"
    if argument is ctypes.c_void_p:
        return "handle"
    target = argument._type_
    if target is ctypes.c_void_p:
        return "handle*"
    if isinstance(target, type) and issubclass(target, ctypes.Structure):
        return "struct*"
    return {ctypes.c_float: "f32*", ctypes.c_int64: "i64*", ctypes.c_double: "f64*"}[target]


def test_the_header_the_exports_and_the_loader_name_the_same_functions_with_the_same_types():
    declared, exported = header_functions(), exports()
    assert len(declared) >= 30
    assert declared == exported
    status_functions = {name for name, (returns, _) in declared.items() if returns == "status"}
    forwarded = set(re.findall(r"X\((rnnk_\w+),", read("loader", "rnnkernels_loader.c")))
    assert forwarded == status_functions


def test_the_python_client_declares_every_function_as_the_header_does():
    declared = header_functions()
    status_functions = {name for name, (returns, _) in declared.items() if returns == "status"}
    assert set(_native._SIGNATURES) == status_functions
    for name, arguments in _native._SIGNATURES.items():
        assert [python_kind(a) for a in arguments] == declared[name][1], name
    for name in ("rnnk_version", "rnnk_kernel_tier", "rnnk_last_error"):
        assert declared[name] == ("str", [])
        assert getattr(rnnkernels.lib, name).restype is ctypes.c_char_p
    assert declared["rnnk_abi_version"] == ("i32", [])
    assert re.search(r"#define RNNK_ABI_VERSION (\d+)", read("rnnkernels.h")).group(1) == str(_native.ABI_VERSION)
