"""The standalone script of a bug report, in the library's own API, assembled from template files.

Templates live under templates/<language>/: a prologue (load the archive,
the expected values), one body per reader family (the library called as its
users call it, `read(path) -> (listed, values, attrs, dims)`), an epilogue
(print expected vs actual and an `outcome:` line). Each file is a real
module of its language; the generator only replaces the lines marked
`# set by report-bug` with the report's values, and drops the `# packages:`
line (the install line says it). Another language plugs in with its own
folder and a Language entry.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARK = "# set by report-bug"
EMBED_LIMIT = 6 * 1024          # archives up to this many bytes are embedded in the script (base64)


@dataclass(frozen=True)
class Language:
    name: str
    suffix: str
    run: tuple[str, ...]         # how to run a script (the interpreter is prepended by the checker)


LANGUAGES = {"python": Language("python", ".py", ())}


@dataclass(frozen=True)
class ScriptSpec:
    template: str                                # file name under templates/<language>/, without suffix
    language: str = "python"
    constants: dict = field(default_factory=dict)  # extra constants the body reads (besides the common ones)


# reader id -> its script template (the netCDF4 readers share one body, with their mode)
SCRIPTS = {
    "zarr3": ScriptSpec("zarr3"),
    "zarr2": ScriptSpec("zarr2"),
    "xarray-open_zarr": ScriptSpec("xarray_open_zarr"),
    "xarray-open_dataset-zip": ScriptSpec("xarray_open_dataset_zip"),
    "fsspec-zip": ScriptSpec("fsspec_zip"),
    "dask": ScriptSpec("dask_from_zarr"),
    "h5py": ScriptSpec("h5py_control"),
    "tensorstore-zarr": ScriptSpec("tensorstore_zip"),
    "netcdf4-nczarr": ScriptSpec("netcdf4", constants={"MODE": "nczarr,zip"}),
    "netcdf4-zarr": ScriptSpec("netcdf4", constants={"MODE": "zarr,zip"}),
    "netcdf4-libzip-nczarr": ScriptSpec("netcdf4", constants={"MODE": "nczarr,zip"}),
    "netcdf4-libzip-zarr": ScriptSpec("netcdf4", constants={"MODE": "zarr,zip"}),
    "gdal-multidim": ScriptSpec("gdal_multidim"),
    "gdal-classic": ScriptSpec("gdal_classic"),
    "rasterio-gdal": ScriptSpec("rasterio_classic"),
    "tensorflow": ScriptSpec("tensorflow_pipeline"),
    "zarrista": ScriptSpec("zarrista"),
    "zarrs-pipeline": ScriptSpec("zarrs_pipeline"),
    "gdal-cli-mdim": ScriptSpec("gdal_cli_mdim"),
    "ncdump-nczarr": ScriptSpec("ncdump", constants={"MODE": "nczarr,zip"}),
    "ncdump-zarr": ScriptSpec("ncdump", constants={"MODE": "zarr,zip"}),
}
# readers whose library lives in a language that has no template folder yet: report-bug says so (repro works for them)
NO_SCRIPT_YET = {"zarrita-js": "zarrita.js is a Node.js library and bug-report scripts have a Python template folder only "
                               "(templates/python/); use `repro` for a standalone bundle of the cell"}


class ScriptError(ValueError):
    pass


def has_script(reader_id: str) -> bool:
    return reader_id.split("@")[0] in SCRIPTS


def spec_for(reader_id: str) -> ScriptSpec:
    if reader_id in NO_SCRIPT_YET:
        raise ScriptError(f"no bug-report script for the reader {reader_id!r}: {NO_SCRIPT_YET[reader_id]}")
    if reader_id not in SCRIPTS:
        raise ScriptError(f"no script template for the reader {reader_id!r} (add one under {TEMPLATES.relative_to(TEMPLATES.parents[3])})")
    return SCRIPTS[reader_id]


def template_path(spec: ScriptSpec, part: str | None = None) -> Path:
    return TEMPLATES / spec.language / f"{part or spec.template}{LANGUAGES[spec.language].suffix}"


def packages(spec: ScriptSpec) -> list[str]:
    """The distributions the script imports, from its body's `# packages:` line."""
    for line in template_path(spec).read_text(encoding="utf-8").splitlines():
        if line.startswith("# packages:"):
            return line.split(":", 1)[1].split()
    raise ScriptError(f"{template_path(spec)} has no '# packages:' line")


