"""GDAL's multidimensional command-line tools on /vsizip/: gdalmdiminfo for the structure, gdalmdimtranslate for the values.

    gdalmdiminfo /vsizip/<path>                                                       listing, attributes, dimensions
    gdalmdimtranslate -q -of Zarr -co ARRAY:COMPRESS=NONE \\
        -array name=/<array>,dstname=zipcompat_values /vsizip/<path> <tmp>/full.zarr        every value
    gdalmdimtranslate ... -array name=/<array>,dstname=zipcompat_slice,view=[a:b,...] ...  one slice

The tools are the `gdal` environment's (GDAL 3.13.3 built by envs/native/gdal.sh, on
the environment's PATH; Debian's gdal-bin 3.6.2 in the versions lane), the same
libgdal as the gdal-multidim reader, but reached the way people check an archive from
a shell. Values come back through an uncompressed Zarr v2 store that gdalmdimtranslate
writes, read here with numpy alone (read_uncompressed_zarr: raw little- or big-endian
chunk files, exactly the bytes GDAL wrote, no decoding); an output that is not complete
(a chunk of the wrong size, a shape other than the one gdalmdiminfo declared, a
compressor) raises instead of passing. GDAL classic formats (ENVI, GTiff) were not
used: gdalmdimtranslate 3.6 dies of SIGSEGV writing a 1-D array to ENVI.
"""
# reader: id = "gdal-cli-mdim"
# reader: env = "gdal"
# reader: library = 'GDAL command-line tools'
# reader: call = 'gdalmdiminfo /vsizip/path; gdalmdimtranslate -of Zarr -array name=/array,dstname=... /vsizip/path out.zarr'
# reader: group = "gdal"
# reader: rank = 4
# reader: version_key = "gdal"
# reader: bugreport = ["shell:gdalmdiminfo", "python:gdal_cli_mdim"]   # the tool's own terms first

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from zipstore_compat.compat_tests.adapters.cli_common import GarbledOutput, run
from zipstore_compat.compat_tests.adapters.common import Missing, read_each, store_path, vsizip
from zipstore_compat.compat_tests.adapters.gdal_common import FALLBACKS, oo_flags

__all__ = ["FALLBACKS", "commands", "read", "versions"]
OUTPUT_OPTIONS = ["-q", "-of", "Zarr", "-co", "ARRAY:COMPRESS=NONE"]
VALUES, SLICE = "zipcompat_values", "zipcompat_slice"


