"""rasterio (its wheel bundles its own, newer GDAL): rasterio.open('ZARR:"/vsizip/<path>":/<array>')."""
# reader: id = "rasterio-gdal"
# reader: env = "rasterio"
# reader: library = 'rasterio (bundled GDAL)'
# reader: call = "rasterio.open('ZARR:\"/vsizip/' + path + '\":/array')"
# reader: group = "rasterio"
# reader: rank = 1
# reader: package = "rasterio"
# reader: version_key = "gdal"
# reader: bugreport = "python:rasterio_classic"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import read_each
from zipstore_compat.compat_tests.adapters.gdal_classic_common import FALLBACKS, as_manifest_shape, subdataset, window
from zipstore_compat.compat_tests.adapters.gdal_common import open_options

__all__ = ["FALLBACKS", "read", "versions"]


def versions() -> dict:
    import rasterio

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"rasterio": installed_version("rasterio"), "gdal": rasterio.__gdal_version__, "numpy": installed_version("numpy")}


def _open_options(options: dict) -> dict:
    """GDAL open options as rasterio takes them: keyword arguments of rasterio.open (rasterio's documented way)."""
    return dict(value.split("=", 1) for value in open_options(options))


def read(archive: str, manifest: dict, options: dict) -> dict:
    import rasterio
    from rasterio.windows import Window

    def one(expected):
        with rasterio.open(subdataset(archive, manifest, options, expected["path"]), **_open_options(options)) as src:
            values = as_manifest_shape(src.read(), expected["shape"])
            bands, xoff, yoff, xsize, ysize = window(expected)
            part = src.read(indexes=bands or 1, window=Window(xoff, yoff, xsize, ysize))
            part = as_manifest_shape(part, [b[1] - b[0] for b in expected["slice"]])
        return {"values": values, "slice": part, "attrs": None, "dims": None}

    arrays, errors = read_each(manifest, one)
    return {"listed": None, "arrays": arrays, "errors": errors}
