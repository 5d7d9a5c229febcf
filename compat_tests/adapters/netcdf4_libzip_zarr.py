"""netCDF4-python on netCDF-C with libzip (4.10.1; 4.9.3 in the versions lane): Dataset("file://<path>#mode=zarr,zip") (pure Zarr)."""
# reader: id = "netcdf4-libzip-zarr"
# reader: env = "netcdf4-libzip"
# reader: library = 'netCDF4 (netCDF-C + libzip)'
# reader: call = 'netCDF4.Dataset("file://path#mode=zarr,zip")'
# reader: group = "netcdf"
# reader: rank = 2
# reader: package = "netCDF4"
# reader: version_key = "netcdf-c"
# reader: decodes_cf = true
# reader: bugreport = "python:netcdf4"
# reader: bugreport_constants = { MODE = "zarr,zip" }

from zipstore_compat.compat_tests.adapters import nczarr_modes, netcdf4_zip
from zipstore_compat.compat_tests.adapters.netcdf4_libzip_nczarr import FALLBACKS, versions

__all__ = ["FALLBACKS", "read", "versions"]


def read(archive: str, manifest: dict, options: dict) -> dict:
    return netcdf4_zip.read(archive, manifest, options, mode=nczarr_modes.mode_with("zarr,zip", options))
