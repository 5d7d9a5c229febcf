"""What GDAL's readers share (bindings and command-line tools, multidimensional and classic): the documented
ways of naming a store inside a ZIP archive, the Zarr driver's open options, and the release in use.

GDAL's documentation at the release the `gdal` environment builds (3.13.3; envs/native/gdal.sh):
- /vsizip/ and its brace form for archive names GDAL does not take as a ZIP (.ozx);
- the Zarr driver's open options (frmts/zarr/zarrdrivercore.cpp, doc/source/drivers/raster/zarr.rst);
- the ZARR: prefix of a dataset name, which opens a folder as a Zarr store without the driver's identification
  (doc/source/drivers/raster/zarr.rst, "Dataset name");
- the CPL_ZIP_ENCODING configuration option, the encoding of names without the UTF-8 flag (default CP437:
  port/cpl_minizip_unzip.cpp). A configuration option is per process, and /vsizip/ keeps an archive's listing
  for the life of the process, so only the command-line readers (a new process per command) take it.
"""

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import option

GDAL_TAG = "v3.13.3"
VSIZIP_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/user/virtual_file_systems.rst#vsizip-zip-archives"
ZARR_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/drivers/raster/zarr.rst#open-options"
OPEN_OPTIONS_SOURCE = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/frmts/zarr/zarrdrivercore.cpp#L126-L153"
DATASET_NAME_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/drivers/raster/zarr.rst#dataset-name"
ZIP_ENCODING_DOC = f"https://github.com/OSGeo/gdal/blob/{GDAL_TAG}/doc/source/user/configoptions.rst"

# how a store inside an archive is named: the folder it sits in, the brace form of the archive's name
LOCATION = [
    option("/vsizip/<path>/<top-level folder>", VSIZIP_DOC, "location", "store_prefix", path_from_prefix=True),
    option("braces: /vsizip/{<path>}", VSIZIP_DOC, "name", "not_zip_name", brace=True),
]
# the Zarr driver's open option that changes what is read of a store written with consolidated metadata. The others
# (OPEN_OPTIONS_SOURCE) change nothing a cell reads: LIST_ALL_ARRAYS lists 1-D arrays among the classic subdatasets
# (the classic readers name each array, ZARR:"...":/<array>, and a 1-D one opens so), CACHE_TILE_PRESENCE and
# CACHE_KERCHUNK_JSON are caches, MULTIBAND / DIM_X / DIM_Y choose the classic axes (YES and the last two by
# default, the manifest's order), LOAD_EXTRA_DIM_METADATA_DELAY bounds band metadata.
OPEN_OPTIONS = [
    option("-oo USE_CONSOLIDATED_METADATA=NO", ZARR_DOC, "metadata", "consolidated", open_options=["USE_CONSOLIDATED_METADATA=NO"]),
]
FALLBACKS = LOCATION + OPEN_OPTIONS
# the multidimensional readers' dataset name (the classic form always has the ZARR: prefix)
ZARR_PREFIX = option('ZARR:"/vsizip/<path>"', DATASET_NAME_DOC, "prefix", zarr_prefix=True)
MULTIDIM_FALLBACKS = FALLBACKS + [ZARR_PREFIX]
# names a zip tool wrote in UTF-8 without the flag: the command-line readers' --config
ZIP_ENCODING = option("--config CPL_ZIP_ENCODING UTF-8", ZIP_ENCODING_DOC, "encoding", "names_without_utf8_flag",
                      config={"CPL_ZIP_ENCODING": "UTF-8"})


def dataset_name(path: str, options: dict) -> str:
    """The multidimensional readers' dataset name: the /vsizip/ path, or with the ZARR: prefix when the option asks."""
    return f'ZARR:"{path}"' if options.get("zarr_prefix") else path


def config_flags(options: dict) -> list[str]:
    """The configuration options an attempt sets, as command-line flags (--config NAME VALUE)."""
    return [flag for name, value in sorted((options.get("config") or {}).items()) for flag in ("--config", name, value)]


def open_options(options: dict) -> list[str]:
    """The Zarr driver open options an attempt passes ("NAME=VALUE" strings)."""
    return list(options.get("open_options") or [])


def oo_flags(options: dict) -> list[str]:
    """The same open options as command-line flags (-oo NAME=VALUE)."""
    return [flag for value in open_options(options) for flag in ("-oo", value)]
