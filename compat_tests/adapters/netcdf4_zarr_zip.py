"""netCDF4-python: Dataset("file://<path>#mode=zarr,zip") (pure Zarr, no NCZarr metadata)."""
# reader: id = "netcdf4-zarr"
# reader: env = "netcdf4"
# reader: library = 'netCDF4 (wheel)'
# reader: call = 'netCDF4.Dataset("file://path#mode=zarr,zip")'
# reader: group = "netcdf"
# reader: rank = 4
# reader: package = "netCDF4"
# reader: version_key = "netcdf-c"
# reader: decodes_cf = true
# reader: bugreport = "python:netcdf4"
# reader: bugreport_constants = { MODE = "zarr,zip" }

from zipstore_compat.compat_tests.adapters import netcdf4_zip
from zipstore_compat.compat_tests.adapters.netcdf4_zip import FALLBACKS, versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    return netcdf4_zip.read(archive, manifest, options, mode="zarr,zip")
