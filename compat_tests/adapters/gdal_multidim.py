"""GDAL's multidimensional API: gdal.OpenEx("/vsizip/<path>", gdal.OF_MULTIDIM_RASTER)."""
# reader: id = "gdal-multidim"
# reader: env = "gdal"
# reader: library = 'GDAL'
# reader: call = 'gdal.OpenEx("/vsizip/" + path, gdal.OF_MULTIDIM_RASTER)'
# reader: group = "gdal"
# reader: rank = 1
# reader: package = "GDAL"
# reader: version_key = "gdal"
# reader: bugreport = "python:gdal_multidim"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import Missing, read_each, store_path, vsizip
from zipstore_compat.compat_tests.adapters.gdal_common import FALLBACKS, open_options

__all__ = ["FALLBACKS", "read", "versions"]


def versions() -> dict:
    """The library's own release (gdal.__version__: libgdal, what "since N" compares) and the bindings' distribution."""
    from osgeo import gdal

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"gdal": gdal.__version__, "GDAL bindings": installed_version("GDAL"), "numpy": installed_version("numpy"),
            "build": gdal.VersionInfo("BUILD_INFO").replace("\n", " ")[:300]}


def array_names(group, prefix: str) -> list[str]:
    names = [prefix + name for name in (group.GetMDArrayNames() or [])]
    for child in group.GetGroupNames() or []:
        names += array_names(group.OpenGroup(child), f"{prefix}{child}/")
    return names


def read(archive: str, manifest: dict, options: dict) -> dict:
    from osgeo import gdal

    gdal.UseExceptions()
    dataset = gdal.OpenEx(vsizip(archive, store_path(manifest, options), options.get("brace", False)), gdal.OF_MULTIDIM_RASTER,
                          open_options=open_options(options))
    root = dataset.GetRootGroup()
    listed = sorted(array_names(root, ""))

    def one(expected):
        array = root.OpenMDArrayFromFullname("/" + expected["path"])
        if array is None:  # GDAL answers "no such array" with None, not an exception
            raise Missing(f"OpenMDArrayFromFullname('/{expected['path']}') returned None")
        start = [b[0] for b in expected["slice"]]
        count = [b[1] - b[0] for b in expected["slice"]]
        values = array.ReadAsArray()
        part = array.ReadAsArray(array_start_idx=start, count=count) if count and all(count) else values
        attrs = {a.GetName(): a.Read() for a in array.GetAttributes()}
        if array.GetUnit():  # GDAL moves CF `units` out of the attributes into GetUnit()
            attrs.setdefault("units", array.GetUnit())
        dims = [d.GetName() for d in array.GetDimensions()] or None
        return {"values": values, "slice": part, "attrs": attrs, "dims": dims}

    arrays, errors = read_each(manifest, one)
    return {"listed": listed, "arrays": arrays, "errors": errors}
