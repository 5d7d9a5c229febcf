"""xarray: xr.open_zarr(zarr.storage.ZipStore(path, mode="r"), group=...)."""
# reader: id = "xarray-open_zarr"
# reader: env = "xarray"
# reader: library = 'xarray'
# reader: call = 'xr.open_zarr(ZipStore(path, mode="r"))'
# reader: group = "xarray"
# reader: rank = 1
# reader: package = "xarray"
# reader: version_key = "xarray"
# reader: decodes_cf = true
# reader: bugreport = "python:xarray_open_zarr"

from zipstore_compat.compat_tests.adapters.xarray_common import documented_options, read_with, versions

FALLBACKS = documented_options("https://docs.xarray.dev/en/stable/generated/xarray.open_zarr.html")

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import xarray as xr
    from zarr.storage import ZipStore

    store = ZipStore(archive, mode="r")
    try:
        return read_with(lambda group, kwargs: xr.open_zarr(store, group=group, **kwargs).load(), manifest, options)
    finally:
        if store._is_open:  # a store nothing was read from never opened
            store.close()
