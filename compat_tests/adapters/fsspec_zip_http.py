"""fsspec over HTTP: zarr-python 3 opens "zip::http://..." (fsspec's URL chaining), its FsspecStore over fsspec's
ZipFileSystem over fsspec's HTTPFileSystem (aiohttp)."""
# reader: id = "fsspec-zip-http"
# reader: env = "http-python"
# reader: library = 'fsspec (HTTP)'
# reader: call = 'zarr.open_group("zip::" + url, mode="r")'
# reader: group = "fsspec"
# reader: rank = 2
# reader: package = "fsspec"
# reader: version_key = "fsspec"
# reader: remote = true

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.remote_common import read_zarr_group

FALLBACKS: list = []


def versions() -> dict:
    import aiohttp  # noqa: F401  (importable: the worker is ready)
    import fsspec  # noqa: F401
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"fsspec": installed_version("fsspec"), "zarr": installed_version("zarr"), "aiohttp": installed_version("aiohttp"),
            "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import zarr

    url = "zip::" + archive
    return read_zarr_group(lambda: zarr.open_group(url, mode="r"), lambda path: zarr.open_array(url, path=path, mode="r"), manifest)
