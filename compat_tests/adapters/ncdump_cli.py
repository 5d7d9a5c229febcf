"""ncdump of netCDF-C built with libzip (4.10.1; 4.9.3 in the versions lane), on file://<path>#mode=nczarr,zip: its CDL text turned back into values.

    $ZIPCOMPAT_NETCDF_C_PREFIX/bin/ncdump -p 9,17 "file://<path>#mode=nczarr,zip"

The tool is the ncdump of the `netcdf4-libzip` environment's own netCDF-C build
(envs/native/netcdf-c.sh), the library the netcdf4-libzip-* readers reach through
netCDF4-python; here no Python binding is involved. The whole dataset is dumped once
and the CDL is parsed with the standard library and numpy (parse_cdl):

- float and double data are printed with 9 and 17 significant digits (-p 9,17), which
  name every float32 and float64 exactly (a decimal of 9 significant digits lies
  within 5e-9 relative of its float32, far inside the 3e-8 half-spacing of float32s,
  so decimal -> float64 -> float32 cannot round twice the wrong way; 17 digits are
  the round-trip width of float64); tests/test_cli_readers.py checks the parser on
  every kind of float32 and float64 bit pattern. NaN, Infinity and -0 are
  ncdump's own spellings. NaN payloads are not kept (the checks ignore them).
- ncdump prints `_` for a value equal to the variable's fill value: it is read back
  as the variable's _FillValue attribute (or netCDF's default fill for the type).
- every variable of the header must have exactly as many values as its shape says;
  anything else (a truncated dump, a count that does not match, a token that is no
  value) raises, whatever the exit status was.

ncdump has no index-range option (only -v to pick variables), so no partial read is
checked: the cells say so in their notes.
"""
# reader: id = "ncdump-nczarr"
# reader: env = "netcdf4-libzip"
# reader: library = 'ncdump (netCDF-C + libzip)'
# reader: call = 'ncdump -p 9,17 "file://path#mode=nczarr,zip"'
# reader: group = "netcdf"
# reader: rank = 5
# reader: version_key = "netcdf-c"
# reader: bugreport = ["shell:ncdump", "python:ncdump"]
# reader: bugreport_constants = { MODE = "nczarr,zip" }

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from zipstore_compat.compat_tests.adapters.cli_common import GarbledOutput, run
from zipstore_compat.compat_tests.adapters import nczarr_modes
from zipstore_compat.compat_tests.adapters.common import Missing, read_each

FALLBACKS: list = nczarr_modes.fallbacks()   # `consolidated` where the release documents it
MODE = "nczarr,zip"
PRECISION = "9,17"


def prefix() -> Path:
    found = os.environ.get("ZIPCOMPAT_NETCDF_C_PREFIX", "")
    if not found:
        raise RuntimeError("ZIPCOMPAT_NETCDF_C_PREFIX is not set: the netcdf4-libzip environment's runtime_env names the build")
    return Path(found)


def ncdump_command(archive: str, mode: str = MODE, options: dict | None = None) -> list[str]:
    return [str(prefix() / "bin" / "ncdump"), "-p", PRECISION, f"file://{archive}#mode={nczarr_modes.mode_with(mode, options or {})}"]


def commands(archive: str, manifest: dict, options: dict, mode: str = MODE) -> list[list[str]]:
    """The command a cell runs (the repro bundle's commands.sh)."""
    return [ncdump_command(archive, mode, options)]


