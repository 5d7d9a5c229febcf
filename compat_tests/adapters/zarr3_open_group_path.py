"""zarr-python 3, the archive's path given to zarr.open_group: zarr.open_group("x.zip", mode="r") (zarr-python #2831)."""
# reader: id = "zarr3-open_group-path"
# reader: env = "zarr3"
# reader: library = 'zarr-python 3'
# reader: call = 'zarr.open_group("x.zip", mode="r")'
# reader: group = "zarr-python"
# reader: rank = 6
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: bugreport = "python:zarr3_open_group_path"

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.common import installed_version, option, store_path
from zipstore_compat.compat_tests.adapters.zarr3 import read_group

FALLBACKS = [option("open_group(path, path=<top-level folder>)", "https://zarr.readthedocs.io/en/latest/api/zarr/functions/open_group/", "location", "store_prefix", path_from_prefix=True)]


def versions() -> dict:
    import zarr  # noqa: F401  (importable: the worker is ready, and the first cell does not pay for the import)

    return {"zarr": installed_version("zarr"), "numcodecs": installed_version("numcodecs"), "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr

    return read_group(zarr.open_group(archive, mode="r", path=store_path(manifest, options) or None), manifest)
