"""zarr-python 3's ZipStore over a file object on a web server: fsspec's HTTPFile (zarr-python 3.3 and later, PR #4187)."""
# reader: id = "zarr-zipstore-http"
# reader: env = "http-python"
# reader: library = 'zarr-python 3 (HTTP)'
# reader: call = 'zarr.open_group(ZipStore(fsspec.open(url, "rb").open(), mode="r"))'
# reader: group = "zarr-python"
# reader: rank = 3
# reader: package = "zarr"
# reader: version_key = "zarr"
# reader: remote = true

from __future__ import annotations

from zipstore_compat.compat_tests.adapters.remote_common import read_zarr_group

FALLBACKS: list = []


def versions() -> dict:
    import fsspec  # noqa: F401  (importable: the worker is ready)
    import zarr  # noqa: F401

    from zipstore_compat.compat_tests.adapters.common import installed_version

    return {"zarr": installed_version("zarr"), "fsspec": installed_version("fsspec"), "aiohttp": installed_version("aiohttp"),
            "numpy": installed_version("numpy")}


def read(archive: str, manifest: dict, options: dict) -> dict:
    import fsspec
    import zarr
    from zarr.storage import ZipStore

    with fsspec.open(archive, "rb") as handle:  # fsspec's HTTPFile: seekable, reads by Range requests
        store = ZipStore(handle, mode="r")
        try:
            return read_zarr_group(lambda: zarr.open_group(store, mode="r"), lambda path: zarr.open_array(store, path=path, mode="r"),
                                   manifest)
        finally:
            if store._is_open:  # a store nothing was read from never opened
                store.close()
