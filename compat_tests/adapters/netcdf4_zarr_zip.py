"""netCDF4-python: Dataset("file://<path>#mode=zarr,zip") (pure Zarr, no NCZarr metadata)."""

from compat_tests.adapters import netcdf4_zip
from compat_tests.adapters.netcdf4_zip import FALLBACKS, versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    return netcdf4_zip.read(archive, manifest, options, mode="zarr,zip")
