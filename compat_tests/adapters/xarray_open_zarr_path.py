"""xarray, the archive's path given to open_zarr: xr.open_zarr("x.zip") (xarray #10827)."""
# reader: id = "xarray-open_zarr-path"
# reader: env = "xarray"
# reader: library = 'xarray'
# reader: call = 'xr.open_zarr("x.zip")'
# reader: group = "xarray"
# reader: rank = 5
# reader: package = "xarray"
# reader: version_key = "xarray"
# reader: decodes_cf = true
# reader: bugreport = "python:xarray_open_zarr_path"

from zipstore_compat.compat_tests.adapters.xarray_common import documented_options, read_with, versions

FALLBACKS = documented_options("https://docs.xarray.dev/en/stable/generated/xarray.open_zarr.html")

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import xarray as xr

    return read_with(lambda group, kwargs: xr.open_zarr(archive, group=group, **kwargs).load(), manifest, options)
