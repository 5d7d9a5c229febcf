"""GDAL's classic command-line tools on one Zarr array inside a ZIP: gdalinfo for its structure, gdal_translate for its values.

    gdalinfo -json 'ZARR:"/vsizip/<path>":/<array>'                                        size, bands, data type
    gdal_translate -q -of GTiff -co COMPRESS=NONE -co TILED=NO -co INTERLEAVE=BAND \\
        'ZARR:"/vsizip/<path>":/<array>' <tmp>/a0-full.tif                                    every value
    gdal_translate ... -srcwin X Y W H [-b N ...] 'ZARR:"/vsizip/<path>":/<array>' <tmp>/a0-slice.tif   one window

The way many GDAL users meet Zarr: the classic raster model (2-D rasters, extra leading dimensions
as bands), the subdataset name the Zarr driver documents, and a conversion to GeoTIFF. The tools are
the `gdal` environment's (GDAL 3.13.3 built by envs/native/gdal.sh; Debian's gdal-bin 3.6.2 in the
versions lane). Values come back through the uncompressed, striped GeoTIFF gdal_translate writes, read
with numpy alone (tiff_strips.read_strips: exactly the bytes GDAL wrote, refusing any other layout). Like
the classic API in Python (gdal_classic_common.py), there is no listing and no attribute model to compare,
so values and shapes are checked.
"""
# reader: id = "gdal-cli-classic"
# reader: env = "gdal"
# reader: library = 'GDAL command-line tools'
# reader: call = "gdalinfo 'ZARR:\"/vsizip/path\":/array'; gdal_translate -of GTiff 'ZARR:\"/vsizip/path\":/array' out.tif"
# reader: group = "gdal"
# reader: rank = 5
# reader: version_key = "gdal"
# reader: bugreport = "python:gdal_classic"   # the same driver and subdataset name through GDAL's bindings (no gdal_translate template)

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from zipstore_compat.compat_tests.adapters.cli_common import CommandFailed, GarbledOutput, run
from zipstore_compat.compat_tests.adapters.common import read_each
from zipstore_compat.compat_tests.adapters.gdal_classic_common import FALLBACKS, as_manifest_shape, subdataset, window
from zipstore_compat.compat_tests.adapters.gdal_cli_mdim import versions
from zipstore_compat.compat_tests.adapters.gdal_common import oo_flags

__all__ = ["FALLBACKS", "commands", "read", "versions"]

OUTPUT_OPTIONS = ["-q", "-of", "GTiff", "-co", "COMPRESS=NONE", "-co", "TILED=NO", "-co", "INTERLEAVE=BAND", "-co", "BIGTIFF=IF_SAFER"]


def _commands(archive: str, manifest: dict, options: dict, out: str) -> dict[str, list[list[str]]]:
    """Per array: gdalinfo's command, gdal_translate's of every value, and of the manifest's slice box."""
    oo = oo_flags(options)
    per_array = {}
    for i, expected in enumerate(manifest["arrays"]):
        name = subdataset(archive, manifest, options, expected["path"])
        cmds = [["gdalinfo", "-json", *oo, name],
                ["gdal_translate", *OUTPUT_OPTIONS, *oo, name, f"{out}/a{i}-full.tif"]]
        if expected["shape"] and all(expected["shape"]):
            bands, xoff, yoff, xsize, ysize = window(expected)
            picks = [flag for b in bands or [] for flag in ("-b", str(b))]
            cmds.append(["gdal_translate", *OUTPUT_OPTIONS, *oo, "-srcwin", str(xoff), str(yoff), str(xsize), str(ysize), *picks,
                         name, f"{out}/a{i}-slice.tif"])
        per_array[expected["path"]] = cmds
    return per_array


def commands(archive: str, manifest: dict, options: dict, out: str = "out") -> list[list[str]]:
    """The commands a cell runs, in order (the repro bundle's commands.sh)."""
    return [c for cmds in _commands(archive, manifest, options, out).values() for c in cmds]


def _raster_shape(info: dict) -> tuple[int, int, int]:
    """(bands, lines, samples) as gdalinfo -json declares the raster."""
    try:
        samples, lines = (int(n) for n in info["size"])
        return len(info.get("bands") or []), lines, samples
    except (KeyError, TypeError, ValueError):
        raise GarbledOutput(f"gdalinfo -json declared no raster size: {str(info)[:200]}") from None


EXTRA_DIMENSIONS = "Indices of extra dimensions"   # GDAL before 3.7 maps no dimension to bands


def _by_plane(expected: dict, cmds: list[list[str]], notes: list[str]) -> dict:
    """GDAL before 3.7: a 3-D array is one subdataset per leading index, ZARR:"...":/<array>:<i> (the driver's
    documented name for a 2-D slice); each plane translated, and the slice's window read from the planes it spans
    (as gdal_classic.py does in Python)."""
    import numpy as np

    from zipstore_compat.compat_tests.adapters.tiff_strips import read_strips

    name, out = cmds[0][-1], Path(cmds[1][-1])
    base = cmds[1][1:-2]   # gdal_translate's output options (and open options), without source and target
    (b0, b1), window_flags = expected["slice"][0], cmds[2][cmds[2].index("-srcwin"):cmds[2].index("-srcwin") + 5] if len(cmds) > 2 else []
    planes, parts = [], []
    for index in range(expected["shape"][0]):
        target = out.with_name(f"{out.stem}-plane{index}.tif")
        run(["gdal_translate", *base, f"{name}:{index}", str(target)], notes)
        planes.append(read_strips(target)[0])
        target.unlink()
        if window_flags and b0 <= index < b1:
            run(["gdal_translate", *base, *window_flags, f"{name}:{index}", str(target)], notes)
            parts.append(read_strips(target)[0])
            target.unlink()
    notes.append(f"{expected['path']}: read plane by plane ({expected['shape'][0]} subdatasets <name>:<i>)")
    values = np.stack(planes)
    return {"values": values, "slice": np.stack(parts) if parts else values, "attrs": None, "dims": None}


def read(archive: str, manifest: dict, options: dict) -> dict:
    from zipstore_compat.compat_tests.adapters.tiff_strips import read_strips

    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="zipcompat-gdalcli-classic-"))
    try:
        per_array = _commands(archive, manifest, options, str(work))

        def one(expected):
            cmds = per_array[expected["path"]]
            try:
                proc = run(cmds[0], notes)
            except CommandFailed as exc:
                if EXTRA_DIMENSIONS not in str(exc) or len(expected["shape"]) != 3:
                    raise
                return _by_plane(expected, cmds, notes)
            try:
                info = json.loads(proc.stdout)
            except ValueError as exc:
                raise GarbledOutput(f"gdalinfo -json printed no JSON ({exc}): {proc.stdout[:200]!r}") from None
            declared = _raster_shape(info)
            run(cmds[1], notes)
            full = read_strips(Path(cmds[1][-1]))
            if tuple(full.shape) != declared:
                raise GarbledOutput(f"gdal_translate wrote {list(full.shape)} samples, gdalinfo declared (bands, lines, samples) {list(declared)}")
            values = as_manifest_shape(full, expected["shape"])
            part = values
            if len(cmds) > 2:
                run(cmds[2], notes)
                part = as_manifest_shape(read_strips(Path(cmds[2][-1])), [b[1] - b[0] for b in expected["slice"]])
            return {"values": values, "slice": part, "attrs": None, "dims": None}

        arrays, errors = read_each(manifest, one)
        return {"listed": None, "arrays": arrays, "errors": errors, "notes": notes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
