"""What GDAL's readers share (bindings and command-line tools, multidimensional and classic): the documented
ways of naming a store inside a ZIP archive, the Zarr driver's open options, and the release in use.

GDAL's documentation at the release the `gdal` environment builds (3.13.3; envs/native/gdal.sh):
- /vsizip/ and its brace form for archive names GDAL does not take as a ZIP (.ozx);
- the Zarr driver's open options (frmts/zarr/zarrdrivercore.cpp, doc/source/drivers/raster/zarr.rst).
"""

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import option

GDAL_TAG = "v3.13.3"
VSIZIP_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/user/virtual_file_systems.rst#vsizip-zip-archives"
ZARR_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/drivers/raster/zarr.rst#open-options"
OPEN_OPTIONS_SOURCE = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/frmts/zarr/zarrdrivercore.cpp#L126-L153"

# how a store inside an archive is named: the folder it sits in, the brace form of the archive's name
LOCATION = [
    option("/vsizip/<path>/<top-level folder>", VSIZIP_DOC, "location", "store_prefix", path_from_prefix=True),
    option("braces: /vsizip/{<path>}", VSIZIP_DOC, "name", "not_zip_name", brace=True),
]
# the Zarr driver's open option that changes what is read of a store written with consolidated metadata
OPEN_OPTIONS = [
    option("-oo USE_CONSOLIDATED_METADATA=NO", ZARR_DOC, "metadata", "consolidated", open_options=["USE_CONSOLIDATED_METADATA=NO"]),
]
FALLBACKS = LOCATION + OPEN_OPTIONS


def open_options(options: dict) -> list[str]:
    """The Zarr driver open options an attempt passes ("NAME=VALUE" strings)."""
    return list(options.get("open_options") or [])


def oo_flags(options: dict) -> list[str]:
    """The same open options as command-line flags (-oo NAME=VALUE)."""
    return [flag for value in open_options(options) for flag in ("-oo", value)]
