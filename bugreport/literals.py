"""A bug report's values written in its script's language: constants, and the expected values of the array.

Each language has a constant form (`constant`) and each script family a way of
stating the expected values (`EXPECTED_FORMS`): a numpy literal for Python, a
flat JavaScript array for Node.js, and for a command-line tool the text the
tool prints for a correct reading (ncdump's CDL data, gdalmdiminfo's JSON).
"""

from __future__ import annotations

import json
import math

import numpy as np


class LiteralError(ValueError):
    pass


def _constant(values: np.ndarray) -> bool:
    """Many copies of one number (a hostile array of fill values): stated as such, not element by element."""
    flat = values.reshape(-1)
    return flat.size > 16 and flat.dtype.kind in "biuf" and bool(np.all(flat == flat[0]))


# ---- Python ----

def _py_float(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def _py_scalar(x) -> str:
    if isinstance(x, complex):
        return f"complex({_py_float(x.real)}, {_py_float(x.imag)})"
    if isinstance(x, float):
        return _py_float(x)
    return repr(x)


def _py_nested(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_py_nested(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_py_nested(v)}" for k, v in value.items()) + "}"
    return _py_scalar(value)


def python_array(values: np.ndarray, dtype: str) -> str:
    """Python source that rebuilds `values` (dtype `dtype`, or 'string' for variable-length text) with numpy alone."""
    values = np.asarray(values)
    if dtype == "string":
        return f"np.array({_py_nested(values.astype(object).tolist())}, dtype=object)"
    kind = np.dtype(dtype).kind
    if kind in "Mm":
        return f"np.array({_py_nested(values.view('<i8').tolist())}, dtype='<i8').view({dtype!r})"
    if kind == "V":
        raise LiteralError(f"no literal for dtype {dtype}")
    if _constant(values):
        return f"np.full({list(values.shape)}, {_py_scalar(values.reshape(-1)[0].item())}, dtype={dtype!r})"
    return f"np.array({_py_nested(values.tolist())}, dtype={dtype!r})"


# ---- JavaScript ----

def _js_scalar(x) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity") if math.isinf(x) else repr(x)
    if isinstance(x, int):
        return repr(x)
    return json.dumps(str(x), ensure_ascii=False)


def js_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(js_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))}: {js_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    return _js_scalar(value)


ZARRITA_TYPES = {"b1": "bool", "i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16", "i4": "int32", "u4": "uint32",
                 "i8": "int64", "u8": "uint64", "f2": "float16", "f4": "float32", "f8": "float64"}


def js_array(values: np.ndarray, dtype: str) -> str:
    """{dtype, shape, values}: zarrita's name of the data type, and the values in C order (64-bit integers as BigInt)."""
    values = np.asarray(values)
    code = "" if dtype == "string" else np.dtype(dtype).str[1:]
    flat = values.reshape(-1)
    name = ZARRITA_TYPES.get(code)   # None for text: its type is not compared
    if code and _constant(values):
        one = f"{int(flat[0])}n" if code in ("i8", "u8") else _js_scalar(flat[0].item())
        return f'{{ dtype: {js_value(name)}, shape: {list(values.shape)}, values: Array({flat.size}).fill({one}) }}'
    if code in ("i8", "u8"):
        items = ", ".join(f"{int(v)}n" for v in flat.tolist())
    elif code and np.dtype(dtype).kind in "biuf":
        items = ", ".join(_js_scalar(v) for v in flat.tolist())
    else:  # text (and what zarrita has no type for): compared as strings
        items = ", ".join(json.dumps(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v), ensure_ascii=False)
                          for v in flat.tolist())
    return f'{{ dtype: {js_value(name)}, shape: {list(values.shape)}, values: [{items}] }}'


# ---- what a command-line tool prints for the values ----

def _c_float(x: float, digits: int, suffix: str) -> str:
    """printf's %.<digits>g, with ncdump's or GDAL's spellings of the special values."""
    if math.isnan(x):
        return "NaN" + suffix
    if math.isinf(x):
        return ("Infinity" if x > 0 else "-Infinity") + suffix
    return "%.*g" % (digits, x)


def _text(v) -> str:
    return json.dumps(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v), ensure_ascii=False)


def cdl_values(values: np.ndarray, dtype: str) -> str:
    """The values as `ncdump -p 9,17` prints them in its data section (C order, comma-separated)."""
    flat = np.asarray(values).reshape(-1)
    kind = "" if dtype == "string" else np.dtype(dtype).kind
    if kind == "f":
        single = np.dtype(dtype).itemsize <= 4
        return ", ".join(_c_float(float(v), 9 if single else 17, "f" if single else "") for v in flat.tolist())
    if kind in "biu" and kind:
        return ", ".join(str(int(v)) for v in flat.tolist())
    return ", ".join(_text(v) for v in flat.tolist())


def gdal_json_values(values: np.ndarray, dtype: str) -> str:
    """The values as `gdalmdiminfo -detailed` prints them: nested JSON lists, floats %.9g / %.18g, NaN as "NaN"."""
    values = np.asarray(values)
    kind = "" if dtype == "string" else np.dtype(dtype).kind
    single = kind == "f" and np.dtype(dtype).itemsize <= 4

    def one(v) -> str:
        if kind == "f":
            text = _c_float(float(v), 9 if single else 18, "")
            return text if text[-1].isdigit() else f'"{text}"'
        if kind in "biu" and kind:
            return str(int(v))
        return _text(v)

    def nested(v) -> str:
        return "[" + ", ".join(nested(x) for x in v) + "]" if isinstance(v, list) else one(v)

    return nested(values.tolist())


# ---- constants ----

def python_constant(value) -> str:
    if isinstance(value, (list, dict, float, complex)):
        return _py_nested(value)
    return repr(value)


def shell_constant(value) -> str:
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text.replace("'", "'\\''") + "'"


CONSTANT_FORMS = {"python": python_constant, "node": js_value, "shell": shell_constant}
# how a script family states the expected values
EXPECTED_FORMS = {"numpy": python_array, "zarrita": js_array, "cdl": cdl_values, "gdal-json": gdal_json_values}