def versions() -> dict:
    found = {"gdal": "", "numpy": ""}
    try:
        out = subprocess.run(["gdalmdiminfo", "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        found["gdal"] = out.split()[1].rstrip(",") if out.startswith("GDAL ") else ""
        found["gdalmdiminfo --version"] = out
        found["tools"] = " ".join(shutil.which(t) or f"({t} missing)" for t in ("gdalmdiminfo", "gdalmdimtranslate"))
    except (OSError, subprocess.SubprocessError) as exc:
        found["gdal"] = f"unknown ({type(exc).__name__}: {exc})"
    from zipstore_compat.compat_tests.adapters.common import installed_version

    found["numpy"] = installed_version("numpy")
    return found


def _view(expected: dict) -> str:
    return "[" + ",".join(f"{start}:{stop}" for start, stop in expected["slice"]) + "]"


def _one_chunk(shape: list[int]) -> list[str]:
    """One output chunk for the whole array (else GDAL writes e.g. 60,000 chunk files for MNIST's images)."""
    return ["-co", "ARRAY:BLOCKSIZE=" + ",".join(map(str, shape))] if shape and all(shape) else []


def _commands(archive: str, manifest: dict, options: dict, out: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    """gdalmdiminfo's command, and per array the gdalmdimtranslate commands (full, then slice for arrays with dimensions)."""
    source = vsizip(archive, store_path(manifest, options), options.get("brace", False))
    oo = oo_flags(options)
    per_array = {}
    for i, expected in enumerate(manifest["arrays"]):
        name = "/" + expected["path"]
        shape, box = expected["shape"], [b[1] - b[0] for b in expected["slice"]]
        cmds = [["gdalmdimtranslate", *OUTPUT_OPTIONS, *oo, *_one_chunk(shape), "-array", f"name={name},dstname={VALUES}", source,
                 f"{out}/a{i}-full.zarr"]]
        if shape and all(shape):
            cmds.append(["gdalmdimtranslate", *OUTPUT_OPTIONS, *oo, *_one_chunk(box), "-array",
                         f"name={name},dstname={SLICE},view={_view(expected)}", source, f"{out}/a{i}-slice.zarr"])
        per_array[expected["path"]] = cmds
    return ["gdalmdiminfo", *oo, source], per_array


def commands(archive: str, manifest: dict, options: dict, out: str = "out") -> list[list[str]]:
    """The commands a cell runs, in order (the repro bundle's commands.sh)."""
    info, per_array = _commands(archive, manifest, options, out)
    return [info] + [c for cmds in per_array.values() for c in cmds]


# ---- the output: gdalmdiminfo's JSON, an uncompressed Zarr v2 store ---------------------------------------------

def arrays_of(info: dict, prefix: str = "") -> dict[str, dict]:
    """Every array of gdalmdiminfo's JSON by its path (no leading slash)."""
    found = {prefix + name: desc for name, desc in (info.get("arrays") or {}).items()}
    for name, group in (info.get("groups") or {}).items():
        found.update(arrays_of(group, f"{prefix}{name}/"))
    return found


def attributes_of(desc: dict) -> dict:
    """The array's attributes as gdalmdiminfo shows them; GDAL moves CF `units` out of them (its "unit")."""
    attrs = dict(desc.get("attributes") or {})
    if desc.get("unit"):
        attrs.setdefault("units", desc["unit"])
    return attrs


def dims_of(desc: dict) -> list[str] | None:
    names = []
    for d in desc.get("dimensions") or []:
        full = d["full_name"] if isinstance(d, dict) else d
        names.append(str(full).rsplit("/", 1)[-1])
    return names or None


def _fill(fill, dtype):
    import numpy as np

    if fill is None:
        return np.zeros((), dtype)[()]
    if isinstance(fill, str) and dtype.kind == "f":
        return {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}[fill]
    if isinstance(fill, str) and dtype.kind in "SU":
        return fill
    return np.array(fill).astype(dtype)[()]


def read_uncompressed_zarr(array_dir: Path, shape: list[int] | None = None):
    """An array of an uncompressed Zarr v2 store, with numpy alone; refuses anything it cannot read exactly.

    shape: what the array must have (gdalmdiminfo's dimension sizes, or the slice's box): another shape is garbled.
    """
    import itertools

    import numpy as np

    meta_path = array_dir / ".zarray"
    if not meta_path.is_file():
        raise GarbledOutput(f"the tool's output has no {meta_path.name} for {array_dir.name} (files: "
                            f"{', '.join(sorted(p.name for p in array_dir.parent.iterdir())[:8]) if array_dir.parent.is_dir() else 'none'})")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("zarr_format") != 2 or meta.get("compressor") is not None or meta.get("filters"):
        raise GarbledOutput(f"{meta_path}: not an uncompressed Zarr v2 array: {meta}")
    dtype = np.dtype(meta["dtype"])
    if dtype.hasobject:
        raise GarbledOutput(f"{meta_path}: object dtype {meta['dtype']}")
    full, chunks = [int(n) for n in meta["shape"]], [int(n) for n in meta["chunks"]]
    if shape is not None and full != list(shape):
        raise GarbledOutput(f"{meta_path}: shape {full}, but the array has shape {list(shape)}")
    order = meta.get("order", "C")
    separator = meta.get("dimension_separator", ".")
    out = np.full(full, _fill(meta.get("fill_value"), dtype), dtype=dtype)
    grid = [range(-(-n // c)) if c else range(0) for n, c in zip(full, chunks)]
    expected_files = set()
    for index in itertools.product(*grid) if full else [()]:
        key = separator.join(map(str, index)) if index else "0"
        expected_files.add(key)
        path = array_dir / key
        if not path.is_file():
            continue  # a chunk the writer left out holds the fill value (Zarr v2)
        raw = path.read_bytes()
        count = int(np.prod(chunks)) if full else 1
        if len(raw) != count * dtype.itemsize:
            raise GarbledOutput(f"{path}: {len(raw)} bytes, an uncompressed chunk of {chunks} {dtype.str} has {count * dtype.itemsize}")
        block = np.frombuffer(raw, dtype=dtype).reshape(chunks if full else (), order=order)
        region = tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(index, chunks, full))
        out[region] = block[tuple(slice(0, r.stop - r.start) for r in region)]
    strays = [p.name for p in array_dir.iterdir() if not p.name.startswith(".") and p.name not in expected_files]
    if strays:
        raise GarbledOutput(f"{array_dir}: files that are no chunk of shape {full} / chunks {chunks}: {', '.join(sorted(strays)[:5])}")
    return out


def _output(proc, array_dir: Path, shape, notes: list[str]):
    """The array a gdalmdimtranslate run wrote; its exit status was 0, so an array it did not write is a silent loss."""
    said = " | ".join(s for s in (proc.stderr or "").strip().splitlines() if s.strip())[:400]
    if said:
        notes.append(f"stderr (exit status 0): {said}")
    if not (array_dir / ".zarray").is_file():
        raise Missing(f"gdalmdimtranslate exited 0 and wrote no array{' (stderr: ' + said + ')' if said else ''}")
    return read_uncompressed_zarr(array_dir, shape)


def read(archive: str, manifest: dict, options: dict) -> dict:
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="zipcompat-gdalcli-"))
    try:
        info_cmd, per_array = _commands(archive, manifest, options, str(work))
        proc = run(info_cmd, notes)
        said = " | ".join(s for s in proc.stderr.strip().splitlines() if s.strip())[:400]
        if said:
            notes.append(f"gdalmdiminfo stderr (exit status 0): {said}")
        try:
            info = json.loads(proc.stdout)
        except ValueError as exc:
            raise GarbledOutput(f"gdalmdiminfo printed no JSON ({exc}): {proc.stdout[:200]!r}") from None
        if info.get("type") != "group":
            raise GarbledOutput(f"gdalmdiminfo printed no group: {str(info)[:200]}")
        described = arrays_of(info)

        def one(expected):
            desc = described.get(expected["path"])
            if desc is None:  # exit status 0, and the array is not in the listing
                raise Missing(f"gdalmdiminfo (exit status 0) lists no array /{expected['path']}" + (f"; its stderr: {said}" if said else ""))
            shape = list(desc.get("dimension_size") or [])
            cmds = per_array[expected["path"]]
            values = _output(run(cmds[0], notes), Path(cmds[0][-1]) / VALUES, shape, notes)
            part = values
            if len(cmds) > 1:
                part = _output(run(cmds[1], notes), Path(cmds[1][-1]) / SLICE, None, notes)
                box = [b[1] - b[0] for b in expected["slice"]]
                if list(part.shape) != box:
                    notes.append(f"{expected['path']}: the view={_view(expected)} output has shape {list(part.shape)}, not {box}")
            return {"values": values, "slice": part, "attrs": attributes_of(desc), "dims": dims_of(desc)}

        arrays, errors = read_each(manifest, one)
        return {"listed": sorted(described), "arrays": arrays, "errors": errors, "notes": notes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