# ---- Python literals for the expected values ----

def _float(x: float) -> str:
    if math.isnan(x):
        return "np.nan"
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def _scalar(x) -> str:
    if isinstance(x, complex):
        return f"complex({_float(x.real)}, {_float(x.imag)})"
    if isinstance(x, float):
        return _float(x)
    return repr(x)


def _nested(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return _scalar(value)


def array_literal(values: np.ndarray, dtype: str) -> str:
    """Python source that rebuilds `values` (dtype `dtype`, or 'string' for variable-length text) with numpy alone."""
    values = np.asarray(values)
    if dtype == "string":
        return f"np.array({_nested(values.astype(object).tolist())}, dtype=object)"
    kind = np.dtype(dtype).kind
    if kind in "Mm":
        return f"np.array({_nested(values.view('<i8').tolist())}, dtype='<i8').view({dtype!r})"
    if kind == "V":
        raise ScriptError(f"no literal for dtype {dtype}")
    return f"np.array({_nested(values.tolist())}, dtype={dtype!r})"


def _attrs_literal(attrs: dict) -> str:
    return "{" + ", ".join(f"{k!r}: {_nested(v) if isinstance(v, (list, float, complex)) else repr(v)}" for k, v in attrs.items()) + "}"


def assemble(reader_id: str, title: str, install: str, *, archive: Path, embed: bool, array: str, expected: str,
             attrs: dict, dims, extra: dict, download: tuple[str, str] | None = None) -> str:
    """The script's text: header comment, prologue, the reader's body, epilogue, with the marked constants set.

    `download` (url, sha256): the archive is another project's, read from beside the script or downloaded
    from its upstream address, and checked by its sha256 (the _prologue_download template).
    """
    spec = spec_for(reader_id)
    values = {
        "ARCHIVE_B64": repr(base64.b64encode(archive.read_bytes()).decode() if embed else ""),
        "ARCHIVE_FILE": repr(archive.name),
        **({"ARCHIVE_URL": repr(download[0]), "ARCHIVE_SHA256": repr(download[1])} if download else {}),
        "ARRAY": repr(array),
        "EXPECTED": expected,
        "ATTRS": _attrs_literal(attrs),
        "DIMS": repr(list(dims) if dims else None),
        **{k: repr(v) for k, v in {**extra, **spec.constants}.items()},
    }
    parts = [template_path(spec, "_prologue_download" if download else "_prologue"), template_path(spec), template_path(spec, "_epilogue")]
    lines = [f"# {title}", f"# {install}"]
    used = set()
    for i, part in enumerate(parts):
        if i:
            lines.append("")  # one blank line between the parts; blank lines inside a part are folded into one
        text = part.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("# packages:"):
                continue
            match = re.match(r"^([A-Z_][A-Z0-9_]*) = .*  " + re.escape(MARK) + "$", line)
            if match:
                name = match.group(1)
                if name not in values:
                    raise ScriptError(f"{part.name}: no value for {name}")
                used.add(name)
                line = f"{name} = {values[name]}"
            if line or (lines[-1] and not lines[-1].startswith("# ")):
                lines.append(line)
    body_constants = [k for k in values if k not in used and re.search(rf"\b{k}\b", "".join(p.read_text() for p in parts))]
    if body_constants:  # constants the body reads but the prologue does not declare: put them after the prologue's
        at = max(i for i, line in enumerate(lines) if line.startswith("DIMS = ")) + 1
        lines[at:at] = [f"{k} = {values[k]}" for k in body_constants]
    return "\n".join(lines).rstrip() + "\n"


def code_lines(script: str) -> int:
    """Lines of the script, not counting the embedded archive's one line."""
    return len(script.splitlines())
