"""netCDF4-python on netCDF-C 4.9.3 with libzip: Dataset("file://<path>#mode=zarr,zip") (pure Zarr)."""

from compat_tests.adapters import netcdf4_zip
from compat_tests.adapters.netcdf4_libzip_nczarr import FALLBACKS, versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    return netcdf4_zip.read(archive, manifest, options, mode="zarr,zip")