def versions() -> dict:
    found = {"netcdf-c": ""}
    try:
        config = prefix() / "bin" / "nc-config"
        out = subprocess.run([str(config), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        found["netcdf-c"] = out.split()[-1] if out.startswith("netCDF") else ""
        usage = subprocess.run([str(prefix() / "bin" / "ncdump")], capture_output=True, text=True, timeout=60)
        said = re.search(r"netcdf library version (\S+)", usage.stderr + usage.stdout)
        found["ncdump"] = f"{prefix() / 'bin' / 'ncdump'}: netcdf library version {said.group(1)}" if said else "ncdump did not say its version"
        settings = prefix() / "lib" / "libnetcdf.settings"
        if settings.exists():
            lines = dict(s.split(":", 1) for s in settings.read_text(encoding="utf-8").splitlines() if ":" in s)
            found["netcdf-c build"] = "; ".join(f"{k}: {lines[k].strip()}" for k in ("NetCDF Version", "NCZarr Zip Support") if k in lines)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        found["netcdf-c"] = f"unknown ({type(exc).__name__}: {exc})"
    found["HDF5_PLUGIN_PATH"] = os.environ.get("HDF5_PLUGIN_PATH", "(unset)")
    return found


# ---- CDL ------------------------------------------------------------------------------------------------------

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|[{}()=,;:]|(?:\\.|[^\s{}()=,;:"\\])+', re.S)
TYPES = {"char": "S1", "byte": "i1", "ubyte": "u1", "short": "i2", "ushort": "u2", "int": "i4", "uint": "u4",
         "int64": "i8", "uint64": "u8", "float": "f4", "double": "f8", "string": "O"}
# netCDF's default fill values (netcdf.h NC_FILL_*), for `_` in a variable without _FillValue
DEFAULT_FILL = {"i1": -127, "u1": 255, "i2": -32767, "u2": 65535, "i4": -2147483647, "u4": 4294967295,
                "i8": -9223372036854775806, "u8": 18446744073709551614, "f4": 9.9692099683868690e+36,
                "f8": 9.9692099683868690e+36, "S1": b"\x00", "O": ""}
NUMBER = re.compile(r"^([-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|nan|Infinity|inf))(UB|US|ULL|LL|U|b|B|s|S|f|F|L|l|ub|us|ull|ll|u)?$")
SECTION = re.compile(r"^\s*(dimensions|variables|data|types):\s*$")
GROUP = re.compile(r"^\s*group:\s*(.+?)\s*\{\s*$")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "a": "\a", "\\": "\\", '"': '"', "'": "'", "?": "?", "0": "\0"}


def _unquote(token: str) -> str:
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            octal = re.match(r"[0-7]{1,3}", body[i + 1:])
            if octal:
                out.append(chr(int(octal.group(0), 8)))
                i += 1 + len(octal.group(0))
                continue
            out.append(ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _name(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token)


def _number(token: str):
    match = NUMBER.match(token)
    if not match:
        raise GarbledOutput(f"not a CDL number: {token!r}")
    text = match.group(1)
    if text in ("NaN", "nan"):
        return float("nan")
    if text.lstrip("+-") in ("Infinity", "inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    return float(text)


def _float(token: str) -> float:
    """A float value as ncdump prints it (%.9g / %.17g, NaN, Infinity, a type suffix); -0 stays negative."""
    match = NUMBER.match(token)
    if not match:
        raise GarbledOutput(f"not a CDL number: {token!r}")
    return float(match.group(1))  # Python's float() takes NaN, Infinity, -Infinity and is correctly rounded


class _Tokens:
    def __init__(self, text: str):
        # section headers and group openings are whole lines in ncdump's output ("data:", "group: g {"),
        # told apart from an attribute of a variable that happens to be called data ("\t\tdata:units = ...")
        self.items = []
        for text_line in text.splitlines():
            header = SECTION.match(text_line)
            group = GROUP.match(text_line)
            if header:
                self.items.append("\x00" + header.group(1))
            elif group:
                self.items += ["\x00group", group.group(1), "{"]
            else:
                self.items += [t for t in TOKEN.findall(text_line) if not t.startswith("//")]
        self.i = 0

    def peek(self, ahead: int = 0) -> str | None:
        return self.items[self.i + ahead] if self.i + ahead < len(self.items) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise GarbledOutput(f"the CDL ends early (expected {expected or 'more'})")
        if expected is not None and token != expected:
            raise GarbledOutput(f"CDL: expected {expected!r}, found {token!r} (token {self.i})")
        self.i += 1
        return token

    def values(self) -> list[str]:
        """Tokens up to the next ';' (consumed), without the commas between them."""
        out = []
        while True:
            token = self.take()
            if token == ";":
                return out
            if token != ",":
                out.append(token)
                if self.peek() not in (",", ";"):
                    raise GarbledOutput(f"CDL: values not separated by commas near {token!r} {self.peek()!r}")


def _attribute(tokens: list[str], kind: str | None):
    if kind == "string":
        return [_unquote(t) for t in tokens] if len(tokens) > 1 else _unquote(tokens[0])
    if tokens and all(t.startswith('"') for t in tokens):  # char: ncdump splits long text after newlines
        return "".join(_unquote(t) for t in tokens)
    numbers = [_number(t) for t in tokens]
    return numbers[0] if len(numbers) == 1 else numbers


def parse_cdl(text: str) -> dict:
    """ncdump's CDL as {"variables": {path: {"type", "dims", "shape", "attrs", "values" (tokens)}}, "dims": {...}}."""
    tokens = _Tokens(text)
    tokens.take("netcdf")
    tokens.take()  # the dataset's name
    variables: dict[str, dict] = {}
    dims: dict[str, int] = {}
    _group(tokens, "", variables, dims)
    if tokens.peek() is not None:
        raise GarbledOutput(f"CDL: text after the dataset's closing brace: {tokens.peek()!r}")
    for path, var in variables.items():
        count = 1
        for n in var["shape"]:
            count *= n
        if var.get("values") is None:
            if count:
                raise GarbledOutput(f"CDL: no data for {path} ({count} values declared)")
            var["values"] = []
    return {"variables": variables, "dims": dims}


def _dim_size(scope: str, name: str, dims: dict[str, int]) -> int:
    group = scope
    while True:  # a dimension is visible in its group and every group below it
        key = f"{group}/{name}" if group else name
        if key in dims:
            return dims[key]
        if not group:
            raise GarbledOutput(f"CDL: dimension {name!r} used in /{scope} is not declared")
        group = group.rpartition("/")[0]


def _group(tokens: _Tokens, scope: str, variables: dict, dims: dict) -> None:
    tokens.take("{")
    where = f"{scope}/" if scope else ""
    section = None
    while True:
        token = tokens.peek()
        if token is None:
            raise GarbledOutput(f"CDL: group /{scope} is not closed")
        if token == "}":
            tokens.take()
            return
        if token in ("\x00dimensions", "\x00variables", "\x00data", "\x00types"):
            section = tokens.take()[1:]
            if section == "types":
                raise GarbledOutput("CDL: user-defined types are not read by this parser")
            continue
        if token == "\x00group":
            tokens.take()
            name = _name(tokens.take())
            _group(tokens, f"{where}{name}", variables, dims)
            continue
        if section in (None, "dimensions") and (token == ":" or (token in TYPES and tokens.peek(1) == ":")):
            # global attributes of a group without variables: ncdump prints them without a "variables:" header
            _declaration(tokens, scope, where, variables, dims)
        elif section == "dimensions":
            name = _name(tokens.take())
            tokens.take("=")
            size = tokens.values()
            if len(size) != 1:
                raise GarbledOutput(f"CDL: dimension {name} = {size}")
            dims[f"{where}{name}"] = 0 if size[0] == "UNLIMITED" else int(size[0])
        elif section == "variables":
            _declaration(tokens, scope, where, variables, dims)
        elif section == "data":
            name = _name(tokens.take())
            tokens.take("=")
            path = f"{where}{name}"
            if path not in variables:
                raise GarbledOutput(f"CDL: data for {path}, which the header does not declare")
            if variables[path].get("values") is not None:
                raise GarbledOutput(f"CDL: data for {path} twice")
            variables[path]["values"] = tokens.values()
        else:
            raise GarbledOutput(f"CDL: {token!r} outside any section of /{scope}")


def _declaration(tokens: _Tokens, scope: str, where: str, variables: dict, dims: dict) -> None:
    first = tokens.take()
    if first in TYPES and tokens.peek() == ":" and f"{where}{first}" not in variables:
        first = tokens.take()  # a typed global attribute: string :title = ...
    if first == ":":  # a global attribute
        name = _name(tokens.take())
        tokens.take("=")
        tokens.values()
        return
    kind = None
    if first in TYPES and tokens.peek(1) == ":":  # a typed attribute: string var:att = ...
        kind, first = first, tokens.take()
    if tokens.peek() == ":":
        tokens.take(":")
        att = _name(tokens.take())
        tokens.take("=")
        values = tokens.values()
        owner = variables.get(f"{where}{_name(first)}")
        if owner is None and first:
            raise GarbledOutput(f"CDL: attribute {att} of undeclared variable {first}")
        owner["attrs"][att] = _attribute(values, kind)
        return
    if first not in TYPES:
        raise GarbledOutput(f"CDL: unknown type {first!r}")
    name = _name(tokens.take())
    dim_names = []
    if tokens.peek() == "(":
        tokens.take("(")
        while tokens.peek() != ")":
            token = tokens.take()
            if token != ",":
                dim_names.append(_name(token))
        tokens.take(")")
    tokens.take(";")
    shape = [_dim_size(scope, d, dims) for d in dim_names]
    variables[f"{where}{name}"] = {"type": first, "dims": [d.rsplit("/", 1)[-1] for d in dim_names], "shape": shape,
                                   "attrs": {}, "values": None}


def values_of(var: dict, path: str = ""):
    """A variable's values as a numpy array of its netCDF type; refuses a count that does not match its shape."""
    import numpy as np

    code, shape, tokens = TYPES[var["type"]], list(var["shape"]), var["values"]
    fill = var["attrs"].get("_FillValue", DEFAULT_FILL[code])
    if code == "S1":  # char data: one string per row of the last dimension
        width = shape[-1] if shape else 1
        rows = 1
        for n in shape[:-1]:
            rows *= n
        if len(tokens) != rows and not (shape and shape[-1] == 0):
            raise GarbledOutput(f"{path}: {len(tokens)} strings for {rows} rows of char[{width}]")
        data = [(_unquote(t) if t != "_" else "").encode("latin-1")[:width].ljust(width, b"\0") for t in tokens]
        return np.frombuffer(b"".join(data), dtype="S1").reshape(shape)
    count = 1
    for n in shape:
        count *= n
    if len(tokens) != count:
        raise GarbledOutput(f"{path}: {len(tokens)} values for shape {shape} ({count} expected)")
    if code == "O":
        out = np.array([fill if t == "_" else _unquote(t) for t in tokens] or [], dtype=object)
        return out.reshape(shape)
    dtype = np.dtype(code)
    if dtype.kind == "f":
        parsed = [float(fill) if t == "_" else _float(t) for t in tokens]
        return np.array(parsed, dtype="f8").astype(dtype).reshape(shape)
    parsed = [int(fill) if t == "_" else _number(t) for t in tokens]
    if not all(isinstance(v, int) for v in parsed):
        raise GarbledOutput(f"{path}: a value that is no integer in {var['type']} data: {next(v for v in parsed if not isinstance(v, int))!r}")
    return np.array(parsed, dtype=dtype).reshape(shape)


def read(archive: str, manifest: dict, options: dict, mode: str = MODE) -> dict:
    notes: list[str] = []
    proc = run(ncdump_command(archive, mode, options), notes)
    said = " | ".join(s for s in proc.stderr.strip().splitlines() if s.strip())[:400]
    if said:
        notes.append(f"stderr (exit status 0): {said}")
    cdl = parse_cdl(proc.stdout)
    variables = cdl["variables"]
    notes.append("ncdump has no index-range option: no partial read is checked")

    def one(expected):
        var = variables.get(expected["path"])
        if var is None:  # exit status 0, and the dump has no such variable
            groups = sorted({p.rpartition("/")[0] for p in variables} - {""})[:5]
            raise Missing(f"ncdump's output has no variable {expected['path']} (variables: {', '.join(sorted(variables)[:5]) or 'none'}"
                          + (f"; groups: {', '.join(groups)}" if groups else "") + ")")
        return {"values": values_of(var, expected["path"]), "slice": None, "attrs": dict(var["attrs"]), "dims": var["dims"] or None}

    arrays, errors = read_each(manifest, one)
    return {"listed": sorted(variables), "arrays": arrays, "errors": errors, "notes": notes}
