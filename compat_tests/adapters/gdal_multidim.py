"""GDAL's multidimensional API: gdal.OpenEx("/vsizip/<path>", gdal.OF_MULTIDIM_RASTER)."""

from __future__ import annotations

from compat_tests.adapters.common import read_each, store_path

FALLBACKS = [("/vsizip/<path>/<top-level folder>", {"path_from_prefix": True})]


def versions() -> dict:
    from osgeo import gdal

    from compat_tests.adapters.common import installed_version

    return {"gdal": installed_version("GDAL"), "numpy": installed_version("numpy"), "build": gdal.VersionInfo("BUILD_INFO").replace("\n", " ")[:300]}


def _array_names(group, prefix: str) -> list[str]:
    names = [prefix + name for name in (group.GetMDArrayNames() or [])]
    for child in group.GetGroupNames() or []:
        names += _array_names(group.OpenGroup(child), f"{prefix}{child}/")
    return names


def read(archive: str, manifest: dict, options: dict) -> dict:
    from osgeo import gdal

    gdal.UseExceptions()
    inner = store_path(manifest, options)
    dataset = gdal.OpenEx(f"/vsizip/{archive}" + (f"/{inner}" if inner else ""), gdal.OF_MULTIDIM_RASTER)
    root = dataset.GetRootGroup()
    listed = sorted(_array_names(root, ""))

    def one(expected):
        array = root.OpenMDArrayFromFullname("/" + expected["path"])
        if array is None:
            raise KeyError(f"no array /{expected['path']}")
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
