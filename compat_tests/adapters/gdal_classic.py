"""GDAL's classic raster API: gdal.Open('ZARR:"/vsizip/<path>":/<array>') (gdal.OpenEx, to pass the driver's open options)."""
# reader: id = "gdal-classic"
# reader: env = "gdal"
# reader: library = 'GDAL'
# reader: call = "gdal.Open('ZARR:\"/vsizip/' + path + '\":/array')"
# reader: group = "gdal"
# reader: rank = 2
# reader: package = "GDAL"
# reader: version_key = "gdal"
# reader: bugreport = "python:gdal_classic"

from __future__ import annotations

import numpy as np

from zipstore_compat.compat_tests.adapters.common import read_each
from zipstore_compat.compat_tests.adapters.gdal_classic_common import FALLBACKS, as_manifest_shape, subdataset, window
from zipstore_compat.compat_tests.adapters.gdal_common import open_options
from zipstore_compat.compat_tests.adapters.gdal_multidim import versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    from osgeo import gdal

    gdal.UseExceptions()

    def one(expected):
        name = subdataset(archive, manifest, options, expected["path"])
        try:
            dataset = gdal.OpenEx(name, gdal.OF_RASTER, open_options=open_options(options))
        except RuntimeError as exc:
            if "Indices of extra dimensions" not in str(exc) or len(expected["shape"]) != 3:
                raise
            # GDAL before 3.7 maps no dimension to bands: one subdataset per leading index
            planes = [gdal.OpenEx(f"{name}:{i}", gdal.OF_RASTER, open_options=open_options(options)) for i in range(expected["shape"][0])]
            bands, xoff, yoff, xsize, ysize = window(expected)
            values = np.stack([p.ReadAsArray() for p in planes])
            part = np.stack([planes[b - 1].ReadAsArray(xoff, yoff, xsize, ysize) for b in bands])
            return {"values": values, "slice": part, "attrs": None, "dims": None}
        values = as_manifest_shape(dataset.ReadAsArray(), expected["shape"])
        bands, xoff, yoff, xsize, ysize = window(expected)
        part = dataset.ReadAsArray(xoff, yoff, xsize, ysize, band_list=bands)
        part = as_manifest_shape(part, [b[1] - b[0] for b in expected["slice"]])
        return {"values": values, "slice": part, "attrs": None, "dims": None}

    arrays, errors = read_each(manifest, one)
    return {"listed": None, "arrays": arrays, "errors": errors}
