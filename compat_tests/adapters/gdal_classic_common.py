"""The classic raster form ZARR:"/vsizip/<path>":/<array>, shared by GDAL's bindings and rasterio.

The classic API sees arrays of two or more dimensions as rasters (extra
leading dimensions as bands); it has no attribute model that maps back to
Zarr attributes, so only values and shapes are checked (attrs None).
"""

from __future__ import annotations

import numpy as np

from zipstore_compat.compat_tests.adapters.common import option, store_path, vsizip
from zipstore_compat.compat_tests.adapters.gdal_common import OPEN_OPTIONS, VSIZIP_DOC

# the classic form names a folder of the archive and an array in it: both options act on the /vsizip/ part
FALLBACKS = [
    option('ZARR:"/vsizip/<path>/<top-level folder>":/<array>', VSIZIP_DOC, "location", "store_prefix", path_from_prefix=True),
    option('braces: ZARR:"/vsizip/{<path>}":/<array>', VSIZIP_DOC, "name", "not_zip_name", brace=True),
    *OPEN_OPTIONS,
]


def subdataset(archive: str, manifest: dict, options: dict, path: str) -> str:
    return f'ZARR:"{vsizip(archive, store_path(manifest, options), options.get("brace", False))}":/{path}'


def as_manifest_shape(values: np.ndarray, shape: list[int]) -> np.ndarray:
    """Drop the axes a raster read adds: a single band of a 2-D array, the one row of a 1-D array."""
    while values.ndim > len(shape) and values.shape[0] == 1:
        values = values[0]
    return values


def window(expected: dict) -> tuple[list[int] | None, int, int, int, int]:
    """(1-based bands or None, x offset, y offset, x size, y size) of the manifest's slice box."""
    box = expected["slice"]
    (x0, x1) = box[-1]
    (y0, y1) = box[-2] if len(box) >= 2 else (0, 1)
    bands = list(range(box[0][0] + 1, box[0][1] + 1)) if len(box) == 3 else None
    return bands, x0, y0, x1 - x0, y1 - y0
