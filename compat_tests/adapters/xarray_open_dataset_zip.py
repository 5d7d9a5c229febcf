"""xarray: xr.open_dataset("zip::" + path, engine="zarr", group=...) (fsspec URL chaining)."""

from compat_tests.adapters.xarray_common import FALLBACKS, read_with, versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    import xarray as xr

    def open_group(group, kwargs):
        return xr.open_dataset("zip::" + archive, engine="zarr", group=group, **kwargs).load()

    return read_with(open_group, manifest, options)
