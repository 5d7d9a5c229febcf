"""zarr-python 3, the archive's path given to zarr.open: zarr.open("x.zip", mode="r") (zarr-python #2831)."""
# reader: id = "zarr3-open-path"
# reader: env = "zarr3"
# reader: library = 'zarr-python 3'
# reader: call = 'zarr.open("x.zip", mode="r")'
# reader: group = "zarr-python"
# reader: rank = 5
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: bugreport = "python:zarr3_open_path"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import installed_version, option, store_path
from zipstore_compat.compat_tests.adapters.zarr3 import read_group

FALLBACKS = [option("open(path, path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/functions/open/", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import zarr  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)

    return {"zarr": installed_version("zarr"), "numcodecs": installed_version("numcodecs"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr

    return read_group(zarr.open(archive, mode="r", path=store_path(manifest, options) or None), manifest)
